// Package nodeunschedulable is the filter that keeps new pods off cordoned
// nodes. `kubectl cordon` sets a node's spec.unschedulable; from then on the
// scheduler places nothing new there, while the pods already running stay.
// A pod that tolerates the node.kubernetes.io/unschedulable:NoSchedule taint
// (DaemonSet pods do) is let through anyway.
//
// The verdict is UnschedulableAndUnresolvable: evicting pods would not
// uncordon the node.
package nodeunschedulable

import (
	corev1 "k8s.io/api/core/v1"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

// Name is the plugin's name in kube-scheduler's configuration.
const Name = "NodeUnschedulable"

// ErrReasonUnschedulable is kube-scheduler's reason for a cordoned node.
const ErrReasonUnschedulable = "node(s) were unschedulable"

// NodeUnschedulable filters out cordoned nodes.
type NodeUnschedulable struct{}

// New returns the plugin.
func New() *NodeUnschedulable { return &NodeUnschedulable{} }

// Name returns the plugin's name.
func (*NodeUnschedulable) Name() string { return Name }

// Filter refuses a cordoned node unless the pod tolerates the cordon.
func (*NodeUnschedulable) Filter(pod *framework.PodInfo, node *framework.NodeInfo) *framework.Status {
	if Admits(pod.Pod, node.Node) {
		return nil
	}
	return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonUnschedulable)
}

// Admits reports whether pod may be placed on node as far as cordoning goes.
func Admits(pod *corev1.Pod, node *corev1.Node) bool {
	if !node.Spec.Unschedulable {
		return true
	}
	cordon := &corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule}
	return corev1helpers.TolerationsTolerateTaint(klog.Background(), pod.Spec.Tolerations, cordon, false)
}
