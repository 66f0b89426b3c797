package server

import (
	"context"
	"errors"
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
	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// startAPIOnly starts a sandbox's API server without components, which is
// all these tests need.
func startAPIOnly(ctx context.Context, cfg controlplane.Config) (*controlplane.Cluster, error) {
	cfg.Nodes, cfg.Fast = -1, true
	return controlplane.Start(ctx, cfg)
}

// TestReaperSurvivesAWatchErrorAndStillReaps: the reaper's first watch
// answers "compacted" and closes; the reaper watches again and still stops
// a sandbox whose record vanished.
func TestReaperSurvivesAWatchErrorAndStillReaps(t *testing.T) {
	c := testcluster.Start(t)
	sbs := NewSandboxes(c.Etcd, t.TempDir(), "127.0.0.1", time.Hour, startAPIOnly)
	var watches atomic.Int32
	real := sbs.watch
	sbs.watch = func(ctx context.Context, key string, opts ...clientv3.OpOption) clientv3.WatchChan {
		if watches.Add(1) == 1 {
			broken := make(chan clientv3.WatchResponse, 1)
			broken <- clientv3.WatchResponse{CompactRevision: 1}
			close(broken)
			return broken
		}
		return real(ctx, key, opts...)
	}
	sb, err := sbs.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sbs.StartReaping()
	t.Cleanup(sbs.Close)
	waitFor(t, "the reaper watches again after the broken watch", func() bool { return watches.Load() >= 2 })
	if _, err := c.Etcd.Client.Delete(context.Background(), recordPrefix+sb.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the sandbox whose record vanished is reaped", func() bool { _, ok := sbs.Get(sb.ID); return !ok })
}

// TestConcurrentJoinsNeverExceedMaxSandboxes: ten joins at once on a
// server allowing three start at most three clusters.
func TestConcurrentJoinsNeverExceedMaxSandboxes(t *testing.T) {
	c := testcluster.Start(t)
	var running, peak atomic.Int32
	slowStart := func(ctx context.Context, cfg controlplane.Config) (*controlplane.Cluster, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(300 * time.Millisecond)
		return nil, errors.New("this test starts no cluster")
	}
	sbs := NewSandboxes(c.Etcd, t.TempDir(), "127.0.0.1", time.Hour, slowStart, WithMaxSandboxes(3))
	t.Cleanup(sbs.Close)
	var wg sync.WaitGroup
	var refused atomic.Int32
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := sbs.Create(context.Background()); err != nil && strings.Contains(err.Error(), "its limit") {
				refused.Add(1)
			}
		}()
	}
	wg.Wait()
	if peak.Load() > 3 || refused.Load() < 7 {
		t.Errorf("10 racing joins with a limit of 3: %d clusters starting at once, %d refused", peak.Load(), refused.Load())
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAStudentUsingOnlyKubectlKeepsTheirSandbox: requests to a sandbox's
// Kubernetes API renew its lease as app-API use does; an unused sandbox
// beside it expires.
func TestAStudentUsingOnlyKubectlKeepsTheirSandbox(t *testing.T) {
	c := testcluster.Start(t)
	const idle = 2 * time.Second
	sbs := NewSandboxes(c.Etcd, t.TempDir(), "127.0.0.1", idle, startAPIOnly)
	used, unused := mustCreate(t, sbs), mustCreate(t, sbs)
	sbs.StartReaping()
	t.Cleanup(sbs.Close)
	cfg, err := used.Cluster.ClientConfig("admin", "system:masters")
	if err != nil {
		t.Fatal(err)
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	for end := time.Now().Add(3 * idle); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if _, err := cs.CoreV1().Namespaces().List(context.Background(), metav1.ListOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the unused sandbox expires", func() bool { _, ok := sbs.Get(unused.ID); return !ok })
	if _, ok := sbs.Get(used.ID); !ok {
		t.Error("the sandbox used only through its Kubernetes API expired")
	}
}

func mustCreate(t *testing.T, sbs *Sandboxes) *Sandbox {
	t.Helper()
	sb, err := sbs.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sb
}

// TestAClassroomSandboxKeepsABoundedHistoryAndTheLearnersSteps: background
// steps beyond SandboxStepHistory push older ones out of a created
// sandbox's history, but a learner's request made before them is still
// replayed, down to its etcd write.
func TestAClassroomSandboxKeepsABoundedHistoryAndTheLearnersSteps(t *testing.T) {
	c := testcluster.Start(t)
	sbs := NewSandboxes(c.Etcd, t.TempDir(), "127.0.0.1", time.Hour, startAPIOnly)
	t.Cleanup(sbs.Close)
	sb, err := sbs.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := sb.Cluster.ClientConfig("admin", "system:masters")
	if err != nil {
		t.Fatal(err)
	}
	learner, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "mine", Namespace: "default"}}
	if _, err := learner.CoreV1().ConfigMaps("default").Create(context.Background(), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2*SandboxStepHistory; i++ {
		sb.Cluster.Steps.Record(context.Background(), steps.Step{Component: "kubelet/node-1", Stage: steps.Status})
	}
	replay := sb.Cluster.Steps.Since(0, 0)
	background, stored := 0, false
	for _, s := range replay {
		if s.Component == "kubelet/node-1" {
			background++
		}
		stored = stored || (s.Component == steps.Etcd && s.Stage == steps.Store && s.Object.Name == "mine")
	}
	if background > SandboxStepHistory {
		t.Errorf("the sandbox replays %d background steps, want at most %d", background, SandboxStepHistory)
	}
	if !stored {
		t.Error("the learner's ConfigMap write left the replay with the background")
	}
}
