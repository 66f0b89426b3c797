package deployment

// Recreate: stop every old pod, then start the new ones. There is downtime,
// but never two versions running at once (a database schema, a singleton).
// The controller scales the old ReplicaSets to zero, waits until their pods
// are really gone (the pod informer wakes it on each deletion), and only
// then creates or grows the new ReplicaSet to spec.replicas.

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

func (c *Controller) rolloutRecreate(ctx context.Context, d *appsv1.Deployment, rsList []*appsv1.ReplicaSet) error {
	newRS, oldRSs, err := c.replicaSetsAndRevision(ctx, d, rsList, false)
	if err != nil {
		return err
	}
	allRSs := appendRS(oldRSs, newRS)
	scaledDown := false
	for _, rs := range activeReplicaSets(oldRSs) {
		if _, err := c.scaleReplicaSet(ctx, d, rs, 0); err != nil {
			return err
		}
		scaledDown = true
	}
	if scaledDown || c.oldPodsRunning(newRS, oldRSs) {
		return c.syncRolloutStatus(ctx, d, allRSs, newRS)
	}
	if newRS == nil {
		if newRS, oldRSs, err = c.replicaSetsAndRevision(ctx, d, rsList, true); err != nil {
			return err
		}
		allRSs = appendRS(oldRSs, newRS)
	}
	if _, err := c.scaleReplicaSet(ctx, d, newRS, replicas(d)); err != nil {
		return err
	}
	if deploymentComplete(d, &d.Status) {
		if err := c.cleanupDeployment(ctx, d, oldRSs); err != nil {
			return err
		}
	}
	return c.syncRolloutStatus(ctx, d, allRSs, newRS)
}

// oldPodsRunning reports whether any pod of an old ReplicaSet is still there
// and not finished.
func (c *Controller) oldPodsRunning(newRS *appsv1.ReplicaSet, oldRSs []*appsv1.ReplicaSet) bool {
	old := map[string]bool{}
	for _, rs := range oldRSs {
		if rs.Status.Replicas > 0 {
			return true
		}
		old[string(rs.UID)] = true
	}
	if len(oldRSs) == 0 {
		return false
	}
	pods, err := c.podLister.Pods(oldRSs[0].Namespace).List(labels.Everything())
	if err != nil {
		return true
	}
	for _, pod := range pods {
		ref := metav1.GetControllerOfNoCopy(pod)
		if ref == nil || !old[string(ref.UID)] || (newRS != nil && ref.UID == newRS.UID) {
			continue
		}
		if pod.Status.Phase != corev1.PodFailed && pod.Status.Phase != corev1.PodSucceeded {
			return true
		}
	}
	return false
}
