// Package noderesources holds the plugins that weigh a pod's resource
// requests against a node's allocatable resources.
//
// NodeResourcesFit's filter is the arithmetic every Pending pod with
// "Insufficient cpu" in its events has failed: for each resource the pod
// requests, the requests of the pods already on the node plus this pod's must
// not exceed what the node offers (status.allocatable), and one more pod must
// not exceed the node's pod count. Requests, not real usage: a node full of
// idle pods that requested 4 CPUs is full.
//
// If the pod asks for more than the whole node offers, no eviction could make
// room and the verdict is UnschedulableAndUnresolvable (kube 1.36+);
// otherwise it is Unschedulable — preemption of lower-priority pods could help.
//
// Its score (least_allocated.go) and NodeResourcesBalancedAllocation's
// (balanced_allocation.go) rank the nodes that fit.
package noderesources

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

// FitName is the plugin's name in kube-scheduler's configuration.
const FitName = "NodeResourcesFit"

// Fit filters out nodes without room for a pod's requests, and scores the
// rest by how much room is left (LeastAllocated).
type Fit struct{}

// NewFit returns the plugin.
func NewFit() *Fit { return &Fit{} }

// Name returns the plugin's name.
func (*Fit) Name() string { return FitName }

// Filter refuses a node on which the pod's requests do not fit.
func (*Fit) Filter(pod *framework.PodInfo, node *framework.NodeInfo) *framework.Status {
	short := Fits(pod.Requests, node)
	if len(short) == 0 {
		return nil
	}
	code := framework.Unschedulable
	reasons := make([]string, 0, len(short))
	for _, s := range short {
		reasons = append(reasons, s.Reason)
		if s.Unresolvable {
			code = framework.UnschedulableAndUnresolvable
		}
	}
	return framework.NewStatus(code, reasons...)
}

// InsufficientResource is one resource a node is short of.
type InsufficientResource struct {
	Resource  corev1.ResourceName
	Reason    string // "Insufficient cpu", "Too many pods"
	Requested int64  // by the pod
	Used      int64  // already requested by the node's pods
	Capacity  int64  // the node's allocatable
	// Unresolvable: the pod asks for more than the whole node has.
	Unresolvable bool
}

// Fits lists the resources node lacks for a pod requesting req, in
// kube-scheduler's order: pods, cpu, memory, ephemeral-storage, extended.
func Fits(req framework.Resource, node *framework.NodeInfo) []InsufficientResource {
	var short []InsufficientResource
	alloc, used := node.Allocatable, node.Requested
	if int64(len(node.Pods))+1 > alloc.AllowedPodNumber {
		short = append(short, InsufficientResource{corev1.ResourcePods, "Too many pods", 1, int64(len(node.Pods)), alloc.AllowedPodNumber, false})
	}
	check := func(name corev1.ResourceName, want, have, free int64) {
		if want > 0 && want > free-have {
			short = append(short, InsufficientResource{name, fmt.Sprintf("Insufficient %v", name), want, have, free, want > free})
		}
	}
	check(corev1.ResourceCPU, req.MilliCPU, used.MilliCPU, alloc.MilliCPU)
	check(corev1.ResourceMemory, req.Memory, used.Memory, alloc.Memory)
	check(corev1.ResourceEphemeralStorage, req.EphemeralStorage, used.EphemeralStorage, alloc.EphemeralStorage)
	for _, name := range sortedNames(req.Scalar) {
		check(name, req.Scalar[name], used.Scalar[name], alloc.Scalar[name])
	}
	return short
}

func sortedNames(m map[corev1.ResourceName]int64) []corev1.ResourceName {
	names := make([]corev1.ResourceName, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	return names
}
