package daemonset

// Status: what the DaemonSet's table shows (kube's updateDaemonSetStatus).
//
//	desiredNumberScheduled   nodes that should run the pod
//	currentNumberScheduled   of those, nodes that have it
//	numberMisscheduled       nodes that have it but should not
//	numberReady              nodes whose (oldest) pod is Ready
//	numberAvailable          … and has been for minReadySeconds
//	updatedNumberScheduled   nodes whose pod runs the current template
//	numberUnavailable        desired − available
//
// A node that stopped answering carries the unreachable NoSchedule taint,
// which daemon pods do not tolerate: it no longer counts as desired, and its
// pod, which stays, counts as misscheduled until the node is back.

import (
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	podutil "k8s.io/kubectl/pkg/util/podutils"
)

// calculateStatus counts ds's pods on nodes at now.
func calculateStatus(ds *appsv1.DaemonSet, nodes []*corev1.Node, byNode map[string][]*corev1.Pod, hash string, now time.Time) appsv1.DaemonSetStatus {
	st := appsv1.DaemonSetStatus{ObservedGeneration: ds.Generation, CollisionCount: ds.Status.CollisionCount,
		Conditions: ds.Status.Conditions}
	for _, node := range nodes {
		shouldRun, _ := nodeShouldRunDaemonPod(node, &ds.Spec.Template)
		pods := byNode[node.Name]
		if !shouldRun {
			if len(pods) > 0 {
				st.NumberMisscheduled++
			}
			continue
		}
		st.DesiredNumberScheduled++
		if len(pods) == 0 {
			continue
		}
		st.CurrentNumberScheduled++
		pod := pods[0] // the oldest
		if podutil.IsPodReady(pod) {
			st.NumberReady++
			if available(pod, ds.Spec.MinReadySeconds, now) {
				st.NumberAvailable++
			}
		}
		if pod.Labels[appsv1.DefaultDaemonSetUniqueLabelKey] == hash {
			st.UpdatedNumberScheduled++
		}
	}
	st.NumberUnavailable = max(st.DesiredNumberScheduled-st.NumberAvailable, 0)
	return st
}

// available: Ready for at least minReadySeconds.
func available(pod *corev1.Pod, minReadySeconds int32, now time.Time) bool {
	return podutil.IsPodAvailable(pod, minReadySeconds, metav1.NewTime(now))
}
