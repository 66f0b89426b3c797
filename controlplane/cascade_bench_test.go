package controlplane_test

// BenchmarkSeedCreateToRunning measures, in one run, the time from creating
// the seed Deployment to its three pods Running (the whole cascade: API
// server, deployment and replicaset controllers, scheduler, kubelets, with
// no simulated delays), against the time etcd alone needs for the same
// number of writes of the same sizes, made one after another through the
// in-process client. The ratio is what the control plane adds to its storage.

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

func BenchmarkSeedCreateToRunning(b *testing.B) {
	c := testcluster.StartCascade(b)
	cs := c.Client("admin")
	ctx := context.Background()
	var flow, raw time.Duration
	writes := 0
	for i := 0; i < b.N; i++ {
		name := fmt.Sprintf("hello-%d", i)
		d := deployment(name, 3)
		w, err := cs.CoreV1().Pods("default").Watch(ctx, metav1.ListOptions{LabelSelector: "app=" + name})
		if err != nil {
			b.Fatal(err)
		}
		first := c.Steps.Last()
		start := time.Now()
		if _, err := cs.AppsV1().Deployments("default").Create(ctx, d, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		waitRunning(b, w, 3)
		flow += time.Since(start)
		w.Stop()

		// The same writes, straight into etcd.
		var values []string
		for _, s := range c.Steps.Since(first, 0) {
			if ew, ok := s.Detail.(registry.EtcdWrite); ok && s.Stage == steps.Store && ew.Op == "put" &&
				(s.Object.Kind == "Deployment" || s.Object.Kind == "ReplicaSet" || s.Object.Kind == "Pod") {
				values = append(values, ew.Value)
			}
		}
		writes += len(values)
		start = time.Now()
		for j, v := range values {
			if _, err := c.Etcd.Client.Put(ctx, fmt.Sprintf("/bench/raw/%d/%d", i, j), v); err != nil {
				b.Fatal(err)
			}
		}
		raw += time.Since(start)
		_ = cs.AppsV1().Deployments("default").Delete(ctx, name, metav1.DeleteOptions{})
	}
	b.ReportMetric(float64(flow.Milliseconds())/float64(b.N), "create-to-running-ms")
	b.ReportMetric(float64(writes)/float64(b.N), "etcd-writes/op")
	b.ReportMetric(float64(raw.Microseconds())/1000/float64(b.N), "raw-puts-ms")
	b.ReportMetric(float64(flow)/float64(raw), "flow/raw")
}

func waitRunning(b *testing.B, w watch.Interface, n int) {
	running := map[string]bool{}
	timeout := time.After(30 * time.Second)
	for len(running) < n {
		select {
		case ev := <-w.ResultChan():
			if p, ok := ev.Object.(*corev1.Pod); ok && p.Status.Phase == corev1.PodRunning {
				running[p.Name] = true
			}
		case <-timeout:
			b.Fatalf("only %d of %d pods running", len(running), n)
		}
	}
}
