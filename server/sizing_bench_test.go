package server_test

// BenchmarkSandboxCosts measures what one sandbox costs the machines a
// class runs on, the figures docs/scale-out.md sizes a replicated
// Glassplane from. A replica (WithReplica, as `--etcd-endpoints
// --classroom` runs) creates sandboxesPerRun sandboxes with the lesson
// timings students get; then, divided by the number of sandboxes:
//
//   - idle, over idleWindow: the etcd writes and bytes (keys and values, as
//     a watch of the whole keyspace delivers them), the steps recorded and
//     their bytes as the websocket sends them (JSON);
//   - one seed flow (the seed Deployment applied through the app API, to a
//     Running pod): the same four;
//   - the Go heap one idle sandbox holds, and the CPU it uses (a share of
//     one core; the watch above runs in the same process and is counted);
//   - beside them, the puts of the sandboxes' mean write size the same etcd
//     (one embedded member, fsync on) takes in a second from 64 clients.
//
// A watch of the whole keyspace sees the replica's own keys too (its
// session, its place in each sandbox's election), so those are counted.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/testcluster"
	"github.com/glassplane/glassplane/server"
)

const (
	sandboxesPerRun = 5
	idleSettle      = 5 * time.Second  // after the creates, before the idle window
	idleWindow      = 20 * time.Second // long enough for every periodic write to come round
	capacityWindow  = 3 * time.Second
)

// etcdTally counts what a watch of the whole keyspace delivers.
type etcdTally struct{ writes, bytes atomic.Int64 }

func (e *etcdTally) follow(ctx context.Context, cli *clientv3.Client) {
	for resp := range cli.Watch(ctx, "", clientv3.WithPrefix()) {
		for _, ev := range resp.Events {
			e.writes.Add(1)
			e.bytes.Add(int64(len(ev.Kv.Key) + len(ev.Kv.Value)))
		}
	}
}

func (e *etcdTally) read() (writes, bytes int64) { return e.writes.Load(), e.bytes.Load() }

// stepBytes is how many steps the sandboxes recorded after the seqs in
// since, and their size as JSON.
func stepBytes(b *testing.B, sbs []*server.Sandbox, since []uint64) (n, size int64) {
	for i, sb := range sbs {
		for _, s := range sb.Cluster.Steps.Since(since[i], 0) {
			j, err := json.Marshal(s)
			if err != nil {
				b.Fatal(err)
			}
			n++
			size += int64(len(j))
		}
	}
	return n, size
}

func lastSeqs(sbs []*server.Sandbox) []uint64 {
	out := make([]uint64, len(sbs))
	for i, sb := range sbs {
		out[i] = sb.Cluster.Steps.Last()
	}
	return out
}

func BenchmarkSandboxCosts(b *testing.B) {
	seed, err := os.ReadFile("../controlplane/testdata/hello-deployment.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		c := testcluster.Start(b)
		ctx, cancel := context.WithCancel(context.Background())
		var tally etcdTally
		go tally.follow(ctx, c.Etcd.Client)
		heapBefore := heapInUse()
		reps := server.NewSandboxes(c.Etcd, b.TempDir(), "127.0.0.1", time.Hour, controlplane.Start, server.WithReplica(server.DefaultReplicaTTL))
		w, err := server.Start(server.Config{Listen: "127.0.0.1:0", Sandboxes: reps, JoinCode: testJoinCode})
		if err != nil {
			b.Fatal(err)
		}
		if err := reps.StartReplica(ctx, server.Owner{Web: w.Addr}); err != nil {
			b.Fatal(err)
		}
		sbs := make([]*server.Sandbox, sandboxesPerRun)
		for i := range sbs {
			if sbs[i], err = reps.CreateNamed(ctx, "Student"); err != nil {
				b.Fatal(err)
			}
		}
		time.Sleep(idleSettle)
		heapIdle := heapInUse()

		w0, b0 := tally.read()
		seq0, cpu0 := lastSeqs(sbs), cpuSeconds()
		time.Sleep(idleWindow)
		w1, b1 := tally.read()
		idleCPU := (cpuSeconds() - cpu0) / idleWindow.Seconds()
		idleSteps, idleStepBytes := stepBytes(b, sbs, seq0)

		seq1 := lastSeqs(sbs)
		for _, sb := range sbs {
			req, _ := http.NewRequest("POST", "http://"+w.Addr+"/glassplane/v1/sandboxes/"+sb.ID+"/apply", strings.NewReader(string(seed)))
			req.Header.Set("Authorization", "Bearer "+sb.Token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				b.Fatalf("applying the seed: %d", resp.StatusCode)
			}
		}
		flowStart := time.Now()
		for _, sb := range sbs {
			waitRunning(b, sb)
		}
		flow := time.Since(flowStart)
		w2, b2 := tally.read()
		flowSteps, flowStepBytes := stepBytes(b, sbs, seq1)
		// The seed's writes are what the flow added beyond the idle rate.
		idleWrites, idleBytes := float64(w1-w0)/idleWindow.Seconds(), float64(b1-b0)/idleWindow.Seconds()
		seedWrites := float64(w2-w1) - idleWrites*flow.Seconds()
		seedBytes := float64(b2-b1) - idleBytes*flow.Seconds()

		n := float64(sandboxesPerRun)
		b.ReportMetric(idleWrites/n, "etcd-writes/s/idle-sandbox")
		b.ReportMetric(idleBytes/n, "etcd-B/s/idle-sandbox")
		b.ReportMetric(float64(idleSteps)/n/idleWindow.Seconds(), "steps/s/idle-sandbox")
		b.ReportMetric(float64(idleStepBytes)/n/idleWindow.Seconds(), "step-B/s/idle-sandbox")
		b.ReportMetric(seedWrites/n, "etcd-writes/seed-flow")
		b.ReportMetric(seedBytes/n, "etcd-B/seed-flow")
		b.ReportMetric(float64(flowSteps)/n, "steps/seed-flow")
		b.ReportMetric(float64(flowStepBytes)/n, "step-B/seed-flow")
		b.ReportMetric(float64(heapIdle-heapBefore)/n/(1<<20), "heap-MiB/idle-sandbox")
		b.ReportMetric(100*idleCPU/n, "cpu-%/idle-sandbox")
		b.ReportMetric(flow.Seconds()*1000, "seed-flow-ms")

		b.ReportMetric(etcdCapacity(b, c.Etcd.Client, int(idleBytes/idleWrites)), "etcd-capacity-writes/s")

		cancel()
		w.Close()
		reps.Close()
	}
}

// etcdCapacity is how many puts of size bytes the etcd takes in a second
// from 64 clients at once: what the sandboxes' writes are a share of.
func etcdCapacity(b *testing.B, cli *clientv3.Client, size int) float64 {
	value := strings.Repeat("x", max(size, 1))
	var done atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), capacityWindow)
	defer cancel()
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				if _, err := cli.Put(ctx, fmt.Sprintf("/capacity/%d/%d", i, n%100), value); err == nil {
					done.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(done.Load()) / capacityWindow.Seconds()
}

// waitRunning waits for the seed's pod in sb to run.
func waitRunning(b *testing.B, sb *server.Sandbox) {
	cfg, err := sb.Cluster.ClientConfig("admin", "system:masters")
	if err != nil {
		b.Fatal(err)
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		pods, err := cs.CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{LabelSelector: "app=helloworld-pod"})
		if err == nil && len(pods.Items) == 1 && pods.Items[0].Status.Phase == corev1.PodRunning {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatalf("the seed's pod in sandbox %s did not run within 2 minutes", sb.ID)
}
