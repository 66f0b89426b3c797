package deployment

// Scaling. When only spec.replicas changes (`kubectl scale`), the controller
// does not roll anything out: it resizes. With one active ReplicaSet that one
// takes the new size. In the middle of a rollout, several ReplicaSets are
// active, and the new replicas (or the removed ones) are shared out in
// proportion to each ReplicaSet's size — Kubernetes' proportional scaling —
// with any rounding leftover going to the largest.
//
// maxSurge and maxUnavailable ("25%" or a number) are resolved against
// spec.replicas: surge rounds up, unavailable rounds down, and if both come to
// zero, one pod may be unavailable, or the rollout could never move.

import (
	"context"
	"fmt"
	"math"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func replicas(d *appsv1.Deployment) int32 {
	if d.Spec.Replicas == nil {
		return 1
	}
	return *d.Spec.Replicas
}

func rsReplicas(rs *appsv1.ReplicaSet) int32 {
	if rs == nil || rs.Spec.Replicas == nil {
		return 0
	}
	return *rs.Spec.Replicas
}

func isRollingUpdate(d *appsv1.Deployment) bool {
	return d.Spec.Strategy.Type == appsv1.RollingUpdateDeploymentStrategyType
}

// resolveFenceposts turns maxSurge and maxUnavailable into pod counts.
func resolveFenceposts(d *appsv1.Deployment) (surge, unavailable int32) {
	var s, u *intstr.IntOrString
	if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
		s, u = ru.MaxSurge, ru.MaxUnavailable
	}
	desired := int(replicas(d))
	sv, _ := intstr.GetScaledValueFromIntOrPercent(intstr.ValueOrDefault(s, intstr.FromInt32(0)), desired, true)
	uv, _ := intstr.GetScaledValueFromIntOrPercent(intstr.ValueOrDefault(u, intstr.FromInt32(0)), desired, false)
	if sv == 0 && uv == 0 {
		uv = 1
	}
	return int32(sv), int32(uv)
}

func maxSurge(d *appsv1.Deployment) int32 {
	if !isRollingUpdate(d) {
		return 0
	}
	s, _ := resolveFenceposts(d)
	return s
}

func maxUnavailable(d *appsv1.Deployment) int32 {
	if !isRollingUpdate(d) || replicas(d) == 0 {
		return 0
	}
	_, u := resolveFenceposts(d)
	return min(u, replicas(d))
}

// newRSReplicas is how big the new ReplicaSet may be now.
func newRSReplicas(d *appsv1.Deployment, allRSs []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) int32 {
	if !isRollingUpdate(d) {
		return replicas(d)
	}
	current := specReplicas(allRSs)
	maxTotal := replicas(d) + maxSurge(d)
	if current >= maxTotal {
		return rsReplicas(newRS) // no room to surge
	}
	up := min(maxTotal-current, replicas(d)-rsReplicas(newRS))
	return rsReplicas(newRS) + up
}

// isScalingEvent reports whether d's replica count differs from what its
// active ReplicaSets were last scaled for.
func isScalingEvent(d *appsv1.Deployment, rsList []*appsv1.ReplicaSet) bool {
	for _, rs := range activeReplicaSets(rsList) {
		if desired, ok := intAnnotation(rs, DesiredReplicasAnnotation); ok && desired != replicas(d) {
			return true
		}
	}
	return false
}

// sync scales d's ReplicaSets and reports status: the path for a scaling
// event and a paused Deployment.
func (c *Controller) sync(ctx context.Context, d *appsv1.Deployment, rsList []*appsv1.ReplicaSet) error {
	newRS, oldRSs, err := c.replicaSetsAndRevision(ctx, d, rsList, false)
	if err != nil {
		return err
	}
	if err := c.scale(ctx, d, newRS, oldRSs); err != nil {
		return err
	}
	if d.Spec.Paused {
		if err := c.cleanupDeployment(ctx, d, oldRSs); err != nil {
			return err
		}
	}
	return c.syncDeploymentStatus(ctx, d, appendRS(oldRSs, newRS), newRS)
}

// scale gives d's ReplicaSets sizes that add up to spec.replicas (plus the
// surge, in a rollout).
func (c *Controller) scale(ctx context.Context, d *appsv1.Deployment, newRS *appsv1.ReplicaSet, oldRSs []*appsv1.ReplicaSet) error {
	if rs := activeOrLatest(newRS, oldRSs); rs != nil {
		if rsReplicas(rs) == replicas(d) {
			return nil
		}
		_, err := c.scaleReplicaSet(ctx, d, rs, replicas(d))
		return err
	}
	if isSaturated(d, newRS) {
		for _, old := range activeReplicaSets(oldRSs) {
			if _, err := c.scaleReplicaSet(ctx, d, old, 0); err != nil {
				return err
			}
		}
		return nil
	}
	if !isRollingUpdate(d) {
		return nil
	}
	active := activeReplicaSets(appendRS(oldRSs, newRS))
	for i, size := range proportionalSizes(d, active) {
		if _, err := c.scaleReplicaSet(ctx, d, active[i], size); err != nil {
			return err
		}
	}
	return nil
}

// proportionalSizes shares the difference between the allowed and current
// replicas among active ReplicaSets in proportion to their sizes. It sorts
// active (largest first) and returns the new size of each.
func proportionalSizes(d *appsv1.Deployment, active []*appsv1.ReplicaSet) []int32 {
	allowed := int32(0)
	if replicas(d) > 0 {
		allowed = replicas(d) + maxSurge(d)
	}
	toAdd := allowed - specReplicas(active)
	sort.SliceStable(active, func(i, j int) bool {
		a, b := active[i], active[j]
		if rsReplicas(a) != rsReplicas(b) {
			return rsReplicas(a) > rsReplicas(b)
		}
		if toAdd > 0 {
			return olderThan(b, a) // scaling up: newer first
		}
		return olderThan(a, b)
	})
	sizes := make([]int32, len(active))
	added := int32(0)
	for i, rs := range active {
		p := proportion(d, rs, toAdd, added)
		sizes[i] = rsReplicas(rs) + p
		added += p
	}
	if len(active) > 0 && toAdd != 0 {
		sizes[0] = max(0, sizes[0]+toAdd-added) // leftovers to the largest
	}
	return sizes
}

// proportion is rs's share of toAdd, given that added is already shared.
func proportion(d *appsv1.Deployment, rs *appsv1.ReplicaSet, toAdd, added int32) int32 {
	if rsReplicas(rs) == 0 || toAdd == 0 || toAdd == added {
		return 0
	}
	fraction := fractionOf(d, rs)
	if toAdd > 0 {
		return min(fraction, toAdd-added)
	}
	return max(fraction, toAdd-added)
}

func fractionOf(d *appsv1.Deployment, rs *appsv1.ReplicaSet) int32 {
	if replicas(d) == 0 {
		return -rsReplicas(rs)
	}
	target := replicas(d) + maxSurge(d)
	annotated, ok := intAnnotation(rs, MaxReplicasAnnotation)
	if !ok || annotated == 0 {
		annotated = d.Status.Replicas
	}
	if annotated == 0 {
		return 0
	}
	size := float64(rsReplicas(rs)*target) / float64(annotated)
	return int32(math.Round(size)) - rsReplicas(rs)
}

// scaleReplicaSet sets rs's size (and its replica annotations) and
// records a ScalingReplicaSet event. It returns the updated ReplicaSet.
func (c *Controller) scaleReplicaSet(ctx context.Context, d *appsv1.Deployment, rs *appsv1.ReplicaSet, size int32) (*appsv1.ReplicaSet, error) {
	resize := rsReplicas(rs) != size
	if !resize && !replicasAnnotationsNeedUpdate(rs, replicas(d), replicas(d)+maxSurge(d)) {
		return rs, nil
	}
	from := rsReplicas(rs)
	rs = rs.DeepCopy()
	rs.Spec.Replicas = &size
	setReplicasAnnotations(rs, replicas(d), replicas(d)+maxSurge(d))
	updated, err := c.client.AppsV1().ReplicaSets(rs.Namespace).Update(ctx, rs, metav1.UpdateOptions{})
	if err != nil {
		return nil, err
	}
	if resize {
		dir := "up"
		if size < from {
			dir = "down"
		}
		c.eventRecorder.Eventf(d, corev1.EventTypeNormal, ScalingReplicaSet, "Scaled %s replica set %s from %d to %d", dir, rs.Name, from, size)
	}
	return updated, nil
}

// activeOrLatest returns the one active ReplicaSet, or the newest if none is
// active; nil if several are.
func activeOrLatest(newRS *appsv1.ReplicaSet, oldRSs []*appsv1.ReplicaSet) *appsv1.ReplicaSet {
	if newRS == nil && len(oldRSs) == 0 {
		return nil
	}
	newestFirst := append([]*appsv1.ReplicaSet(nil), oldRSs...)
	sort.SliceStable(newestFirst, func(i, j int) bool { return olderThan(newestFirst[j], newestFirst[i]) })
	switch active := activeReplicaSets(appendRS(newestFirst, newRS)); len(active) {
	case 0:
		if newRS != nil {
			return newRS
		}
		return newestFirst[0]
	case 1:
		return active[0]
	}
	return nil
}

// isSaturated: the new ReplicaSet has all of d's replicas, available.
func isSaturated(d *appsv1.Deployment, rs *appsv1.ReplicaSet) bool {
	if rs == nil {
		return false
	}
	desired, ok := intAnnotation(rs, DesiredReplicasAnnotation)
	return ok && rsReplicas(rs) == replicas(d) && desired == replicas(d) && rs.Status.AvailableReplicas == replicas(d)
}

func activeReplicaSets(rsList []*appsv1.ReplicaSet) []*appsv1.ReplicaSet {
	var out []*appsv1.ReplicaSet
	for _, rs := range rsList {
		if rsReplicas(rs) > 0 {
			out = append(out, rs)
		}
	}
	return out
}

func appendRS(rsList []*appsv1.ReplicaSet, rs *appsv1.ReplicaSet) []*appsv1.ReplicaSet {
	out := append([]*appsv1.ReplicaSet(nil), rsList...)
	if rs != nil {
		out = append(out, rs)
	}
	return out
}

func specReplicas(rsList []*appsv1.ReplicaSet) int32 {
	var n int32
	for _, rs := range rsList {
		n += rsReplicas(rs)
	}
	return n
}

func describeSizes(rsList []*appsv1.ReplicaSet) string {
	if len(rsList) == 0 {
		return "no ReplicaSets"
	}
	s := ""
	for i, rs := range rsList {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s: %d (%d available)", rs.Name, rsReplicas(rs), rs.Status.AvailableReplicas)
	}
	return s
}
