package controlplane

// Breaking things on purpose. A learner who stops a component from the page
// or a lesson (the kubelet of node-2, the scheduler) is acting just as
// surely as one who runs kubectl delete, and what the cluster does about it
// is the story they came to see: the node falls silent, the node lifecycle
// controller marks it unreachable and taints it, its pods are evicted and
// replaced on other nodes. So the stop is recorded as the first step of a
// trace of its own, begun by a person (steps.Stop, steps.Start).
//
// Nothing the API server stores carries that trace to the controllers: a
// silent kubelet writes nothing. What carries it is the node's last version.
// The node lifecycle controller reads the cause of the node's current
// version when it decides the node is gone, so that version's cause is
// remembered as the stop: its decision, the taint, the evictions and the
// replacements join the learner's trace.

import (
	"context"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// recordBreak records that a person stopped or started (stage) component
// name, and for a kubelet's stop, hands the node's current version to that
// trace.
func (c *Cluster) recordBreak(name, stage string) {
	s := c.Steps.Record(context.Background(), steps.Step{Trace: steps.NewTrace(), Component: name, Stage: stage,
		Message: steps.Msg("component."+stage, "component", name)})
	node, ok := strings.CutPrefix(name, "kubelet/")
	if !ok || stage != steps.Stop || s.Seq == 0 {
		return
	}
	res, _ := registry.Lookup("", "nodes")
	obj, err := c.Store.Get(context.Background(), res, "", node)
	if err != nil {
		return
	}
	if m, err := meta.Accessor(obj); err == nil {
		c.Steps.Remember(string(m.GetUID()), m.GetResourceVersion(), steps.Cause{Trace: s.Trace, Parent: s.Seq})
	}
}
