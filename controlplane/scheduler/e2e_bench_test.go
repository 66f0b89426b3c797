package scheduler_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/scheduler"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// BenchmarkSchedulingEndToEnd300PodsOn30Nodes measures scheduling through
// the API server: 300 pods already pending, the scheduler started, the clock
// stopped when the last is bound (ns/op is meaningless here: the
// clock is measured by hand; read pods/s) (each cycle includes its pods/binding POST
// and, with the informers, the watch traffic it causes).
func BenchmarkSchedulingEndToEnd300PodsOn30Nodes(b *testing.B) {
	const nodes, pods = 30, 300
	var elapsed time.Duration
	b.StopTimer()
	for range b.N {
		c := testcluster.Start(b)
		admin := c.Client("admin")
		for i := range nodes {
			createNode(b, admin, fmt.Sprintf("node-%02d", i), "32", "64Gi")
		}
		for i := range pods {
			createPod(b, admin, fmt.Sprintf("pod-%03d", i), "100m")
		}
		cfg, err := c.ClientConfig("system:kube-scheduler")
		if err != nil {
			b.Fatal(err)
		}
		s, err := scheduler.New(cfg, c.Steps, scheduler.Options{})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		start := time.Now()
		go func() { done <- s.Run(ctx) }()
		for {
			list, err := admin.CoreV1().Pods("default").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName="})
			if err != nil {
				b.Fatal(err)
			}
			if len(list.Items) == 0 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		elapsed += time.Since(start)
		cancel()
		<-done
		c.Close()
	}
	b.ReportMetric(float64(b.N*pods)/elapsed.Seconds(), "pods/s")
}
