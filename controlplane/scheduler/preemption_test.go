package scheduler

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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
	c := findCandidate(pod, nodes, d.failures, s.profile, nil)
	if c == nil || c.node != "node-1" || len(c.victims) != 1 || c.victims[0].Name != "low-10" {
		t.Fatalf("candidate %+v, want node-1 with low-10 alone", c)
	}
	if got := unschedulableMessage(pod, nodes, d, s.profile); got != "0/3 nodes are available: 3 Insufficient cpu." {
		t.Errorf("message %q: with room to preempt, no preemption part", got)
	}
}

// A PodDisruptionBudget is weighed: preemption prefers a node whose victims
// no budget protects, even when its victim matters more, and on one node it
// gives the reprieve to the protected pod first.
func TestPreemptionAvoidsVictimsAPodDisruptionBudgetProtects(t *testing.T) {
	s := &Scheduler{profile: plugins.DefaultProfile()}
	pod := fixturePod("preemptor", "2", 100)
	guarded := boundTo(fixturePod("guarded-10", "3", 10), "node-1")
	guarded.Labels = map[string]string{"app": "db"}
	nodes := []*framework.NodeInfo{
		framework.NewNodeInfo(fixtureNode("node-1", "4", "8Gi"), guarded, boundTo(fixturePod("above", "1", 1000), "node-1")),
		framework.NewNodeInfo(fixtureNode("node-2", "4", "8Gi"), boundTo(fixturePod("free-20", "3", 20), "node-2"),
			boundTo(fixturePod("above-2", "1", 1000), "node-2")),
	}
	pdb := &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: guarded.Namespace},
		Spec:       policyv1.PodDisruptionBudgetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}}},
		Status:     policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: 0},
	}
	d := s.decide(pod, nodes)
	if c := findCandidate(pod, nodes, d.failures, s.profile, nil); c == nil || c.node != "node-1" {
		t.Fatalf("without budgets: candidate %+v, want node-1 (its victim matters least)", c)
	}
	c := findCandidate(pod, nodes, d.failures, s.profile, []*policyv1.PodDisruptionBudget{pdb})
	if c == nil || c.node != "node-2" || len(c.victims) != 1 || c.victims[0].Name != "free-20" || c.violations != 0 {
		t.Fatalf("with a budget on guarded-10: candidate %+v, want node-2 with free-20 and no violation", c)
	}
	pdb.Status.DisruptionsAllowed = 1
	if c := findCandidate(pod, nodes, d.failures, s.profile, []*policyv1.PodDisruptionBudget{pdb}); c == nil || c.node != "node-1" {
		t.Fatalf("with a budget that allows one disruption: candidate %+v, want node-1", c)
	}
	violating, nonViolating := splitByBudget([]*corev1.Pod{guarded, guarded}, []*policyv1.PodDisruptionBudget{pdb})
	if len(violating) != 1 || len(nonViolating) != 1 {
		t.Fatalf("two pods under a budget allowing one: %d violating, %d not; want 1 and 1", len(violating), len(nonViolating))
	}
}
