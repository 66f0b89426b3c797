package main

// The crash suite: what Glassplane promises when the power goes out.
//
// etcd acknowledges a write only after it is in its write-ahead log on disk,
// and the API server answers 201 Created only after etcd acknowledged it. So a
// write a client saw succeed must survive a crash of the whole process at any
// instant, and the controllers, which keep nothing but what is in etcd, must
// pick up where they were cut off: a ReplicaSet half-way through creating pods
// must not create them twice, a Deployment must not grow a second ReplicaSet.
//
// The test runs the real binary (`glassplane serve`) as a separate process on
// a data directory of its own, creates the seed article's Deployment, scales
// it, and starts several clients creating ConfigMaps as fast as the server
// takes them. At a random instant it sends SIGKILL — no shutdown, no flush —
// starts the binary again on the same data directory, and checks that every
// ConfigMap whose create was acknowledged is there with the data it was
// written with, and that the Deployment converges: its replicas ready,
// exactly one ReplicaSet, exactly as many pods as replicas.
//
// It runs with one embedded etcd member and with three (--etcd-members 3),
// and a classroom variant kills a server while three students' sandboxes
// are written to at once.
// Two kill cycles run by default for each (under a minute in all);
// GLASSPLANE_CRASH_CYCLES=n runs n (`make crash`). The random instants come
// from a seed printed in the log; GLASSPLANE_CRASH_SEED replays one.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

const (
	seedDeployment = "helloworld-deployment"
	seedSelector   = "app=helloworld-pod"
	crashWriters   = 6
)

func TestAcknowledgedWritesSurviveSIGKILLAndControllersConverge(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the glassplane binary")
	}
	cycles, rng := crashSettings(t)
	manifest, err := os.ReadFile(filepath.Join("controlplane", "testdata", "hello-deployment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// With one embedded etcd member, and with three: the process dies with
	// all three at once, and the cluster must come back with every write
	// a majority acknowledged.
	for _, members := range []string{"1", "3"} {
		t.Run(members+" etcd members", func(t *testing.T) {
			crashCycles(t, rng, manifest, cycles, "--etcd-members", members)
		})
	}
}

// crashSettings reads GLASSPLANE_CRASH_CYCLES (default 2) and
// GLASSPLANE_CRASH_SEED (default: the time), and logs the seed.
func crashSettings(t *testing.T) (int, *rand.Rand) {
	t.Helper()
	cycles := 2
	if s := os.Getenv("GLASSPLANE_CRASH_CYCLES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("GLASSPLANE_CRASH_CYCLES=%q is not a positive number", s)
		}
		cycles = n
	}
	seed := time.Now().UnixNano()
	if s := os.Getenv("GLASSPLANE_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("GLASSPLANE_CRASH_SEED=%q: %v", s, err)
		}
	}
	t.Logf("GLASSPLANE_CRASH_SEED=%d", seed)
	return cycles, rand.New(rand.NewSource(seed))
}

// crashCycles creates the seed, then cycles times scales it, writes until a
// random instant, kills the server and checks what it acknowledged.
func crashCycles(t *testing.T, rng *rand.Rand, manifest []byte, cycles int, args ...string) {
	p := startServe(t, t.TempDir(), args...)
	ctx := context.Background()
	cs := p.client(t)
	err := cs.AppsV1().RESTClient().Post().AbsPath("/apis/apps/v1beta2/namespaces/default/deployments").
		SetHeader("Content-Type", "application/yaml").Body(manifest).Do(ctx).Error()
	if err != nil {
		t.Fatalf("creating the seed Deployment: %v", err)
	}

	acked := map[string]string{} // ConfigMap name -> the value it was written with
	for cycle := 0; cycle < cycles; cycle++ {
		replicas := []int32{4, 2, 5, 1, 3}[cycle%5]
		scale := fmt.Sprintf(`{"spec":{"replicas":%d}}`, replicas)
		if _, err := cs.AppsV1().Deployments("default").Patch(ctx, seedDeployment, types.MergePatchType, []byte(scale), metav1.PatchOptions{}); err != nil {
			t.Fatalf("cycle %d: scaling to %d: %v", cycle, replicas, err)
		}
		start := time.Now()
		killAfter := time.Duration(100+rng.Intn(1400)) * time.Millisecond
		written := writeUntilKilled(t, cs, p, cycle, killAfter)
		for k, v := range written {
			acked[k] = v
		}
		p = startServe(t, p.dataDir, args...)
		cs = p.client(t)
		checkAcknowledged(t, cs, acked)
		waitConverged(t, cs, replicas)
		t.Logf("cycle %d: killed after %v with %d acknowledged creates; all %d acknowledged ConfigMaps present; %d replicas converged; %v in all",
			cycle, killAfter, len(written), len(acked), replicas, time.Since(start).Round(time.Millisecond))
	}
}

// serveProcess is one run of `glassplane serve`.
type serveProcess struct {
	cmd     *exec.Cmd
	dataDir string
	apiAddr string
	webAddr string
	// frontAddr is a replica's front door for the sandboxes' APIs ("" if
	// it is not a replica).
	frontAddr string
	done      chan struct{} // closed when the process has exited
}

var (
	apiLine   = regexp.MustCompile(`Kubernetes API:\s+https://(\S+)`)
	webLine   = regexp.MustCompile(`Web UI:\s+http://([^/\s]+)`)
	frontLine = regexp.MustCompile(`Sandbox APIs:\s+https://(\S+)`)
)

// startServe starts the binary on dataDir with free ports and waits until it
// says it is running.
func startServe(t *testing.T, dataDir string, args ...string) *serveProcess {
	t.Helper()
	cmd := exec.Command(testcluster.GlassplaneBinary(t), append([]string{"serve", "--data-dir", dataDir,
		"--listen", "127.0.0.1:0", "--secure-listen", "127.0.0.1:0", "--max-objects", "1000000"}, args...)...)
	cmd.Stderr = &lockedLog{t: t}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProcess{cmd: cmd, dataDir: dataDir, done: make(chan struct{})}
	ready := make(chan struct{})
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := apiLine.FindStringSubmatch(sc.Text()); m != nil {
				p.apiAddr = m[1]
				close(ready) // the API line comes after the web line
			} else if m := webLine.FindStringSubmatch(sc.Text()); m != nil {
				p.webAddr = m[1]
			} else if m := frontLine.FindStringSubmatch(sc.Text()); m != nil {
				p.frontAddr = m[1]
			}
		}
		_ = cmd.Wait()
	}()
	t.Cleanup(p.kill)
	select {
	case <-ready:
	case <-p.done:
		t.Fatal("glassplane serve exited before it was running")
	case <-time.After(90 * time.Second):
		t.Fatal("glassplane serve did not start within 90s")
	}
	return p
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *serveProcess) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

func (p *serveProcess) client(t *testing.T) kubernetes.Interface {
	t.Helper()
	kc, err := controlplane.Kubeconfig(p.dataDir, p.apiAddr, "admin")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kc)
	if err != nil {
		t.Fatal(err)
	}
	cfg.QPS = -1
	cfg.WarningHandler = rest.NoWarnings{} // apps/v1beta2 is deprecated, as the seed article shows
	cfg.Timeout = 10 * time.Second
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// writeUntilKilled runs crashWriters clients creating ConfigMaps, kills the
// process after killAfter, and returns the creates that were acknowledged.
func writeUntilKilled(t *testing.T, cs kubernetes.Interface, p *serveProcess, cycle int, killAfter time.Duration) map[string]string {
	return writeEachUntilKilled(t, []kubernetes.Interface{cs}, p, cycle, killAfter)[0]
}

// writeEachUntilKilled is writeUntilKilled for several sandboxes at once:
// crashWriters clients for each, and the acknowledged creates of each.
func writeEachUntilKilled(t *testing.T, clients []kubernetes.Interface, p *serveProcess, cycle int, killAfter time.Duration) []map[string]string {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	written := make([]map[string]string, len(clients))
	killing := make(chan struct{}) // closed just before SIGKILL: later errors are the crash
	var wg sync.WaitGroup
	for i, cs := range clients {
		written[i] = map[string]string{}
		for w := 0; w < crashWriters; w++ {
			wg.Go(func() {
				for n := 0; ctx.Err() == nil; n++ {
					name := fmt.Sprintf("crash-%d-%d-%d-%d", cycle, i, w, n)
					value := strings.Repeat(name, 4)
					cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"v": value}}
					if _, err := cs.CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
						select {
						case <-killing:
							// The server is gone; this create may or may not have landed.
						default:
							t.Errorf("create %s before the kill: %v", name, err)
						}
						return
					}
					mu.Lock()
					written[i][name] = value
					mu.Unlock()
				}
			})
		}
	}
	select {
	case <-time.After(killAfter):
	case <-p.done:
		t.Fatal("glassplane serve exited on its own")
	}
	close(killing)
	p.kill()
	cancel()
	wg.Wait()
	return written
}

// checkAcknowledged reads every ConfigMap back and compares it with what was
// acknowledged.
func checkAcknowledged(t *testing.T, cs kubernetes.Interface, acked map[string]string) {
	t.Helper()
	var list *corev1.ConfigMapList
	waitFor(t, 60*time.Second, "the restarted API server to list ConfigMaps", func() (bool, string) {
		var err error
		list, err = cs.CoreV1().ConfigMaps("default").List(context.Background(), metav1.ListOptions{})
		return err == nil, fmt.Sprint(err)
	})
	found := make(map[string]string, len(list.Items))
	for _, cm := range list.Items {
		found[cm.Name] = cm.Data["v"]
	}
	missing := 0
	for name, value := range acked {
		got, ok := found[name]
		switch {
		case !ok:
			missing++
			if missing <= 5 {
				t.Errorf("acknowledged ConfigMap %s is gone after the crash", name)
			}
		case got != value:
			t.Errorf("ConfigMap %s holds %q, was written with %q", name, got, value)
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged ConfigMaps are gone after the crash", missing, len(acked))
	}
}

// waitConverged waits until the seed Deployment has replicas ready pods, one
// ReplicaSet and no pod more.
func waitConverged(t *testing.T, cs kubernetes.Interface, replicas int32) {
	t.Helper()
	ctx := context.Background()
	waitFor(t, 90*time.Second, fmt.Sprintf("the Deployment to converge at %d replicas", replicas), func() (bool, string) {
		d, err := cs.AppsV1().Deployments("default").Get(ctx, seedDeployment, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		if s := d.Status; s.ObservedGeneration < d.Generation || s.Replicas != replicas || s.UpdatedReplicas != replicas || s.ReadyReplicas != replicas {
			return false, fmt.Sprintf("deployment generation %d status %+v", d.Generation, s)
		}
		rss, err := cs.AppsV1().ReplicaSets("default").List(ctx, metav1.ListOptions{LabelSelector: seedSelector})
		if err != nil {
			return false, err.Error()
		}
		if len(rss.Items) != 1 || !ownedBy(rss.Items[0].OwnerReferences, d.UID) {
			return false, fmt.Sprintf("%d ReplicaSets: %s", len(rss.Items), replicaSetNames(rss.Items))
		}
		pods, err := cs.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: seedSelector})
		if err != nil {
			return false, err.Error()
		}
		running := 0
		for _, p := range pods.Items {
			if p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning && ownedBy(p.OwnerReferences, rss.Items[0].UID) {
				running++
			}
		}
		if len(pods.Items) != int(replicas) || running != int(replicas) {
			return false, fmt.Sprintf("%d pods, %d of them running and owned by %s", len(pods.Items), running, rss.Items[0].Name)
		}
		return true, ""
	})
}

func ownedBy(refs []metav1.OwnerReference, uid types.UID) bool {
	for _, r := range refs {
		if r.UID == uid && r.Controller != nil && *r.Controller {
			return true
		}
	}
	return false
}

func replicaSetNames(rss []appsv1.ReplicaSet) string {
	var names []string
	for _, rs := range rss {
		names = append(names, fmt.Sprintf("%s(%d)", rs.Name, *rs.Spec.Replicas))
	}
	return strings.Join(names, ", ")
}

// waitFor polls cond until it holds or the deadline passes; cond says why not.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s: %s", timeout, what, why)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// lockedLog copies the server's stderr into the test log.
type lockedLog struct {
	mu sync.Mutex
	t  *testing.T
}

func (l *lockedLog) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.t.Logf("serve: %s", strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// TestEverySandboxOfAClassKeepsItsWritesThroughSIGKILL: a classroom server
// with three students' sandboxes, each written to by its own clients at
// once, killed at a random instant. After the restart every sandbox is
// back under its token (at a new address), with every write it
// acknowledged, and none of another sandbox's.
func TestEverySandboxOfAClassKeepsItsWritesThroughSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the glassplane binary")
	}
	const students = 3
	cycles, rng := crashSettings(t)
	args := []string{"--classroom", "--join-code", "CRASHTEST", "--teacher-passcode", "crash-teacher-passcode"}
	p := startServe(t, t.TempDir(), args...)
	type seat struct{ id, token string }
	seats := make([]seat, students)
	for i := range seats {
		var got struct{ ID, Token string }
		postJSON(t, "http://"+p.webAddr+"/glassplane/v1/sandboxes", fmt.Sprintf(`{"joinCode":"CRASHTEST","name":"Student %d"}`, i), &got)
		seats[i] = seat{got.ID, got.Token}
	}
	clients := func() []kubernetes.Interface {
		out := make([]kubernetes.Interface, students)
		for i, s := range seats {
			out[i] = p.sandboxClient(t, s.id, s.token)
		}
		return out
	}
	acked := make([]map[string]string, students)
	for i := range acked {
		acked[i] = map[string]string{}
	}
	for cycle := 0; cycle < cycles; cycle++ {
		killAfter := time.Duration(300+rng.Intn(1200)) * time.Millisecond
		written := writeEachUntilKilled(t, clients(), p, cycle, killAfter)
		p = startServe(t, p.dataDir, args...)
		for i, cs := range clients() {
			maps.Copy(acked[i], written[i])
			checkAcknowledged(t, cs, acked[i])
			list, err := cs.CoreV1().ConfigMaps("default").List(context.Background(), metav1.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, cm := range list.Items {
				var c, owner int
				if _, err := fmt.Sscanf(cm.Name, "crash-%d-%d-", &c, &owner); err == nil && owner != i {
					t.Errorf("sandbox %d holds %s, sandbox %d's ConfigMap", i, cm.Name, owner)
				}
			}
			t.Logf("cycle %d, sandbox %d: killed after %v; %d acknowledged creates, all %d present", cycle, i, killAfter, len(written[i]), len(acked[i]))
		}
	}
}

// sandboxClient reaches a classroom sandbox as its admin, with the
// kubeconfig the app API hands its student.
func (p *serveProcess) sandboxClient(t *testing.T, id, token string) kubernetes.Interface {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+p.webAddr+"/glassplane/v1/sandboxes/"+id+"/kubeconfig", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	var kc []byte
	waitFor(t, 60*time.Second, "sandbox "+id+"'s kubeconfig", func() (bool, string) {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false, err.Error()
		}
		defer resp.Body.Close()
		kc, _ = io.ReadAll(resp.Body)
		return resp.StatusCode == http.StatusOK, fmt.Sprintf("%d %s", resp.StatusCode, kc)
	})
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kc)
	if err != nil {
		t.Fatal(err)
	}
	cfg.QPS = -1
	cfg.Timeout = 10 * time.Second
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func postJSON(t *testing.T, url, body string, out any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %d %s", url, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
}
