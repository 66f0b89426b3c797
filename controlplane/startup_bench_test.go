package controlplane_test

// BenchmarkStartToReady measures what `glassplane serve` does before a
// learner can use it, on a fresh data directory: the embedded etcd started
// with its ordinary (not test) timeouts, then the control plane — its
// certificates, the built-in users, the bootstrap objects and RBAC policy,
// the API server, the components — until all three nodes report Ready. It
// reports the whole and each part in milliseconds; the target for
// the whole is 1 s.

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/etcd"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

func BenchmarkStartToReady(b *testing.B) {
	// The components log their cache syncs as they start and the requests
	// cut off as they stop, again and again; keep that out of the
	// benchmark's table.
	klog.SetSlogLogger(slog.New(slog.DiscardHandler))
	var etcdTime, startTime, readyTime time.Duration
	ctx := context.Background()
	b.StopTimer()
	for i := range b.N {
		dir := b.TempDir()
		stop := func() {}
		if i == 0 {
			stop = testcluster.Profile(b, "start-to-ready")
		}
		t0 := time.Now()
		e, err := etcd.Start(ctx, etcd.Config{DataDir: filepath.Join(dir, "etcd")})
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		c, err := controlplane.Start(ctx, controlplane.Config{DataDir: dir, Etcd: e, ControlsEtcd: true, SecureListen: "127.0.0.1:0"})
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		waitNodesReady(b, c, 3)
		t3 := time.Now()
		stop()
		etcdTime += t1.Sub(t0)
		startTime += t2.Sub(t1)
		readyTime += t3.Sub(t2)
		c.Close()
		e.Close()
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(etcdTime+startTime+readyTime), "start-to-ready-ms")
	b.ReportMetric(ms(etcdTime), "etcd-ms")
	b.ReportMetric(ms(startTime), "controlplane-ms")
	b.ReportMetric(ms(readyTime), "nodes-ready-ms")
}

// waitNodesReady polls until n nodes are Ready.
func waitNodesReady(b *testing.B, c *controlplane.Cluster, n int) {
	cfg, err := c.ClientConfig("bench", "system:masters")
	if err != nil {
		b.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("fewer than %d nodes Ready after 30 s", n)
		}
		list, err := cs.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
		if err != nil {
			continue
		}
		ready := 0
		for _, node := range list.Items {
			for _, cond := range node.Status.Conditions {
				if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
					ready++
				}
			}
		}
		if ready >= n {
			return
		}
	}
}
