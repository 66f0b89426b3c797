// Package nodeaffinity is the plugin that matches a pod's wishes about node
// labels. Two kinds of wish:
//
//	required — spec.nodeSelector (every label must match) and
//	           affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution
//	           (any one term must match). The filter refuses a node that
//	           fails either; no eviction would change its labels, so the
//	           verdict is UnschedulableAndUnresolvable.
//	preferred — preferredDuringSchedulingIgnoredDuringExecution terms, each
//	           with a weight. The score adds up the weights of the terms a node
//	           matches; normalizing scales the best node to 100.
//
// The matching itself is k8s.io/component-helpers' nodeaffinity package, the
// code kube-scheduler and the kubelet share.
package nodeaffinity

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

// Name is the plugin's name in kube-scheduler's configuration.
const Name = "NodeAffinity"

// ErrReasonPod is kube-scheduler's reason for a node whose labels the pod's
// nodeSelector or required node affinity does not match.
const ErrReasonPod = "node(s) didn't match Pod's node affinity/selector"

// NodeAffinity filters and scores nodes by the pod's node selector and affinity.
type NodeAffinity struct{}

// New returns the plugin.
func New() *NodeAffinity { return &NodeAffinity{} }

// Name returns the plugin's name.
func (*NodeAffinity) Name() string { return Name }

// Filter refuses a node that the pod's required node affinity does not match.
func (*NodeAffinity) Filter(pod *framework.PodInfo, node *framework.NodeInfo) *framework.Status {
	if Matches(pod.Pod, node.Node) {
		return nil
	}
	return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonPod)
}

// Matches reports whether node satisfies pod's nodeSelector and required
// node affinity. A term that cannot be parsed matches nothing.
func Matches(pod *corev1.Pod, node *corev1.Node) bool {
	ok, err := nodeaffinity.GetRequiredNodeAffinity(pod).Match(node)
	return ok && err == nil
}

// Score sums the weights of the pod's preferred terms that node matches.
func (*NodeAffinity) Score(pod *framework.PodInfo, node *framework.NodeInfo) int64 {
	return PreferredScore(pod.Pod, node.Node)
}

// PreferredScore sums the weights of pod's preferred node affinity terms that
// node matches (0 when the pod prefers nothing or a term cannot be parsed).
func PreferredScore(pod *corev1.Pod, node *corev1.Node) int64 {
	a := pod.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || len(a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution) == 0 {
		return 0
	}
	terms, err := nodeaffinity.NewPreferredSchedulingTerms(a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution)
	if err != nil {
		return 0
	}
	return terms.Score(node)
}

// NormalizeScore scales the sums so the best node gets 100.
func (*NodeAffinity) NormalizeScore(scores []int64) {
	framework.DefaultNormalizeScore(framework.MaxNodeScore, false, scores)
}
