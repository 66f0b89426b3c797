package statefulset

// What one sync does (kube's StatefulSetControl, one step at a time).
//
// With podManagementPolicy OrderedReady the set moves one pod at a time, in
// order, and never past a pod that is not well:
//
//  1. ordinals 0…N−1, lowest first: a missing pod is created, a failed one
//     deleted (to be created again); then the sync stops, and so does it at
//     a pod that is terminating or not yet Running and Ready. web-1 is
//     created only once web-0 is Running and Ready.
//  2. ordinals ≥ N (scale down), highest first: one pod is deleted, and the
//     next only once it is gone.
//  3. RollingUpdate, highest ordinal first, down to the partition: the first
//     pod not at the update revision is deleted (step 1 creates it again
//     from the new template); a pod at it that is not yet healthy is waited
//     for. Pods below the partition keep the current revision.
//
// With Parallel, steps 1 and 2 create and delete every pod at once and wait
// for none; step 3 is the same.

import (
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// step is what a sync decided.
type step struct {
	create []int         // ordinals to create
	delete []*corev1.Pod // pods to delete
	failed bool          // the pods deleted have failed, to be created again
	wait   string        // the pod the set waits for, and for what
	// rollingTo is the update revision, when the step rolls a pod to it.
	rollingTo string
}

func (s step) empty() bool { return len(s.create) == 0 && len(s.delete) == 0 && s.wait == "" }

// partition is the ordinal from which RollingUpdate replaces pods.
func partition(set *appsv1.StatefulSet) int {
	if ru := set.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.Partition != nil {
		return int(*ru.Partition)
	}
	return 0
}

func replicas(set *appsv1.StatefulSet) int {
	if set.Spec.Replicas == nil {
		return 1
	}
	return int(*set.Spec.Replicas)
}

// splitByOrdinal sorts pods into the ordinals 0…N−1 (nil where missing) and
// the condemned, highest ordinal first.
func splitByOrdinal(set *appsv1.StatefulSet, pods []*corev1.Pod) (ordinals []*corev1.Pod, condemned []*corev1.Pod) {
	ordinals = make([]*corev1.Pod, replicas(set))
	for _, p := range pods {
		_, i := parentAndOrdinal(p.Name)
		switch {
		case i < 0:
		case i < len(ordinals):
			ordinals[i] = p
		default:
			condemned = append(condemned, p)
		}
	}
	sort.Slice(condemned, func(a, b int) bool {
		_, i := parentAndOrdinal(condemned[a].Name)
		_, j := parentAndOrdinal(condemned[b].Name)
		return i > j
	})
	return ordinals, condemned
}

// planStep decides the sync's step for set's pods.
func planStep(set *appsv1.StatefulSet, pods []*corev1.Pod, updateRevision string) step {
	ordered := set.Spec.PodManagementPolicy != appsv1.ParallelPodManagement
	ordinals, condemned := splitByOrdinal(set, pods)
	var s step
	for i, pod := range ordinals {
		switch {
		case pod == nil:
			s.create = append(s.create, i)
		case isFinished(pod) && !isTerminating(pod):
			s.delete, s.failed = append(s.delete, pod), true
		case isTerminating(pod):
			s.wait = pod.Name + " to terminate"
		case !isRunningAndReady(pod):
			s.wait = pod.Name + " to be Running and Ready"
		default:
			continue
		}
		if ordered {
			return s
		}
		s.wait = ""
	}
	for k, pod := range condemned {
		if isTerminating(pod) {
			if ordered {
				s.wait = pod.Name + " to terminate"
				return s
			}
			continue
		}
		if ordered {
			for _, other := range condemned[k+1:] {
				if !isHealthy(other) && !isTerminating(other) {
					s.wait = other.Name + " to be Running and Ready"
					return s
				}
			}
		}
		s.delete = append(s.delete, pod)
		if ordered {
			return s
		}
	}
	if !s.empty() || set.Spec.UpdateStrategy.Type != appsv1.RollingUpdateStatefulSetStrategyType {
		return s
	}
	for i := len(ordinals) - 1; i >= partition(set); i-- {
		pod := ordinals[i]
		if revisionOf(pod) != updateRevision && !isTerminating(pod) {
			s.delete, s.rollingTo = []*corev1.Pod{pod}, updateRevision
			return s
		}
		if !isHealthy(pod) {
			s.wait = pod.Name + " to be Running and Ready"
			return s
		}
	}
	return s
}

// decision is the sentence a reconcile step shows for s.
func decision(set *appsv1.StatefulSet, s step) string {
	var created []string
	for _, i := range s.create {
		created = append(created, podName(set, i))
	}
	deleted := names(s.delete)
	switch {
	case s.rollingTo != "":
		return fmt.Sprintf("RollingUpdate: delete %s to create it again at revision %s", deleted, s.rollingTo)
	case len(created) > 0 && len(s.delete) > 0:
		return fmt.Sprintf("create %s; delete %s", strings.Join(created, ", "), deleted)
	case len(created) == 1:
		return "create pod " + created[0]
	case len(created) > 1:
		return fmt.Sprintf("create %s at once", strings.Join(created, ", "))
	case len(s.delete) == 1 && s.failed:
		return fmt.Sprintf("delete failed pod %s to create it again", deleted)
	case len(s.delete) == 1:
		return "delete pod " + deleted
	case len(s.delete) > 1:
		return fmt.Sprintf("delete %s at once", deleted)
	case s.wait != "":
		return "wait for " + s.wait
	}
	return ""
}

// names lists pods' names for a decision.
func names(pods []*corev1.Pod) string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Name)
	}
	return strings.Join(out, ", ")
}
