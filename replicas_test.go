package main

// Several Glassplane replicas on one etcd cluster, as separate processes:
// what docs/scale-out.md promises a workshop that outgrows one machine.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
	"github.com/glassplane/glassplane/server"
)

// TestThreeReplicasCarryASandboxThroughTheKillOfItsOwner starts an etcd
// cluster of three members (one process) and three Glassplane replicas on
// it (three more), behind two plain TCP balancers: one for the web, one for
// the sandboxes' Kubernetes API. A student's sandbox is created through
// one replica, which runs it; kubectl (both versions) reaches it through
// the balancer, the browser's stream through another replica. The seed's
// Deployment is created and, while the cascade runs and clients write
// ConfigMaps, the owner is killed with SIGKILL. Another replica takes the
// sandbox over: the seed's pod runs, every acknowledged write is there,
// and the stream resumes after the last seq the browser saw.
func TestThreeReplicasCarryASandboxThroughTheKillOfItsOwner(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the glassplane binary")
	}
	etcdProc := startServe(t, t.TempDir(), "--etcd-members", "3")
	urls, err := os.ReadFile(filepath.Join(etcdProc.dataDir, "etcd-endpoints"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(string(urls))); n != 3 {
		t.Fatalf("the etcd process serves %d client URLs, want 3 members", n)
	}
	webLB, apiLB := testcluster.StartBalancer(t), testcluster.StartBalancer(t)
	args := []string{"--etcd-endpoints", strings.Join(strings.Fields(string(urls)), ","), "--classroom",
		"--join-code", "REPLICAS", "--teacher-passcode", "replicas-teacher-passcode", "--replica-ttl", "2s",
		"--sandbox-api-listen", "127.0.0.1:0", "--sandbox-api-public", apiLB.Addr}
	replicas := make([]*serveProcess, 3)
	for i := range replicas {
		// A data directory that does not exist yet, as on a fresh machine.
		replicas[i] = startServe(t, filepath.Join(t.TempDir(), "replica"), args...)
		webLB.Add(replicas[i].webAddr)
		apiLB.Add(replicas[i].frontAddr)
	}
	owner, other := replicas[0], replicas[1]

	var sb struct{ ID, Token string }
	postJSON(t, "http://"+owner.webAddr+"/glassplane/v1/sandboxes", `{"joinCode":"REPLICAS","name":"Ada"}`, &sb)
	kc := getWithToken(t, "http://"+webLB.Addr+"/glassplane/v1/sandboxes/"+sb.ID+"/kubeconfig", sb.Token)
	kcPath := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kcPath, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, kubectl := range kubectls(t) {
		out, err := exec.Command(kubectl[0], append(kubectl[1:], "--kubeconfig", kcPath, "get", "namespaces")...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "kube-system") {
			t.Fatalf("%v get namespaces through the balancer: %v\n%s", kubectl, err, out)
		}
	}

	stream := openStream(t, other.webAddr, sb.ID, sb.Token, 0)
	out, err := exec.Command(testcluster.GlassplaneBinary(t), "kubectl", "--kubeconfig", kcPath, "create", "-f",
		filepath.Join("controlplane", "testdata", "hello-deployment.yaml")).CombinedOutput()
	if err != nil {
		t.Fatalf("creating the seed through the balancer: %v\n%s", err, out)
	}
	cs := clientFor(t, kc)
	acked := writeEachUntilKilled(t, []kubernetes.Interface{cs}, owner, 0, 300*time.Millisecond)[0]
	killed := time.Now()
	last := stream.close()
	if last == 0 {
		t.Fatal("the stream through another replica carried no steps before the kill")
	}

	// Another replica takes the sandbox over and finishes the cascade.
	waitFor(t, 60*time.Second, "the sandbox's API after the kill", func() (bool, string) {
		_, err := cs.CoreV1().Namespaces().Get(context.Background(), "default", metav1.GetOptions{})
		return err == nil, fmt.Sprint(err)
	})
	t.Logf("the sandbox's API answered again %v after its owner was killed (the replicas' TTL is 2s)", time.Since(killed).Round(10*time.Millisecond))
	waitFor(t, 60*time.Second, "the seed's pod to run after the failover", func() (bool, string) {
		pods, err := cs.CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{LabelSelector: seedSelector})
		if err != nil {
			return false, err.Error()
		}
		running := 0
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodRunning {
				running++
			}
		}
		return running == 1 && len(pods.Items) == 1, fmt.Sprintf("%d pods, %d running", len(pods.Items), running)
	})
	checkAcknowledged(t, cs, acked)
	t.Logf("%d ConfigMaps acknowledged before and around the kill, all present after the failover", len(acked))

	// The browser reconnects, through whichever replica, from its last seq.
	resumed := openStream(t, webLB.Addr, sb.ID, sb.Token, last)
	defer resumed.close()
	first := resumed.next(t)
	if first.Seq <= last {
		t.Errorf("the stream resumed at seq %d after the browser's last %d: a number given twice", first.Seq, last)
	}
	t.Logf("the browser saw up to seq %d from the dead owner; the new owner's stream resumed at %d", last, first.Seq)
}

// kubectls are the kubectl binaries to try: the one built in, and the
// system's when installed.
func kubectls(t *testing.T) [][]string {
	all := [][]string{{testcluster.GlassplaneBinary(t), "kubectl"}}
	if _, err := os.Stat("/usr/bin/kubectl"); err == nil {
		all = append(all, []string{"/usr/bin/kubectl"})
	}
	return all
}

func getWithToken(t *testing.T, url, token string) []byte {
	t.Helper()
	var body []byte
	waitFor(t, 30*time.Second, "GET "+url, func() (bool, string) {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false, err.Error()
		}
		defer resp.Body.Close()
		body, _ = io.ReadAll(resp.Body)
		return resp.StatusCode == http.StatusOK, fmt.Sprintf("%d %s", resp.StatusCode, body)
	})
	return body
}

func clientFor(t *testing.T, kc []byte) kubernetes.Interface {
	t.Helper()
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kc)
	if err != nil {
		t.Fatal(err)
	}
	cfg.QPS = -1
	cfg.Timeout = 10 * time.Second
	cfg.WarningHandler = rest.NoWarnings{}
	return kubernetes.NewForConfigOrDie(cfg)
}

// stepStream is a browser's step stream, read in the background.
type stepStream struct {
	conn  *websocket.Conn
	steps chan server.Message
	done  chan struct{}
	mu    sync.Mutex
	last  uint64
}

func openStream(t *testing.T, webAddr, id, token string, since uint64) *stepStream {
	t.Helper()
	hdr := http.Header{"Authorization": {"Bearer " + token}}
	url := fmt.Sprintf("ws://%s/glassplane/v1/sandboxes/%s/stream?since=%d", webAddr, id, since)
	var conn *websocket.Conn
	waitFor(t, 30*time.Second, "the stream through "+webAddr, func() (bool, string) {
		var err error
		conn, _, err = websocket.DefaultDialer.Dial(url, hdr)
		return err == nil, fmt.Sprint(err)
	})
	s := &stepStream{conn: conn, steps: make(chan server.Message, 1024), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			var m server.Message
			if conn.ReadJSON(&m) != nil {
				return
			}
			for _, st := range m.Steps {
				s.mu.Lock()
				if st.Seq <= s.last {
					t.Errorf("the stream sent seq %d after %d", st.Seq, s.last)
				}
				s.last = st.Seq
				s.mu.Unlock()
			}
			select {
			case s.steps <- m:
			default: // the test reads only the first steps
			}
		}
	}()
	return s
}

// next returns the first step the stream sends.
func (s *stepStream) next(t *testing.T) steps.Step {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case m := <-s.steps:
			if len(m.Steps) > 0 {
				return m.Steps[0]
			}
		case <-s.done:
			t.Fatal("the stream ended before it sent a step")
		case <-timeout:
			t.Fatal("the stream sent no step within 30s")
		}
	}
}

// close ends the stream (it may have ended already, with its replica) and
// returns the last seq it carried.
func (s *stepStream) close() uint64 {
	s.conn.Close()
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}
