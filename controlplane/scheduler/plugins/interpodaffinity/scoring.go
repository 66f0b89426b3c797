package interpodaffinity

// Scoring: the preferred terms, each with a weight from 1 to 100. PreScore
// walks every pod on every node once and adds, to the topology domain of
// that pod's node:
//
//   - +weight for each preferred affinity term of the incoming pod the pod
//     matches, −weight for each preferred anti-affinity term;
//   - +1 (kube's hardPodAffinityWeight) for each required affinity term of
//     the pod that the incoming pod matches, and ±weight for its preferred
//     terms that do — a pod that wants company attracts it.
//
// A node's score is the sum over the domains it is in; normalizing maps the
// lowest sum to 0 and the highest to 100. A pod for which no term counts
// anywhere is not scored at all.

import (
	"math"

	corev1 "k8s.io/api/core/v1"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

// hardPodAffinityWeight is kube-scheduler's default for what an existing
// pod's required affinity term counts when the incoming pod matches it.
const hardPodAffinityWeight = 1

// preScoreKey is the key of the scores in the cycle's state.
const preScoreKey = "PreScore" + Name

// topologyScore sums weights per topology key and value.
type topologyScore map[string]map[string]int64

func (m topologyScore) add(t term, pod *corev1.Pod, node *corev1.Node, weight int64) {
	if !t.matches(pod) {
		return
	}
	value, ok := node.Labels[t.topologyKey]
	if !ok {
		return
	}
	if m[t.topologyKey] == nil {
		m[t.topologyKey] = map[string]int64{}
	}
	m[t.topologyKey][value] += weight
}

// PreScore sums the weights per topology domain; it sits the pod out when
// nothing counts.
func (*InterPodAffinity) PreScore(pod *framework.PodInfo, _, all []*framework.NodeInfo) bool {
	incoming := termsOf(pod.Pod)
	scores := topologyScore{}
	for _, n := range all {
		if n.Node == nil {
			continue
		}
		for _, existing := range n.Pods {
			for _, t := range incoming.preferred {
				scores.add(t, existing, n.Node, t.weight)
			}
			for _, t := range incoming.preferredAnti {
				scores.add(t, existing, n.Node, -t.weight)
			}
			if !hasPodAffinity(existing) {
				continue
			}
			theirs := termsOf(existing)
			for _, t := range theirs.required {
				scores.add(t, pod.Pod, n.Node, hardPodAffinityWeight)
			}
			for _, t := range theirs.preferred {
				scores.add(t, pod.Pod, n.Node, t.weight)
			}
			for _, t := range theirs.preferredAnti {
				scores.add(t, pod.Pod, n.Node, -t.weight)
			}
		}
	}
	pod.State[preScoreKey] = scores
	return len(scores) > 0
}

// Score sums the weights of the domains node is in.
func (*InterPodAffinity) Score(pod *framework.PodInfo, node *framework.NodeInfo) int64 {
	scores, _ := pod.State[preScoreKey].(topologyScore)
	var sum int64
	for key, values := range scores {
		if value, ok := node.Node.Labels[key]; ok {
			sum += values[value]
		}
	}
	return sum
}

// NormalizeScore maps the lowest sum to 0 and the highest to 100 (sums may
// be negative, so this is not DefaultNormalizeScore).
func (*InterPodAffinity) NormalizeScore(scores []int64) {
	lowest, highest := int64(math.MaxInt64), int64(math.MinInt64)
	for _, s := range scores {
		lowest, highest = min(lowest, s), max(highest, s)
	}
	spread := highest - lowest
	for i, s := range scores {
		if spread <= 0 {
			scores[i] = 0
			continue
		}
		scores[i] = framework.MaxNodeScore * (s - lowest) / spread
	}
}
