package scheduler

import (
	"testing"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

func byName(nodes []*framework.NodeInfo) map[string]*framework.NodeInfo {
	out := map[string]*framework.NodeInfo{}
	for _, n := range nodes {
		out[n.Node.Name] = n
	}
	return out
}

// A snapshot clones again only the nodes that changed since the last one;
// the others are the same clones, and a change never shows in a snapshot
// already taken.
func TestSnapshotClonesOnlyTheNodesThatChanged(t *testing.T) {
	c := newCache()
	for _, name := range []string{"a", "b", "c"} {
		c.AddNode(fixtureNode(name, "4", "8Gi"))
	}
	first := byName(c.Snapshot())
	web := fixturePod("web", "500m", 0)
	c.Assume(web, "b")
	second := byName(c.Snapshot())
	if second["a"] != first["a"] || second["c"] != first["c"] {
		t.Error("an unchanged node was cloned again")
	}
	if second["b"] == first["b"] || len(second["b"].Pods) != 1 || len(first["b"].Pods) != 0 {
		t.Errorf("node b after assuming a pod: %d pods in the new snapshot, %d in the old", len(second["b"].Pods), len(first["b"].Pods))
	}
	if got := second["b"].Requested.MilliCPU; got != 500 {
		t.Errorf("node b requests %dm, want 500m", got)
	}

	bound := web.DeepCopy()
	bound.Spec.NodeName = "c"
	c.AddPod(bound) // the informer shows it bound elsewhere: b and c both change
	third := byName(c.Snapshot())
	if len(third["b"].Pods) != 0 || len(third["c"].Pods) != 1 || third["a"] != first["a"] {
		t.Errorf("after the pod moved to c: b has %d pods, c %d, a cloned again: %v",
			len(third["b"].Pods), len(third["c"].Pods), third["a"] != first["a"])
	}
	c.RemovePod(bound.UID)
	c.RemoveNode("a")
	fourth := byName(c.Snapshot())
	if _, ok := fourth["a"]; ok || len(fourth["c"].Pods) != 0 || len(third["c"].Pods) != 1 {
		t.Errorf("after removing node a and the pod: %d nodes, c has %d pods (the old snapshot's c: %d)",
			len(fourth), len(fourth["c"].Pods), len(third["c"].Pods))
	}
	c.AddNode(fixtureNode("a", "8", "8Gi"))
	if got := byName(c.Snapshot())["a"].Allocatable.MilliCPU; got != 8000 {
		t.Errorf("node a back with 8 CPUs shows %dm", got)
	}
}
