package deployment

// RollingUpdate: replace the old pods with new ones a few at a time, so the
// application keeps serving. Two limits hold at every moment:
//
//   - at most spec.replicas + maxSurge pods exist (the new ReplicaSet grows
//     only into that room);
//   - at least spec.replicas - maxUnavailable pods are available (an old
//     ReplicaSet shrinks only when enough pods are available without it).
//
// Each sync makes one move — grow the new ReplicaSet, or shrink old ones —
// and the ReplicaSet controller's pods (and the kubelet's readiness reports)
// make room for the next. Unhealthy old pods go first: scaling them down
// costs no availability.

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
)

func (c *Controller) rolloutRolling(ctx context.Context, d *appsv1.Deployment, rsList []*appsv1.ReplicaSet) error {
	newRS, oldRSs, err := c.replicaSetsAndRevision(ctx, d, rsList, true)
	if err != nil {
		return err
	}
	allRSs := appendRS(oldRSs, newRS)
	scaledUp, err := c.reconcileNewReplicaSet(ctx, d, allRSs, newRS)
	if err != nil {
		return err
	}
	if scaledUp {
		return c.syncRolloutStatus(ctx, d, allRSs, newRS)
	}
	scaledDown, err := c.reconcileOldReplicaSets(ctx, d, allRSs, activeReplicaSets(oldRSs), newRS)
	if err != nil {
		return err
	}
	if scaledDown {
		return c.syncRolloutStatus(ctx, d, allRSs, newRS)
	}
	if deploymentComplete(d, &d.Status) {
		if err := c.cleanupDeployment(ctx, d, oldRSs); err != nil {
			return err
		}
	}
	return c.syncRolloutStatus(ctx, d, allRSs, newRS)
}

// reconcileNewReplicaSet grows (or, if too big, shrinks) the new ReplicaSet.
func (c *Controller) reconcileNewReplicaSet(ctx context.Context, d *appsv1.Deployment, allRSs []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) (bool, error) {
	switch {
	case rsReplicas(newRS) == replicas(d):
		return false, nil
	case rsReplicas(newRS) > replicas(d):
		_, err := c.scaleReplicaSet(ctx, d, newRS, replicas(d))
		return err == nil, err
	}
	size := newRSReplicas(d, allRSs, newRS)
	if size == rsReplicas(newRS) {
		return false, nil
	}
	_, err := c.scaleReplicaSet(ctx, d, newRS, size)
	return err == nil, err
}

// reconcileOldReplicaSets shrinks old ReplicaSets as far as maxUnavailable allows.
func (c *Controller) reconcileOldReplicaSets(ctx context.Context, d *appsv1.Deployment, allRSs, oldRSs []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) (bool, error) {
	if specReplicas(oldRSs) == 0 {
		return false, nil
	}
	minAvailable := replicas(d) - maxUnavailable(d)
	newUnavailable := rsReplicas(newRS)
	if newRS != nil {
		newUnavailable -= newRS.Status.AvailableReplicas
	}
	maxScaledDown := specReplicas(allRSs) - minAvailable - newUnavailable
	if maxScaledDown <= 0 {
		return false, nil
	}
	oldRSs, cleaned, err := c.cleanupUnhealthyReplicas(ctx, d, oldRSs, maxScaledDown)
	if err != nil {
		return false, err
	}
	scaled, err := c.scaleDownOldReplicaSets(ctx, d, appendRS(oldRSs, newRS), oldRSs)
	if err != nil {
		return false, err
	}
	return cleaned+scaled > 0, nil
}

// cleanupUnhealthyReplicas scales down old pods that are not available,
// oldest ReplicaSet first, up to limit.
func (c *Controller) cleanupUnhealthyReplicas(ctx context.Context, d *appsv1.Deployment, oldRSs []*appsv1.ReplicaSet, limit int32) ([]*appsv1.ReplicaSet, int32, error) {
	oldRSs = append([]*appsv1.ReplicaSet(nil), oldRSs...)
	byCreation(oldRSs)
	total := int32(0)
	for i, rs := range oldRSs {
		if total >= limit {
			break
		}
		unhealthy := rsReplicas(rs) - rs.Status.AvailableReplicas
		if rsReplicas(rs) == 0 || unhealthy <= 0 {
			continue
		}
		n := min(limit-total, unhealthy)
		updated, err := c.scaleReplicaSet(ctx, d, rs, rsReplicas(rs)-n)
		if err != nil {
			return nil, 0, err
		}
		total += n
		oldRSs[i] = updated
	}
	return oldRSs, total, nil
}

// scaleDownOldReplicaSets scales old ReplicaSets down by as many pods as are
// available beyond the minimum, oldest first.
func (c *Controller) scaleDownOldReplicaSets(ctx context.Context, d *appsv1.Deployment, allRSs, oldRSs []*appsv1.ReplicaSet) (int32, error) {
	minAvailable := replicas(d) - maxUnavailable(d)
	available := availableReplicas(allRSs)
	if available <= minAvailable {
		return 0, nil
	}
	want := available - minAvailable
	byCreation(oldRSs)
	total := int32(0)
	for _, rs := range oldRSs {
		if total >= want {
			break
		}
		if rsReplicas(rs) == 0 {
			continue
		}
		n := min(rsReplicas(rs), want-total)
		if _, err := c.scaleReplicaSet(ctx, d, rs, rsReplicas(rs)-n); err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}
