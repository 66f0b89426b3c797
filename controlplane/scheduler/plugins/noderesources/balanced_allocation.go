package noderesources

// NodeResourcesBalancedAllocation prefers the node whose CPU and memory would
// be equally used after placing the pod: a node left 90% CPU-full and 10%
// memory-full strands its memory, since nothing can use it without CPU.
//
//	fraction(r) = requested(r) / allocatable(r), at most 1
//	score = (1 - |fraction(cpu) - fraction(memory)| / 2) * 100
//
// (half the difference is the standard deviation of two numbers). Unlike
// LeastAllocated it counts real requests, without the scoring defaults, and
// it sits out best-effort pods (no requests at all): scoring them would pile
// them all onto one node (kubernetes#129138).

import (
	"math"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

// BalancedAllocationName is the plugin's name in kube-scheduler's configuration.
const BalancedAllocationName = "NodeResourcesBalancedAllocation"

// BalancedAllocation scores nodes by how evenly CPU and memory would be used.
type BalancedAllocation struct{}

// NewBalancedAllocation returns the plugin.
func NewBalancedAllocation() *BalancedAllocation { return &BalancedAllocation{} }

// Name returns the plugin's name.
func (*BalancedAllocation) Name() string { return BalancedAllocationName }

// PreScore sits out best-effort pods.
func (*BalancedAllocation) PreScore(pod *framework.PodInfo, _, _ []*framework.NodeInfo) bool {
	req := pod.Requests
	return req.MilliCPU != 0 || req.Memory != 0
}

// Score ranks node by the balance of its CPU and memory after placing pod.
func (*BalancedAllocation) Score(pod *framework.PodInfo, node *framework.NodeInfo) int64 {
	req := pod.Requests
	used := node.Requested
	return Balanced(
		[]int64{used.MilliCPU + req.MilliCPU, used.Memory + req.Memory},
		[]int64{node.Allocatable.MilliCPU, node.Allocatable.Memory},
	)
}

// Balanced is (1 - standard deviation of the used fractions) * 100.
func Balanced(requested, allocatable []int64) int64 {
	var fractions []float64
	var total float64
	for i := range requested {
		if allocatable[i] == 0 {
			continue
		}
		f := math.Min(float64(requested[i])/float64(allocatable[i]), 1)
		fractions = append(fractions, f)
		total += f
	}
	std := 0.0
	switch {
	case len(fractions) == 2:
		std = math.Abs(fractions[0]-fractions[1]) / 2
	case len(fractions) > 2:
		mean := total / float64(len(fractions))
		var sum float64
		for _, f := range fractions {
			sum += (f - mean) * (f - mean)
		}
		std = math.Sqrt(sum / float64(len(fractions)))
	}
	return int64((1 - std) * float64(framework.MaxNodeScore))
}
