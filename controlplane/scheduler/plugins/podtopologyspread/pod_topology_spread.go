// Package podtopologyspread is the plugin that spreads a group of pods evenly
// over topology domains — nodes (kubernetes.io/hostname), zones, any node
// label — as the pod's spec.topologySpreadConstraints ask.
//
// The skew of a domain is how many more matching pods it would hold than
// the emptiest domain, if the pod went there:
//
//	skew = pods in the node's domain + 1 (if the pod matches its own selector)
//	       − pods in the emptiest domain
//
// (the emptiest counts as 0 while there are fewer domains than minDomains).
// A constraint with whenUnsatisfiable: DoNotSchedule is a rule: the filter
// refuses a node whose skew would exceed maxSkew ("node(s) didn't match pod
// topology spread constraints", Unschedulable) and a node without the
// topology key ("... (missing required label)", UnschedulableAndUnresolvable).
// ScheduleAnyway is a wish: the score prefers the domains with fewer
// matching pods (scoring.go).
//
// Like inter-pod affinity, the plugin judges a node by the pods on other
// nodes, so PreFilter counts the matching pods per domain once per cycle.
// Kubernetes also spreads pods that state no constraint, by cluster-wide
// default constraints built from their Service or ReplicaSet; Glassplane
// does not, so only the constraints a pod writes count.
package podtopologyspread

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

// Name is the plugin's name in kube-scheduler's configuration.
const Name = "PodTopologySpread"

// kube-scheduler's reasons.
const (
	ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints"
	ErrReasonNodeLabelNotMatch   = ErrReasonConstraintsNotMatch + " (missing required label)"
)

// PodTopologySpread filters and scores nodes by how evenly matching pods
// are spread.
type PodTopologySpread struct{}

// New returns the plugin.
func New() *PodTopologySpread { return &PodTopologySpread{} }

// Name returns the plugin's name.
func (*PodTopologySpread) Name() string { return Name }

// preFilterState is what PreFilter counted for Filter: per DoNotSchedule
// constraint, the matching pods per domain value.
type preFilterState struct {
	constraints []constraint
	counts      []map[string]int64
}

// PreFilter counts, for each DoNotSchedule constraint, the matching pods in
// each domain of the nodes that count.
func (*PodTopologySpread) PreFilter(pod *framework.PodInfo, nodes []*framework.NodeInfo) *framework.Status {
	s := &preFilterState{constraints: constraintsOf(pod.Pod, corev1.DoNotSchedule)}
	s.counts = make([]map[string]int64, len(s.constraints))
	for i := range s.counts {
		s.counts[i] = map[string]int64{}
	}
	if len(s.constraints) > 0 {
		affinity := nodeaffinity.GetRequiredNodeAffinity(pod.Pod)
		for _, n := range nodes {
			if n.Node == nil || !hasAllKeys(n.Node, s.constraints) {
				continue
			}
			for i, c := range s.constraints {
				if c.includes(pod.Pod, n.Node, affinity) {
					s.counts[i][n.Node.Labels[c.topologyKey]] += countMatching(n.Pods, c, pod.Namespace)
				}
			}
		}
	}
	pod.State[Name] = s
	return nil
}

// Filter refuses a node that lacks a constraint's topology key, or where
// the pod would make its domain more than maxSkew fuller than the emptiest.
func (*PodTopologySpread) Filter(pod *framework.PodInfo, node *framework.NodeInfo) *framework.Status {
	s, ok := pod.State[Name].(*preFilterState)
	if !ok {
		return nil // PreFilter did not run: nothing was counted
	}
	for i, c := range s.constraints {
		value, ok := node.Node.Labels[c.topologyKey]
		if !ok {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonNodeLabelNotMatch)
		}
		var self int64
		if c.selector.Matches(labels.Set(pod.Labels)) {
			self = 1
		}
		if skew := s.counts[i][value] + self - s.emptiest(i); skew > c.maxSkew {
			return framework.NewStatus(framework.Unschedulable, ErrReasonConstraintsNotMatch)
		}
	}
	return nil
}

// emptiest is the fewest matching pods in one domain of constraint i, or 0
// while there are fewer domains than minDomains.
func (s *preFilterState) emptiest(i int) int64 {
	counts := s.counts[i]
	if int64(len(counts)) < s.constraints[i].minDomains {
		return 0
	}
	first := true
	var fewest int64
	for _, n := range counts {
		if first || n < fewest {
			fewest, first = n, false
		}
	}
	return fewest
}
