package scheduler_test

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"

	"github.com/glassplane/glassplane/controlplane/scheduler"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// BenchmarkSchedulingEndToEnd measures scheduling through the API server,
// as kube's scheduler_perf does: the nodes and pods already created and
// pending, the scheduler started, the clock stopped when a watch has seen
// the last pod bound. Each pod costs a full cycle — filter, score, the
// steps a learner sees — and its pods/binding POST with authentication,
// RBAC and the etcd write, and the watch traffic that causes. ns/op is
// meaningless (the clock is measured by hand); read pods/s. Two sizes, so
// the growth with the cluster's size shows.
func BenchmarkSchedulingEndToEnd(b *testing.B) {
	for _, size := range []struct{ pods, nodes int }{{1000, 100}, {5000, 500}} {
		b.Run(fmt.Sprintf("%dPodsOn%dNodes", size.pods, size.nodes), func(b *testing.B) {
			benchmarkSchedulingEndToEnd(b, size.pods, size.nodes)
		})
	}
}

func benchmarkSchedulingEndToEnd(b *testing.B, pods, nodes int) {
	var elapsed, cpu time.Duration
	b.StopTimer()
	for i := range b.N {
		c := testcluster.Start(b)
		admin := c.Client("admin")
		for i := range nodes {
			createNode(b, admin, fmt.Sprintf("node-%03d", i), "32", "64Gi")
		}
		createPods(b, admin, pods)
		list, err := admin.CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{Limit: 1})
		if err != nil {
			b.Fatal(err)
		}
		w, err := admin.CoreV1().Pods("default").Watch(context.Background(), metav1.ListOptions{ResourceVersion: list.ResourceVersion})
		if err != nil {
			b.Fatal(err)
		}
		cfg, err := c.ComponentConfig("system:kube-scheduler") // as the cluster runs its own
		if err != nil {
			b.Fatal(err)
		}
		s, err := scheduler.New(cfg, c.Steps, scheduler.Options{})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		stop := func() {}
		if i == 0 {
			stop = testcluster.Profile(b, fmt.Sprintf("scheduler-%dpods-%dnodes", pods, nodes))
		}
		start, cpuStart := time.Now(), processCPU()
		go func() { done <- s.Run(ctx) }()
		waitAllBound(b, w, pods)
		elapsed += time.Since(start)
		cpu += processCPU() - cpuStart
		stop()
		w.Stop()
		cancel()
		<-done
		c.Close()
	}
	b.ReportMetric(float64(b.N*pods)/elapsed.Seconds(), "pods/s")
	// CPU time per pod, of the whole process (API server, etcd, scheduler,
	// the watch): on a shared machine pods/s depends on the neighbours,
	// this much less.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*pods), "cpu-µs/pod")
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// createPods creates n pending pods from a few clients at once, so a big
// benchmark does not spend minutes on its setup.
func createPods(b *testing.B, client kubernetes.Interface, n int) {
	var wg sync.WaitGroup
	const writers = 8
	for w := range writers {
		wg.Go(func() {
			for i := w; i < n; i += writers {
				p := &corev1.Pod{
					ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: fmt.Sprintf("pod-%04d", i)},
					Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx",
						Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")}}}}},
				}
				if _, err := client.CoreV1().Pods("default").Create(context.Background(), p, metav1.CreateOptions{}); err != nil {
					b.Errorf("creating pod %s: %v", p.Name, err) // Fatal only from the benchmark's goroutine
					return
				}
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
}

// waitAllBound reads the watch until n pods have a node.
func waitAllBound(b *testing.B, w watch.Interface, n int) {
	bound := map[string]bool{}
	timeout := time.After(5 * time.Minute)
	for len(bound) < n {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				b.Fatalf("the watch ended with %d of %d pods bound", len(bound), n)
			}
			if p, isPod := ev.Object.(*corev1.Pod); isPod && p.Spec.NodeName != "" {
				bound[p.Name] = true
			}
		case <-timeout:
			b.Fatalf("only %d of %d pods bound", len(bound), n)
		}
	}
}
