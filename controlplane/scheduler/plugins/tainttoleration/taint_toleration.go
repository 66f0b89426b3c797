// Package tainttoleration is the plugin that honours taints. A taint on a
// node repels pods; a toleration on a pod lets it past one taint. The effect
// decides how hard the repelling is:
//
//	NoSchedule, NoExecute — a hard rule: the filter refuses the node if any
//	                        such taint is untolerated (NoExecute also evicts
//	                        running pods, which is the kubelet's business).
//	PreferNoSchedule      — a wish: the score counts the untolerated ones and
//	                        normalizing reverses the count, so the node with
//	                        the fewest gets 100.
//
// Since Kubernetes 1.35 the failure reason no longer names the taint (taint
// keys and values can be sensitive), so the message says
// "node(s) had untolerated taint(s)"; the filter step's detail names it.
package tainttoleration

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

// Name is the plugin's name in kube-scheduler's configuration.
const Name = "TaintToleration"

// ErrReasonUntolerated is kube-scheduler's (1.35+) reason for a node with a
// NoSchedule or NoExecute taint the pod does not tolerate.
const ErrReasonUntolerated = "node(s) had untolerated taint(s)"

// TaintToleration filters and scores nodes by their taints.
type TaintToleration struct{}

// New returns the plugin.
func New() *TaintToleration { return &TaintToleration{} }

// Name returns the plugin's name.
func (*TaintToleration) Name() string { return Name }

// Filter refuses a node with an untolerated NoSchedule or NoExecute taint.
func (*TaintToleration) Filter(pod *framework.PodInfo, node *framework.NodeInfo) *framework.Status {
	if _, found := UntoleratedTaint(pod.Pod, node.Node); found {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonUntolerated)
	}
	return nil
}

// UntoleratedTaint returns the first NoSchedule or NoExecute taint of node
// that pod does not tolerate.
func UntoleratedTaint(pod *corev1.Pod, node *corev1.Node) (corev1.Taint, bool) {
	hard := func(t *corev1.Taint) bool {
		return t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute
	}
	return corev1helpers.FindMatchingUntoleratedTaint(klog.Background(), node.Spec.Taints, pod.Spec.Tolerations, hard, false)
}

// Describe names a taint the way kubectl shows it: {key: value}.
func Describe(t corev1.Taint) string { return fmt.Sprintf("{%s: %s}", t.Key, t.Value) }

// Score counts node's PreferNoSchedule taints that pod does not tolerate.
func (*TaintToleration) Score(pod *framework.PodInfo, node *framework.NodeInfo) int64 {
	return int64(CountIntolerablePreferNoSchedule(node.Node.Spec.Taints, pod.Spec.Tolerations))
}

// NormalizeScore reverses the counts onto 0..100: fewer taints, higher score.
func (*TaintToleration) NormalizeScore(scores []int64) {
	framework.DefaultNormalizeScore(framework.MaxNodeScore, true, scores)
}

// CountIntolerablePreferNoSchedule counts the PreferNoSchedule taints that
// no toleration (with effect PreferNoSchedule or no effect) tolerates.
func CountIntolerablePreferNoSchedule(taints []corev1.Taint, tolerations []corev1.Toleration) int {
	var soft []corev1.Toleration
	for _, t := range tolerations {
		if t.Effect == "" || t.Effect == corev1.TaintEffectPreferNoSchedule {
			soft = append(soft, t)
		}
	}
	n := 0
	for i := range taints {
		if taints[i].Effect != corev1.TaintEffectPreferNoSchedule {
			continue
		}
		if !corev1helpers.TolerationsTolerateTaint(klog.Background(), soft, &taints[i], false) {
			n++
		}
	}
	return n
}
