package replicaset

// Which pods to delete when there are too many. Kubernetes ranks a
// ReplicaSet's pods so that scaling down hurts as little as possible
// (ActivePods in pkg/controller): first the pods that do no work yet, then
// the ones that do the least. In order, a pod goes first when it is
//
//  1. not yet scheduled to a node;
//  2. Pending, before Unknown, before Running;
//  3. not ready, before ready;
//  4. on a node crowded with more of its siblings;
//  5. ready for a shorter time;
//  6. restarted more often;
//  7. newer.

import (
	"sort"

	corev1 "k8s.io/api/core/v1"
)

// podsToDelete returns the n pods of pods that matter least.
func podsToDelete(pods []*corev1.Pod, n int) []*corev1.Pod {
	if n >= len(pods) {
		return pods
	}
	onNode := map[string]int{}
	for _, p := range pods {
		if p.Spec.NodeName != "" {
			onNode[p.Spec.NodeName]++
		}
	}
	ranked := make([]*corev1.Pod, len(pods))
	copy(ranked, pods)
	sort.SliceStable(ranked, func(i, j int) bool {
		return deleteFirst(ranked[i], ranked[j], onNode)
	})
	return ranked[:n]
}

// deleteFirst reports whether a should be deleted before b.
func deleteFirst(a, b *corev1.Pod, onNode map[string]int) bool {
	if (a.Spec.NodeName == "") != (b.Spec.NodeName == "") {
		return a.Spec.NodeName == ""
	}
	if pa, pb := phaseOrder(a.Status.Phase), phaseOrder(b.Status.Phase); pa != pb {
		return pa < pb
	}
	if ra, rb := isReady(a), isReady(b); ra != rb {
		return !ra
	}
	if na, nb := onNode[a.Spec.NodeName], onNode[b.Spec.NodeName]; na != nb {
		return na > nb
	}
	if isReady(a) {
		ta, tb := readySince(a), readySince(b)
		if !ta.Equal(&tb) {
			return tb.Before(&ta)
		}
	}
	if ra, rb := restarts(a), restarts(b); ra != rb {
		return ra > rb
	}
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return b.CreationTimestamp.Before(&a.CreationTimestamp)
	}
	return a.Name > b.Name
}

func phaseOrder(p corev1.PodPhase) int {
	switch p {
	case corev1.PodPending:
		return 0
	case corev1.PodUnknown:
		return 1
	case corev1.PodRunning:
		return 2
	}
	return 3
}

func restarts(p *corev1.Pod) int32 {
	var n int32
	for _, s := range p.Status.ContainerStatuses {
		n = max(n, s.RestartCount)
	}
	return n
}
