package statefulset

// Status: what `kubectl get sts` and `kubectl rollout status` read (kube's
// computeReplicaStatus).
//
//	replicas          pods that exist
//	readyReplicas     of those, Running and Ready
//	availableReplicas … and Ready for minReadySeconds
//	currentReplicas   pods at the current revision
//	updatedReplicas   pods at the update revision
//
// When every pod is at the update revision and Ready, the rollout is done:
// the update revision becomes the current one.

import (
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	podutil "k8s.io/kubectl/pkg/util/podutils"
)

// calculateStatus counts set's pods.
func calculateStatus(set *appsv1.StatefulSet, pods []*corev1.Pod, currentRevision, updateRevision string) appsv1.StatefulSetStatus {
	st := appsv1.StatefulSetStatus{ObservedGeneration: set.Generation, CollisionCount: set.Status.CollisionCount,
		Conditions: set.Status.Conditions, CurrentRevision: currentRevision, UpdateRevision: updateRevision}
	now := metav1.NewTime(time.Now())
	for _, pod := range pods {
		st.Replicas++
		if isRunningAndReady(pod) {
			st.ReadyReplicas++
			if podutil.IsPodAvailable(pod, set.Spec.MinReadySeconds, now) {
				st.AvailableReplicas++
			}
		}
		if isTerminating(pod) {
			continue
		}
		switch revisionOf(pod) {
		case currentRevision:
			st.CurrentReplicas++
			if currentRevision == updateRevision {
				st.UpdatedReplicas++
			}
		case updateRevision:
			st.UpdatedReplicas++
		}
	}
	if set.Spec.UpdateStrategy.Type == appsv1.RollingUpdateStatefulSetStrategyType &&
		st.UpdatedReplicas == st.Replicas && st.ReadyReplicas == st.Replicas {
		st.CurrentReplicas, st.CurrentRevision = st.UpdatedReplicas, st.UpdateRevision
	}
	return st
}
