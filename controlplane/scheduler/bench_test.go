package scheduler

import (
	"github.com/glassplane/glassplane/controlplane/scheduler/plugins"

	"fmt"
	"testing"
	"time"
)

// BenchmarkSchedulingCycle1000PodsOn100Nodes measures the scheduling
// decision alone — snapshot, filter, score, select, assume — without the
// HTTP binding, and reports pods scheduled per second.
func BenchmarkSchedulingCycle1000PodsOn100Nodes(b *testing.B) {
	s := &Scheduler{profile: plugins.DefaultProfile()}
	pods := make([]*queuedPod, 1000)
	for i := range pods {
		pods[i] = &queuedPod{Pod: fixturePod(fmt.Sprintf("pod-%d", i), fmt.Sprintf("%dm", 100+i%5*100), 0)}
	}
	b.ReportAllocs()
	var elapsed time.Duration
	for b.Loop() {
		c := newCache()
		for i := range 100 {
			c.AddNode(fixtureNode(fmt.Sprintf("node-%03d", i), "32", "64Gi"))
		}
		start := time.Now()
		for _, qp := range pods {
			d := s.decide(qp.Pod, c.Snapshot())
			if d.selected == "" {
				b.Fatalf("%s fitted nowhere", qp.Pod.Name)
			}
			c.Assume(qp.Pod, d.selected)
		}
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(b.N*len(pods))/elapsed.Seconds(), "pods/s")
}
