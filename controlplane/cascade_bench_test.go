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
	"strings"
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
	writes, allWrites, allBytes := 0, 0, 0
	defer testcluster.Profile(b, "seed-create-to-running")()
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
		n, size := settledWrites(c, first, name)
		allWrites += n
		allBytes += size
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
	b.ReportMetric(float64(allWrites)/float64(b.N), "writes/seed")
	b.ReportMetric(float64(allBytes)/float64(b.N), "bytes/seed")
}

// settledWrites counts the etcd writes (puts and deletes) of Deployment
// name's objects — it, its ReplicaSet, its pods and their events, all named
// after it — recorded since step first, and the bytes they stored, once they
// stop for a moment: the events and status writes that follow the pods'
// start belong to the seed create too. (Node heartbeats, and the previous
// Deployment's cascading delete, are other objects' writes.)
func settledWrites(c *testcluster.Cluster, first uint64, name string) (writes, bytes int) {
	count := func() (int, int) {
		n, size := 0, 0
		for _, s := range c.Steps.Since(first, 0) {
			ew, ok := s.Detail.(registry.EtcdWrite)
			if !ok || s.Stage != steps.Store || !namedAfter(s.Object.Name, name) {
				continue
			}
			n++
			size += len(ew.Key) + len(ew.Value)
		}
		return n, size
	}
	writes, bytes = count()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		time.Sleep(300 * time.Millisecond)
		n, size := count()
		if n == writes {
			break
		}
		writes, bytes = n, size
	}
	return writes, bytes
}

// namedAfter reports whether object is named after Deployment name: the
// Deployment itself, "name-…" (its ReplicaSet and pods) or "name.…" (an
// event about the Deployment).
func namedAfter(object, name string) bool {
	return object == name || strings.HasPrefix(object, name+"-") || strings.HasPrefix(object, name+".")
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
