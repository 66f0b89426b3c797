package replicaset

// Status is what the controller saw, for everyone else to read: how many pods
// it owns (replicas), how many carry all the template's labels
// (fullyLabeledReplicas), how many are ready, and how many have been ready
// for at least minReadySeconds (available). observedGeneration tells a
// reader — the Deployment controller, `kubectl rollout status` — that the
// numbers describe the current spec.

import (
	"context"
	"slices"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// calculateStatus counts pods into rs's status as of now.
func calculateStatus(rs *appsv1.ReplicaSet, pods []*corev1.Pod, now time.Time) appsv1.ReplicaSetStatus {
	st := *rs.Status.DeepCopy()
	st.Replicas = int32(len(pods))
	st.FullyLabeledReplicas, st.ReadyReplicas, st.AvailableReplicas = 0, 0, 0
	templateLabels := labels.SelectorFromSet(rs.Spec.Template.Labels)
	for _, pod := range pods {
		if templateLabels.Matches(labels.Set(pod.Labels)) {
			st.FullyLabeledReplicas++
		}
		if isReady(pod) {
			st.ReadyReplicas++
			if IsAvailable(pod, rs.Spec.MinReadySeconds, now) {
				st.AvailableReplicas++
			}
		}
	}
	st.ObservedGeneration = rs.Generation
	return st
}

// replicaFailure sets or clears the ReplicaFailure condition, as kube's
// controller does: when the API server refuses the pods it creates or
// deletes (a ResourceQuota, the sandbox's object limit), status says why,
// where `kubectl describe` and the Deployment controller read it.
func replicaFailure(st *appsv1.ReplicaSetStatus, rs *appsv1.ReplicaSet, manageErr error, now time.Time) {
	i := slices.IndexFunc(st.Conditions, func(c appsv1.ReplicaSetCondition) bool { return c.Type == appsv1.ReplicaSetReplicaFailure })
	switch {
	case manageErr != nil && i < 0:
		reason := FailedCreate
		if st.Replicas > replicas(rs) {
			reason = "FailedDelete"
		}
		st.Conditions = append(st.Conditions, appsv1.ReplicaSetCondition{Type: appsv1.ReplicaSetReplicaFailure,
			Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(now), Reason: reason, Message: manageErr.Error()})
	case manageErr == nil && i >= 0:
		st.Conditions = slices.Delete(st.Conditions, i, i+1)
	}
}

// updateStatus writes status unless it is what rs already says.
func (c *Controller) updateStatus(ctx context.Context, rs *appsv1.ReplicaSet, st appsv1.ReplicaSetStatus) (*appsv1.ReplicaSet, error) {
	if equality.Semantic.DeepEqual(rs.Status, st) {
		return rs, nil
	}
	rs = rs.DeepCopy()
	rs.Status = st
	return c.kind.updateStatus(ctx, rs)
}

func readyCondition(pod *corev1.Pod) *corev1.PodCondition {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == corev1.PodReady {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}

func isReady(pod *corev1.Pod) bool {
	c := readyCondition(pod)
	return c != nil && c.Status == corev1.ConditionTrue
}

func readySince(pod *corev1.Pod) metav1.Time {
	if c := readyCondition(pod); c != nil {
		return c.LastTransitionTime
	}
	return metav1.Time{}
}

// IsAvailable reports whether pod has been ready for minReadySeconds at now.
func IsAvailable(pod *corev1.Pod, minReadySeconds int32, now time.Time) bool {
	if !isReady(pod) {
		return false
	}
	since := readySince(pod)
	return minReadySeconds == 0 || (!since.IsZero() && since.Add(time.Duration(minReadySeconds)*time.Second).Before(now))
}
