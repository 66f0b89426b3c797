package podtopologyspread

// A topology spread constraint, as the scheduler reads it: which pods to
// count (the labelSelector, plus the pod's own values of matchLabelKeys, in
// the pod's namespace), over which domains (topologyKey), how uneven they
// may get (maxSkew), and over which nodes: by default only the nodes the pod
// could be placed on by its node affinity (nodeAffinityPolicy: Honor),
// tainted or not (nodeTaintsPolicy: Ignore).

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	"k8s.io/klog/v2"
)

// constraint is one parsed TopologySpreadConstraint.
type constraint struct {
	maxSkew       int64
	minDomains    int64
	topologyKey   string
	selector      labels.Selector
	honorAffinity bool
	honorTaints   bool
}

// constraintsOf parses pod's constraints with the given whenUnsatisfiable:
// DoNotSchedule ones are filtered on, ScheduleAnyway ones scored.
func constraintsOf(pod *corev1.Pod, action corev1.UnsatisfiableConstraintAction) []constraint {
	var out []constraint
	for _, c := range pod.Spec.TopologySpreadConstraints {
		if c.WhenUnsatisfiable != action {
			continue
		}
		out = append(out, constraint{
			maxSkew:       int64(c.MaxSkew),
			minDomains:    int64(ptrOr(c.MinDomains, 1)),
			topologyKey:   c.TopologyKey,
			selector:      selectorOf(pod, c),
			honorAffinity: c.NodeAffinityPolicy == nil || *c.NodeAffinityPolicy == corev1.NodeInclusionPolicyHonor,
			honorTaints:   c.NodeTaintsPolicy != nil && *c.NodeTaintsPolicy == corev1.NodeInclusionPolicyHonor,
		})
	}
	return out
}

func ptrOr(p *int32, def int32) int32 {
	if p == nil {
		return def
	}
	return *p
}

// selectorOf is the constraint's labelSelector with the pod's own value of
// each matchLabelKeys key added (so a Deployment's pods count only the pods
// of their own revision). A selector that does not parse selects nothing.
func selectorOf(pod *corev1.Pod, c corev1.TopologySpreadConstraint) labels.Selector {
	if c.LabelSelector == nil {
		return labels.Nothing()
	}
	sel, err := metav1.LabelSelectorAsSelector(c.LabelSelector)
	if err != nil {
		return labels.Nothing()
	}
	for _, key := range c.MatchLabelKeys {
		if value, ok := pod.Labels[key]; ok {
			if r, err := labels.NewRequirement(key, selection.In, []string{value}); err == nil {
				sel = sel.Add(*r)
			}
		}
	}
	return sel
}

// includes reports whether node's pods count for c at all.
func (c constraint) includes(pod *corev1.Pod, node *corev1.Node, affinity nodeaffinity.RequiredNodeAffinity) bool {
	if c.honorAffinity {
		if ok, err := affinity.Match(node); !ok || err != nil {
			return false
		}
	}
	if c.honorTaints {
		hard := func(t *corev1.Taint) bool {
			return t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute
		}
		if _, untolerated := corev1helpers.FindMatchingUntoleratedTaint(klog.Background(), node.Spec.Taints, pod.Spec.Tolerations, hard, false); untolerated {
			return false
		}
	}
	return true
}

// hasAllKeys reports whether node carries every constraint's topology key.
func hasAllKeys(node *corev1.Node, cs []constraint) bool {
	for _, c := range cs {
		if _, ok := node.Labels[c.topologyKey]; !ok {
			return false
		}
	}
	return true
}

// countMatching counts the pods of pods that c selects in namespace, leaving
// out pods on their way out.
func countMatching(pods []*corev1.Pod, c constraint, namespace string) int64 {
	var n int64
	for _, p := range pods {
		if p.DeletionTimestamp == nil && p.Namespace == namespace && c.selector.Matches(labels.Set(p.Labels)) {
			n++
		}
	}
	return n
}
