package noderesources

// LeastAllocated is NodeResourcesFit's default scoring strategy: prefer the
// node that would have the most room left after placing the pod, so pods
// spread across the cluster. For CPU and memory (weight 1 each):
//
//	score(r) = (allocatable(r) - requested(r)) * 100 / allocatable(r)
//	node score = the weighted mean of score(cpu) and score(memory)
//
// where requested(r) counts the node's pods and this pod with the scoring
// defaults (100m CPU, 200Mi memory for a container that requests nothing),
// so request-less pods spread out too. A resource the node lacks scores 0.

import (
	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

// Score ranks node by the share of CPU and memory left after placing pod.
func (*Fit) Score(pod *framework.PodInfo, node *framework.NodeInfo) int64 {
	req := pod.NonZeroRequests
	used := node.NonZeroRequested
	return LeastAllocated(
		[]int64{used.MilliCPU + req.MilliCPU, used.Memory + req.Memory},
		[]int64{node.Allocatable.MilliCPU, node.Allocatable.Memory},
	)
}

// LeastAllocated is the equal-weight mean of each resource's free share
// (0..100); resources the node has none of are left out.
func LeastAllocated(requested, allocatable []int64) int64 {
	var sum, n int64
	for i := range requested {
		if allocatable[i] == 0 {
			continue
		}
		sum += leastRequestedScore(requested[i], allocatable[i])
		n++
	}
	if n == 0 {
		return 0
	}
	return sum / n
}

func leastRequestedScore(requested, capacity int64) int64 {
	if requested > capacity {
		return 0
	}
	return (capacity - requested) * framework.MaxNodeScore / capacity
}
