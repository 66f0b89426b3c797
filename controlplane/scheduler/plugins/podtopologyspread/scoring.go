package podtopologyspread

// Scoring the ScheduleAnyway constraints, as kube-scheduler does: for each
// constraint a feasible node earns
//
//	matching pods in its domain × log(number of domains + 2) + (maxSkew − 1)
//
// (the logarithm keeps a constraint over many small domains from being
// drowned by one over a few large ones; maxSkew − 1 waters the differences
// down as the constraint tolerates more skew). Fewer pods is better, so
// normalizing turns the scale round: the node with the smallest sum gets
// 100. The domains are those of the feasible nodes; the pods counted are on
// every node that counts for the constraint. A feasible node without a
// topology key gets 0. A pod with no ScheduleAnyway constraint is not scored.

import (
	"math"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

// preScoreKey is the key of the scoring counts in the cycle's state.
const preScoreKey = "PreScore" + Name

// invalidScore marks a node that lacks a topology key, so normalizing
// leaves it out and gives it 0.
const invalidScore = -1

// preScoreState is what PreScore counted for Score.
type preScoreState struct {
	constraints []constraint
	counts      []map[string]int64 // per constraint: domain value → matching pods
	weights     []float64          // per constraint: log(domains + 2)
}

// PreScore counts the matching pods per domain of the feasible nodes.
func (*PodTopologySpread) PreScore(pod *framework.PodInfo, feasible, all []*framework.NodeInfo) bool {
	cs := constraintsOf(pod.Pod, corev1.ScheduleAnyway)
	if len(cs) == 0 {
		return false
	}
	s := &preScoreState{constraints: cs, counts: make([]map[string]int64, len(cs)), weights: make([]float64, len(cs))}
	scored := 0
	for i := range cs {
		s.counts[i] = map[string]int64{}
	}
	for _, n := range feasible {
		if !hasAllKeys(n.Node, cs) {
			continue
		}
		scored++
		for i, c := range cs {
			s.counts[i][n.Node.Labels[c.topologyKey]] = 0
		}
	}
	for i, c := range cs {
		domains := len(s.counts[i])
		if c.topologyKey == corev1.LabelHostname {
			domains = scored
		}
		s.weights[i] = math.Log(float64(domains + 2))
	}
	affinity := nodeaffinity.GetRequiredNodeAffinity(pod.Pod)
	for _, n := range all {
		if n.Node == nil || !hasAllKeys(n.Node, cs) {
			continue
		}
		for i, c := range cs {
			value := n.Node.Labels[c.topologyKey]
			if _, ok := s.counts[i][value]; ok && c.includes(pod.Pod, n.Node, affinity) {
				s.counts[i][value] += countMatching(n.Pods, c, pod.Namespace)
			}
		}
	}
	pod.State[preScoreKey] = s
	return true
}

// Score sums, over the constraints, the weighted pods of node's domain.
func (*PodTopologySpread) Score(pod *framework.PodInfo, node *framework.NodeInfo) int64 {
	s, ok := pod.State[preScoreKey].(*preScoreState)
	if !ok {
		return 0
	}
	if !hasAllKeys(node.Node, s.constraints) {
		return invalidScore
	}
	var score float64
	for i, c := range s.constraints {
		count := s.counts[i][node.Node.Labels[c.topologyKey]]
		score += float64(count)*s.weights[i] + float64(c.maxSkew-1)
	}
	return int64(math.Round(score))
}

// NormalizeScore gives the smallest sum 100 and scales the others down
// towards 0; nodes without the topology keys get 0.
func (*PodTopologySpread) NormalizeScore(scores []int64) {
	lowest, highest := int64(math.MaxInt64), int64(0)
	for _, s := range scores {
		if s == invalidScore {
			continue
		}
		lowest, highest = min(lowest, s), max(highest, s)
	}
	for i, s := range scores {
		switch {
		case s == invalidScore:
			scores[i] = 0
		case highest == 0:
			scores[i] = framework.MaxNodeScore
		default:
			scores[i] = framework.MaxNodeScore * (highest + lowest - s) / highest
		}
	}
}
