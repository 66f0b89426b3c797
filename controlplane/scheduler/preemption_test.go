package scheduler

import (
	"testing"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
	"github.com/glassplane/glassplane/controlplane/scheduler/plugins"
)

// Preemption takes as few victims as it can, reprieving the most important
// first, and prefers the node whose victims matter least.
func TestPreemptionPicksTheFewestLeastImportantVictims(t *testing.T) {
	s := &Scheduler{profile: plugins.DefaultProfile()}
	pod := fixturePod("preemptor", "2", 100)
	nodes := []*framework.NodeInfo{
		// node-1: freeing 2 CPUs needs low-10 (2 CPUs); low-20 (1 CPU) can stay.
		framework.NewNodeInfo(fixtureNode("node-1", "4", "8Gi"),
			boundTo(fixturePod("low-10", "2", 10), "node-1"), boundTo(fixturePod("low-20", "1", 20), "node-1"),
			boundTo(fixturePod("above", "1", 1000), "node-1")),
		// node-2: only a priority-50 pod could go: a more important victim.
		framework.NewNodeInfo(fixtureNode("node-2", "4", "8Gi"),
			boundTo(fixturePod("mid-50", "3", 50), "node-2"), boundTo(fixturePod("above-2", "1", 1000), "node-2")),
		// node-3: nothing of lower priority.
		framework.NewNodeInfo(fixtureNode("node-3", "4", "8Gi"), boundTo(fixturePod("big", "4", 1000), "node-3")),
	}
	d := s.decide(pod, nodes)
	if d.selected != "" {
		t.Fatalf("selected %s; the pod should fit nowhere", d.selected)
	}
	c := findCandidate(pod, nodes, d.failures, s.profile)
	if c == nil || c.node != "node-1" || len(c.victims) != 1 || c.victims[0].Name != "low-10" {
		t.Fatalf("candidate %+v, want node-1 with low-10 alone", c)
	}
	if got := unschedulableMessage(pod, nodes, d, s.profile); got != "0/3 nodes are available: 3 Insufficient cpu." {
		t.Errorf("message %q: with room to preempt, no preemption part", got)
	}
}
