package deployment

// A Deployment's status adds up its ReplicaSets: replicas (pods that exist),
// updatedReplicas (pods of the new template), readyReplicas,
// availableReplicas and unavailableReplicas. Two conditions say what it
// means:
//
//   - Available: at least spec.replicas - maxUnavailable pods are available
//     (MinimumReplicasAvailable / MinimumReplicasUnavailable);
//   - Progressing: the rollout is moving (ReplicaSetUpdated), has finished
//     (NewReplicaSetAvailable: `ReplicaSet "web-5d4f8" has successfully
//     progressed.`), or has not moved for progressDeadlineSeconds
//     (ProgressDeadlineExceeded).
//
// `kubectl rollout status` reads exactly these: it waits until
// observedGeneration has caught up, updatedReplicas = replicas = available.

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

// Condition reasons, as Kubernetes words them.
const (
	NewReplicaSetReason        = "NewReplicaSetCreated"
	FoundNewRSReason           = "FoundNewReplicaSet"
	ReplicaSetUpdatedReason    = "ReplicaSetUpdated"
	NewRSAvailableReason       = "NewReplicaSetAvailable"
	TimedOutReason             = "ProgressDeadlineExceeded"
	MinimumReplicasAvailable   = "MinimumReplicasAvailable"
	MinimumReplicasUnavailable = "MinimumReplicasUnavailable"
)

// calculateStatus adds up allRSs into d's status.
func calculateStatus(d *appsv1.Deployment, allRSs []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) appsv1.DeploymentStatus {
	available := availableReplicas(allRSs)
	st := appsv1.DeploymentStatus{
		ObservedGeneration:  d.Generation,
		Replicas:            actualReplicas(allRSs),
		UpdatedReplicas:     actualReplicas(appendRS(nil, newRS)),
		AvailableReplicas:   available,
		UnavailableReplicas: max(0, specReplicas(allRSs)-available),
		CollisionCount:      d.Status.CollisionCount,
	}
	for _, rs := range allRSs {
		st.ReadyReplicas += rs.Status.ReadyReplicas
	}
	st.Conditions = append(st.Conditions, d.Status.Conditions...)
	if available >= replicas(d)-maxUnavailable(d) {
		setCondition(&st, newCondition(appsv1.DeploymentAvailable, corev1.ConditionTrue, MinimumReplicasAvailable, "Deployment has minimum availability."))
	} else {
		setCondition(&st, newCondition(appsv1.DeploymentAvailable, corev1.ConditionFalse, MinimumReplicasUnavailable, "Deployment does not have minimum availability."))
	}
	return st
}

// syncRolloutStatus writes status and the Progressing condition after a
// rollout step.
func (c *Controller) syncRolloutStatus(ctx context.Context, d *appsv1.Deployment, allRSs []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) error {
	st := calculateStatus(d, allRSs, newRS)
	if hasProgressDeadline(d) {
		setProgressing(d, &st, newRS, time.Now())
	} else {
		removeCondition(&st, appsv1.DeploymentProgressing)
	}
	if equality.Semantic.DeepEqual(d.Status, st) {
		c.requeueStuckDeployment(d, st)
		return nil
	}
	d.Status = st
	_, err := c.updateStatus(ctx, d)
	return err
}

// setProgressing updates the Progressing condition in st.
func setProgressing(d *appsv1.Deployment, st *appsv1.DeploymentStatus, newRS *appsv1.ReplicaSet, now time.Time) {
	cur := condition(d.Status, appsv1.DeploymentProgressing)
	if st.Replicas == st.UpdatedReplicas && cur != nil && cur.Reason == NewRSAvailableReason {
		return // complete, and already said so
	}
	name := ""
	if newRS != nil {
		name = newRS.Name
	}
	switch {
	case deploymentComplete(d, st):
		setCondition(st, newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue, NewRSAvailableReason,
			rsMessage(name, "ReplicaSet %q has successfully progressed.", "Deployment has successfully progressed.")))
	case deploymentProgressing(d, st):
		cond := newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue, ReplicaSetUpdatedReason,
			rsMessage(name, "ReplicaSet %q is progressing.", "Deployment is progressing."))
		if cur != nil && cur.Status == corev1.ConditionTrue {
			cond.LastTransitionTime = cur.LastTransitionTime
		}
		removeCondition(st, appsv1.DeploymentProgressing)
		setCondition(st, cond)
	case deploymentTimedOut(d, st, now):
		setCondition(st, newCondition(appsv1.DeploymentProgressing, corev1.ConditionFalse, TimedOutReason,
			rsMessage(name, "ReplicaSet %q has timed out progressing.", fmt.Sprintf("Deployment %q has timed out progressing.", d.Name))))
	}
}

func rsMessage(rsName, withRS, without string) string {
	if rsName == "" {
		return without
	}
	return fmt.Sprintf(withRS, rsName)
}

// syncDeploymentStatus writes status without touching Progressing.
func (c *Controller) syncDeploymentStatus(ctx context.Context, d *appsv1.Deployment, allRSs []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) error {
	st := calculateStatus(d, allRSs, newRS)
	if equality.Semantic.DeepEqual(d.Status, st) {
		return nil
	}
	d.Status = st
	_, err := c.updateStatus(ctx, d)
	return err
}

// syncStatusOnly reports status for a Deployment being deleted.
func (c *Controller) syncStatusOnly(ctx context.Context, d *appsv1.Deployment, rsList []*appsv1.ReplicaSet) error {
	newRS, oldRSs, err := c.replicaSetsAndRevision(ctx, d, rsList, false)
	if err != nil {
		return err
	}
	return c.syncDeploymentStatus(ctx, d, appendRS(oldRSs, newRS), newRS)
}

// requeueStuckDeployment looks at a progressing Deployment again when its
// progress deadline would pass.
func (c *Controller) requeueStuckDeployment(d *appsv1.Deployment, st appsv1.DeploymentStatus) {
	cond := condition(st, appsv1.DeploymentProgressing)
	if !hasProgressDeadline(d) || cond == nil || cond.Reason == NewRSAvailableReason || cond.Reason == TimedOutReason {
		return
	}
	if deploymentComplete(d, &st) {
		return
	}
	after := time.Until(cond.LastUpdateTime.Add(time.Duration(*d.Spec.ProgressDeadlineSeconds) * time.Second))
	if key, err := cache.MetaNamespaceKeyFunc(d); err == nil {
		c.queue.AddAfter(key, max(after, 0)+time.Second)
	}
}

func deploymentComplete(d *appsv1.Deployment, st *appsv1.DeploymentStatus) bool {
	return st.UpdatedReplicas == replicas(d) && st.Replicas == replicas(d) &&
		st.AvailableReplicas == replicas(d) && st.ObservedGeneration >= d.Generation
}

func deploymentProgressing(d *appsv1.Deployment, st *appsv1.DeploymentStatus) bool {
	old := d.Status
	return st.UpdatedReplicas > old.UpdatedReplicas ||
		st.Replicas-st.UpdatedReplicas < old.Replicas-old.UpdatedReplicas ||
		st.ReadyReplicas > old.ReadyReplicas || st.AvailableReplicas > old.AvailableReplicas
}

func deploymentTimedOut(d *appsv1.Deployment, st *appsv1.DeploymentStatus, now time.Time) bool {
	cond := condition(*st, appsv1.DeploymentProgressing)
	if !hasProgressDeadline(d) || cond == nil || cond.Reason == NewRSAvailableReason {
		return false
	}
	if cond.Reason == TimedOutReason {
		return true
	}
	return cond.LastUpdateTime.Add(time.Duration(*d.Spec.ProgressDeadlineSeconds) * time.Second).Before(now)
}

func hasProgressDeadline(d *appsv1.Deployment) bool {
	return d.Spec.ProgressDeadlineSeconds != nil && *d.Spec.ProgressDeadlineSeconds != 1<<31-1
}

func newCondition(t appsv1.DeploymentConditionType, s corev1.ConditionStatus, reason, msg string) appsv1.DeploymentCondition {
	now := metav1.Now()
	return appsv1.DeploymentCondition{Type: t, Status: s, Reason: reason, Message: msg, LastUpdateTime: now, LastTransitionTime: now}
}

func condition(st appsv1.DeploymentStatus, t appsv1.DeploymentConditionType) *appsv1.DeploymentCondition {
	for i := range st.Conditions {
		if st.Conditions[i].Type == t {
			return &st.Conditions[i]
		}
	}
	return nil
}

// setCondition sets cond, unless the same status and reason are already
// there; the transition time is kept while the status stays the same.
func setCondition(st *appsv1.DeploymentStatus, cond appsv1.DeploymentCondition) {
	cur := condition(*st, cond.Type)
	if cur != nil && cur.Status == cond.Status && cur.Reason == cond.Reason {
		return
	}
	if cur != nil && cur.Status == cond.Status {
		cond.LastTransitionTime = cur.LastTransitionTime
	}
	removeCondition(st, cond.Type)
	st.Conditions = append(st.Conditions, cond)
}

func removeCondition(st *appsv1.DeploymentStatus, t appsv1.DeploymentConditionType) {
	var kept []appsv1.DeploymentCondition
	for _, c := range st.Conditions {
		if c.Type != t {
			kept = append(kept, c)
		}
	}
	st.Conditions = kept
}

func actualReplicas(rsList []*appsv1.ReplicaSet) int32 {
	var n int32
	for _, rs := range rsList {
		n += rs.Status.Replicas
	}
	return n
}

func availableReplicas(rsList []*appsv1.ReplicaSet) int32 {
	var n int32
	for _, rs := range rsList {
		n += rs.Status.AvailableReplicas
	}
	return n
}
