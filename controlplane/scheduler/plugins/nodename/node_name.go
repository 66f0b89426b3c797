// Package nodename is the filter for a pod that names its node itself in
// spec.nodeName. Such a pod is usually bound the moment it is created and
// never reaches the scheduler's queue, so in Glassplane this filter almost
// always says Success; kube-scheduler keeps it for the pods that do come
// through with a name (and the kubelet runs the same check when it admits a
// pod).
package nodename

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

// Name is the plugin's name in kube-scheduler's configuration.
const Name = "NodeName"

// ErrReason is kube-scheduler's reason for a node the pod did not name.
const ErrReason = "node(s) didn't match the requested node name"

// NodeName filters out every node but the one a pod names.
type NodeName struct{}

// New returns the plugin.
func New() *NodeName { return &NodeName{} }

// Name returns the plugin's name.
func (*NodeName) Name() string { return Name }

// Filter refuses a node other than the one in pod's spec.nodeName.
func (*NodeName) Filter(pod *framework.PodInfo, node *framework.NodeInfo) *framework.Status {
	if Fits(pod.Pod, node.Node) {
		return nil
	}
	return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReason)
}

// Fits reports whether pod names no node or names this one.
func Fits(pod *corev1.Pod, node *corev1.Node) bool {
	return pod.Spec.NodeName == "" || pod.Spec.NodeName == node.Name
}
