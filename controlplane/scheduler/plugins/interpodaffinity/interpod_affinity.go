// Package interpodaffinity is the plugin that places a pod by the pods
// already running: "put me where a cache pod is" (podAffinity) or "never
// where another web pod is" (podAntiAffinity), within a topology domain —
// the same node (kubernetes.io/hostname), the same zone, any node label.
//
// Unlike the other filters it cannot judge a node by looking at that node
// alone: a zone is many nodes. So PreFilter looks at every pod on every node
// once per cycle and counts, per topology domain (terms.go):
//
//   - the pods that match all of the incoming pod's required affinity terms;
//   - the pods that match one of its required anti-affinity terms;
//   - the existing pods whose own required anti-affinity terms match the
//     incoming pod — anti-affinity works both ways.
//
// Filter then reads the node's domains off those counts, with kube's
// reasons: a node in no domain with a matching pod "didn't match pod
// affinity rules" (UnschedulableAndUnresolvable: evicting pods would not
// bring one); a node whose domain holds a pod the incoming one repels
// "didn't match pod anti-affinity rules", and one whose domain holds a pod
// that repels the incoming one "didn't satisfy existing pods anti-affinity
// rules" (both Unschedulable: evicting that pod would make room). The first
// pod of a group that is affine to itself may go anywhere, or it could
// never start. The preferred terms are scored (scoring.go).
package interpodaffinity

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

// Name is the plugin's name in kube-scheduler's configuration.
const Name = "InterPodAffinity"

// kube-scheduler's reasons.
const (
	ErrReasonAffinityRulesNotMatch             = "node(s) didn't match pod affinity rules"
	ErrReasonAntiAffinityRulesNotMatch         = "node(s) didn't match pod anti-affinity rules"
	ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules"
)

// InterPodAffinity filters and scores nodes by the pods on them and near them.
type InterPodAffinity struct{}

// New returns the plugin.
func New() *InterPodAffinity { return &InterPodAffinity{} }

// Name returns the plugin's name.
func (*InterPodAffinity) Name() string { return Name }

// preFilterState is what PreFilter counted for Filter.
type preFilterState struct {
	terms        podTerms   // the incoming pod's
	affinity     pairCounts // pods matching all its required affinity terms
	antiAffinity pairCounts // pods matching one of its required anti-affinity terms
	existingAnti pairCounts // pods whose required anti-affinity matches it
}

// PreFilter counts, per topology domain, the pods the incoming pod's required
// terms name and the pods whose anti-affinity names it.
func (*InterPodAffinity) PreFilter(pod *framework.PodInfo, nodes []*framework.NodeInfo) *framework.Status {
	s := &preFilterState{terms: termsOf(pod.Pod), affinity: pairCounts{}, antiAffinity: pairCounts{}, existingAnti: pairCounts{}}
	for _, n := range nodes {
		if n.Node == nil {
			continue
		}
		for _, existing := range n.Pods {
			s.count(pod.Pod, existing, n.Node)
		}
	}
	pod.State[Name] = s
	return nil
}

// count adds what one existing pod on node means for the incoming pod.
func (s *preFilterState) count(incoming, existing *corev1.Pod, node *corev1.Node) {
	add := func(counts pairCounts, key string) {
		if value, ok := node.Labels[key]; ok {
			counts[topologyPair{key, value}]++
		}
	}
	if hasPodAffinity(existing) {
		for _, t := range termsOf(existing).requiredAnti {
			if t.matches(incoming) {
				add(s.existingAnti, t.topologyKey)
			}
		}
	}
	if matchesAll(existing, s.terms.required) {
		for _, t := range s.terms.required {
			add(s.affinity, t.topologyKey)
		}
	}
	for _, t := range s.terms.requiredAnti {
		if t.matches(existing) {
			add(s.antiAffinity, t.topologyKey)
		}
	}
}

// Filter refuses a node whose domains break the incoming pod's required
// affinity or anti-affinity, or an existing pod's anti-affinity.
func (*InterPodAffinity) Filter(pod *framework.PodInfo, node *framework.NodeInfo) *framework.Status {
	s, ok := pod.State[Name].(*preFilterState)
	if !ok {
		return nil // PreFilter did not run: nothing was counted
	}
	if !s.satisfiesAffinity(pod.Pod, node.Node) {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonAffinityRulesNotMatch)
	}
	if !s.satisfiesAntiAffinity(node.Node) {
		return framework.NewStatus(framework.Unschedulable, ErrReasonAntiAffinityRulesNotMatch)
	}
	if !s.satisfiesExistingAntiAffinity(node.Node) {
		return framework.NewStatus(framework.Unschedulable, ErrReasonExistingAntiAffinityRulesNotMatch)
	}
	return nil
}

// satisfiesAffinity: every required affinity term finds a matching pod in
// node's domain — or no pod anywhere matches, and the pod matches its own
// terms (the first of a group that wants to be together).
func (s *preFilterState) satisfiesAffinity(pod *corev1.Pod, node *corev1.Node) bool {
	found := true
	for _, t := range s.terms.required {
		value, ok := node.Labels[t.topologyKey]
		if !ok {
			return false // the node is in no domain of this key
		}
		if s.affinity[topologyPair{t.topologyKey, value}] <= 0 {
			found = false
		}
	}
	if found {
		return true
	}
	return len(s.affinity) == 0 && matchesAll(pod, s.terms.required)
}

// satisfiesAntiAffinity: no pod the incoming pod repels is in node's domain.
func (s *preFilterState) satisfiesAntiAffinity(node *corev1.Node) bool {
	for _, t := range s.terms.requiredAnti {
		if value, ok := node.Labels[t.topologyKey]; ok && s.antiAffinity[topologyPair{t.topologyKey, value}] > 0 {
			return false
		}
	}
	return true
}

// satisfiesExistingAntiAffinity: no pod in node's domains repels the
// incoming pod.
func (s *preFilterState) satisfiesExistingAntiAffinity(node *corev1.Node) bool {
	if len(s.existingAnti) == 0 {
		return true
	}
	for key, value := range node.Labels {
		if s.existingAnti[topologyPair{key, value}] > 0 {
			return false
		}
	}
	return true
}
