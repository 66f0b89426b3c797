package nodelifecycle

// Taints. A taint on a node repels pods: NoSchedule keeps the scheduler from
// placing new pods there, NoExecute also evicts the pods already running
// there unless they tolerate it. The node lifecycle controller puts
// node.kubernetes.io/unreachable with both effects on a node whose kubelet
// went quiet, and takes it off when the kubelet is back. A NoExecute taint
// records when it was added (timeAdded): tolerationSeconds count from then.

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// unreachableTaints are the taints of a node whose kubelet went quiet.
func unreachableTaints(now time.Time) []corev1.Taint {
	added := metav1.NewTime(now)
	return []corev1.Taint{
		{Key: corev1.TaintNodeUnreachable, Effect: corev1.TaintEffectNoSchedule},
		{Key: corev1.TaintNodeUnreachable, Effect: corev1.TaintEffectNoExecute, TimeAdded: &added},
	}
}

// hasTaints reports whether node has every one of taints (by key and effect).
func hasTaints(node *corev1.Node, taints []corev1.Taint) bool {
	for i := range taints {
		if !hasTaint(node, &taints[i]) {
			return false
		}
	}
	return true
}

// hasAnyTaint reports whether node has one of taints.
func hasAnyTaint(node *corev1.Node, taints []corev1.Taint) bool {
	for i := range taints {
		if hasTaint(node, &taints[i]) {
			return true
		}
	}
	return false
}

func hasTaint(node *corev1.Node, t *corev1.Taint) bool {
	for i := range node.Spec.Taints {
		if node.Spec.Taints[i].MatchTaint(t) {
			return true
		}
	}
	return false
}

// withTaints is node with the taints it lacks added.
func withTaints(node *corev1.Node, taints []corev1.Taint) *corev1.Node {
	node = node.DeepCopy()
	for i := range taints {
		if !hasTaint(node, &taints[i]) {
			node.Spec.Taints = append(node.Spec.Taints, taints[i])
		}
	}
	return node
}

// withoutTaints is node without taints.
func withoutTaints(node *corev1.Node, taints []corev1.Taint) *corev1.Node {
	node = node.DeepCopy()
	var keep []corev1.Taint
	for _, t := range node.Spec.Taints {
		drop := false
		for i := range taints {
			drop = drop || t.MatchTaint(&taints[i])
		}
		if !drop {
			keep = append(keep, t)
		}
	}
	node.Spec.Taints = keep
	return node
}

// noExecuteTaints are node's NoExecute taints.
func noExecuteTaints(node *corev1.Node) []corev1.Taint {
	var out []corev1.Taint
	for _, t := range node.Spec.Taints {
		if t.Effect == corev1.TaintEffectNoExecute {
			out = append(out, t)
		}
	}
	return out
}
