package framework

// NodeInfo is what a plugin sees of one node: the Node object and the pods
// the scheduler believes are on it — pods already bound, and pods it has just
// decided to put there ("assumed") whose binding the informer has not shown
// back yet. Requested sums those pods' resource requests; that sum, not what
// the containers really use, is what the NodeResourcesFit filter compares
// with the node's allocatable. Kubernetes schedules by promises, not by load.
//
// Rules: a NodeInfo inside a snapshot is read-only for plugins. The
// scheduler's cache owns the live NodeInfos and hands plugins clones.

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"
)

// Resource is an amount of each schedulable resource, in the units kube's
// scheduler counts: millicores, bytes, a number of pods, and extended
// resources (nvidia.com/gpu, hugepages-2Mi) by value.
type Resource struct {
	MilliCPU         int64
	Memory           int64
	EphemeralStorage int64
	AllowedPodNumber int64
	Scalar           map[corev1.ResourceName]int64
}

// Kubernetes' scheduler charges a container that requests nothing 100m CPU
// and 200Mi of memory when it scores (never when it filters), so that a
// crowd of request-less pods still spreads out.
const (
	DefaultMilliCPURequest int64 = 100
	DefaultMemoryRequest   int64 = 200 * 1024 * 1024
)

// NewResource converts a ResourceList.
func NewResource(rl corev1.ResourceList) Resource {
	var r Resource
	r.Add(rl)
	return r
}

// Add adds a ResourceList to r.
func (r *Resource) Add(rl corev1.ResourceList) {
	for name, q := range rl {
		switch name {
		case corev1.ResourceCPU:
			r.MilliCPU += q.MilliValue()
		case corev1.ResourceMemory:
			r.Memory += q.Value()
		case corev1.ResourceEphemeralStorage:
			r.EphemeralStorage += q.Value()
		case corev1.ResourcePods:
			r.AllowedPodNumber += q.Value()
		default:
			if IsScalarResourceName(name) {
				if r.Scalar == nil {
					r.Scalar = map[corev1.ResourceName]int64{}
				}
				r.Scalar[name] += q.Value()
			}
		}
	}
}

func (r *Resource) add(o Resource, sign int64) {
	r.MilliCPU += sign * o.MilliCPU
	r.Memory += sign * o.Memory
	r.EphemeralStorage += sign * o.EphemeralStorage
	for name, v := range o.Scalar {
		if r.Scalar == nil {
			r.Scalar = map[corev1.ResourceName]int64{}
		}
		r.Scalar[name] += sign * v
	}
}

func (r Resource) clone() Resource {
	c := r
	if r.Scalar != nil {
		c.Scalar = make(map[corev1.ResourceName]int64, len(r.Scalar))
		for k, v := range r.Scalar {
			c.Scalar[k] = v
		}
	}
	return c
}

// IsScalarResourceName reports whether name is counted like an extended
// resource: a domain-prefixed name outside kubernetes.io, or hugepages.
func IsScalarResourceName(name corev1.ResourceName) bool {
	n := string(name)
	if strings.HasPrefix(n, corev1.ResourceHugePagesPrefix) {
		return true
	}
	return strings.Contains(n, "/") && !strings.Contains(n, "kubernetes.io/")
}

// PodRequests is what a pod asks of a node: its containers' requests summed,
// the largest init container if that is more, pod overhead added — the rules
// of k8s.io/component-helpers/resource, which the kubelet shares.
func PodRequests(pod *corev1.Pod) Resource {
	return NewResource(resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{}))
}

var nonZeroDefaults = corev1.ResourceList{
	corev1.ResourceCPU:    *resource.NewMilliQuantity(DefaultMilliCPURequest, resource.DecimalSI),
	corev1.ResourceMemory: *resource.NewQuantity(DefaultMemoryRequest, resource.BinarySI),
}

// NonZeroPodRequests is PodRequests with the scoring defaults for containers
// that request no CPU or memory.
func NonZeroPodRequests(pod *corev1.Pod) Resource {
	return NewResource(resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{
		NonMissingContainerRequests: nonZeroDefaults,
	}))
}

// NodeInfo is one node and the pods on it, as the scheduler sees them.
type NodeInfo struct {
	Node             *corev1.Node
	Pods             []*corev1.Pod
	Allocatable      Resource
	Requested        Resource // sum of the pods' requests
	NonZeroRequested Resource // the same with the scoring defaults
}

// NewNodeInfo returns the NodeInfo of node with pods on it.
func NewNodeInfo(node *corev1.Node, pods ...*corev1.Pod) *NodeInfo {
	n := &NodeInfo{}
	n.SetNode(node)
	for _, p := range pods {
		n.AddPod(p)
	}
	return n
}

// SetNode sets (or replaces) the Node object.
func (n *NodeInfo) SetNode(node *corev1.Node) {
	n.Node = node
	n.Allocatable = Resource{}
	if node != nil {
		n.Allocatable = NewResource(node.Status.Allocatable)
	}
}

// AddPod counts pod on the node.
func (n *NodeInfo) AddPod(pod *corev1.Pod) {
	n.Pods = append(n.Pods, pod)
	n.Requested.add(PodRequests(pod), 1)
	n.NonZeroRequested.add(NonZeroPodRequests(pod), 1)
}

// RemovePod stops counting the pod with pod's uid; it reports whether it was there.
func (n *NodeInfo) RemovePod(pod *corev1.Pod) bool {
	for i, p := range n.Pods {
		if p.UID == pod.UID {
			n.Requested.add(PodRequests(p), -1)
			n.NonZeroRequested.add(NonZeroPodRequests(p), -1)
			n.Pods = append(n.Pods[:i:i], n.Pods[i+1:]...)
			return true
		}
	}
	return false
}

// Clone returns a copy that shares the (read-only) Node and Pod objects.
func (n *NodeInfo) Clone() *NodeInfo {
	return &NodeInfo{
		Node:             n.Node,
		Pods:             append([]*corev1.Pod(nil), n.Pods...),
		Allocatable:      n.Allocatable.clone(),
		Requested:        n.Requested.clone(),
		NonZeroRequested: n.NonZeroRequested.clone(),
	}
}

// PodInfo is the pod being scheduled, with its requests worked out once per
// cycle rather than once per node (kube-scheduler's PreFilter does the same).
// It embeds the Pod, so plugins read pod.Spec as usual.
type PodInfo struct {
	*corev1.Pod
	Requests        Resource // PodRequests
	NonZeroRequests Resource // NonZeroPodRequests
	// State is what PreFilter and PreScore plugins found out about the
	// whole cluster for this pod in this cycle, for their Filter and Score
	// to read (kube-scheduler's CycleState). Each plugin keys its own entry.
	State CycleState
}

// CycleState holds one cycle's plugin state, by key.
type CycleState map[string]any

// NewPodInfo wraps pod for one scheduling cycle.
func NewPodInfo(pod *corev1.Pod) *PodInfo {
	return &PodInfo{Pod: pod, Requests: PodRequests(pod), NonZeroRequests: NonZeroPodRequests(pod), State: CycleState{}}
}
