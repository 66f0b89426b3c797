package interpodaffinity

// An affinity term names a set of pods — a label selector over some
// namespaces — and a topology key: "a pod labelled app=web, in my namespace,
// in the same kubernetes.io/hostname". Two nodes are in the same topology
// domain when they carry the same value of that key. A term with no
// namespaces and no namespaceSelector means the namespace of the pod that
// wrote it; an empty namespaceSelector ({}) means every namespace.
//
// Glassplane's plugins do not read Namespace objects, so a namespaceSelector
// with labels adds no namespaces: only the listed ones count.

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/sets"
)

// term is one parsed PodAffinityTerm, with the weight of a preferred term.
type term struct {
	namespaces    sets.Set[string]
	allNamespaces bool
	selector      labels.Selector
	topologyKey   string
	weight        int64
}

// matches reports whether pod is one of the pods the term names.
func (t term) matches(pod *corev1.Pod) bool {
	if !t.allNamespaces && !t.namespaces.Has(pod.Namespace) {
		return false
	}
	return t.selector.Matches(labels.Set(pod.Labels))
}

// newTerm parses a term written in owner's spec. A selector that does not
// parse selects nothing.
func newTerm(owner *corev1.Pod, t corev1.PodAffinityTerm, weight int32) term {
	out := term{topologyKey: t.TopologyKey, weight: int64(weight), namespaces: sets.New(t.Namespaces...)}
	if len(t.Namespaces) == 0 && t.NamespaceSelector == nil {
		out.namespaces.Insert(owner.Namespace)
	}
	if s := t.NamespaceSelector; s != nil && len(s.MatchLabels) == 0 && len(s.MatchExpressions) == 0 {
		out.allNamespaces = true
	}
	out.selector = labels.Nothing()
	if t.LabelSelector != nil {
		if sel, err := metav1.LabelSelectorAsSelector(t.LabelSelector); err == nil {
			out.selector = sel
		}
	}
	return out
}

// podTerms are the four kinds of term one pod can write.
type podTerms struct {
	required, requiredAnti   []term
	preferred, preferredAnti []term
}

// termsOf parses pod's inter-pod affinity.
func termsOf(pod *corev1.Pod) podTerms {
	var out podTerms
	a := pod.Spec.Affinity
	if a == nil {
		return out
	}
	if pa := a.PodAffinity; pa != nil {
		for _, t := range pa.RequiredDuringSchedulingIgnoredDuringExecution {
			out.required = append(out.required, newTerm(pod, t, 0))
		}
		for _, t := range pa.PreferredDuringSchedulingIgnoredDuringExecution {
			out.preferred = append(out.preferred, newTerm(pod, t.PodAffinityTerm, t.Weight))
		}
	}
	if pa := a.PodAntiAffinity; pa != nil {
		for _, t := range pa.RequiredDuringSchedulingIgnoredDuringExecution {
			out.requiredAnti = append(out.requiredAnti, newTerm(pod, t, 0))
		}
		for _, t := range pa.PreferredDuringSchedulingIgnoredDuringExecution {
			out.preferredAnti = append(out.preferredAnti, newTerm(pod, t.PodAffinityTerm, t.Weight))
		}
	}
	return out
}

// hasPodAffinity reports whether pod writes any inter-pod affinity term.
func hasPodAffinity(pod *corev1.Pod) bool {
	a := pod.Spec.Affinity
	return a != nil && (a.PodAffinity != nil || a.PodAntiAffinity != nil)
}

// matchesAll reports whether pod matches every one of terms (and there is one).
func matchesAll(pod *corev1.Pod, terms []term) bool {
	if len(terms) == 0 {
		return false
	}
	for _, t := range terms {
		if !t.matches(pod) {
			return false
		}
	}
	return true
}

// topologyPair is one topology domain: a node label key and its value.
type topologyPair struct {
	key, value string
}

// pairCounts counts pods (or terms) per topology domain.
type pairCounts map[topologyPair]int64
