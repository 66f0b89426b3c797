package daemonset

// RollingUpdate: a new template reaches the nodes a few at a time. A pod is
// up to date when its controller-revision-hash label is the hash of the
// current template. The update deletes old pods — at once if they are not
// available anyway, otherwise only while fewer than maxUnavailable of the
// DaemonSet's pods are unavailable — and the next sync's placement creates
// the new pod on each node so emptied. A node with no pod yet, or with both
// an old and a new one, counts as unavailable. (kube's rollingUpdate;
// maxSurge, which starts the new pod before the old one goes, is not
// reproduced: a DaemonSet with maxSurge and maxUnavailable 0 is updated one
// node at a time instead.)

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// maxUnavailable is spec.updateStrategy.rollingUpdate.maxUnavailable of
// desired pods, rounded up, at least 1.
func maxUnavailable(ds *appsv1.DaemonSet, desired int) int {
	n := 1
	if ru := ds.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.MaxUnavailable != nil {
		if v, err := intstr.GetScaledValueFromIntOrPercent(ru.MaxUnavailable, desired, true); err == nil {
			n = v
		}
	}
	return max(n, 1)
}

// planRollingUpdate returns the old pods to delete now, and how many pods
// are unavailable before they go.
func planRollingUpdate(ds *appsv1.DaemonSet, byNode map[string][]*corev1.Pod, hash string, desired int, now time.Time) (old []*corev1.Pod, unavailable int) {
	budget := maxUnavailable(ds, desired)
	var candidates []*corev1.Pod
	for _, pods := range byNode {
		newPod, oldPod, ok := updatedPodsOnNode(pods, hash)
		if !ok {
			continue // several pods: placement sorts that out first
		}
		switch {
		case oldPod == nil && newPod == nil, oldPod != nil && newPod != nil:
			unavailable++
		case newPod != nil:
			if !available(newPod, ds.Spec.MinReadySeconds, now) {
				unavailable++
			}
		case !available(oldPod, ds.Spec.MinReadySeconds, now):
			old = append(old, oldPod) // down anyway: replace it at once
		default:
			candidates = append(candidates, oldPod)
		}
	}
	room := min(max(budget-unavailable, 0), len(candidates))
	sort.Slice(candidates, func(i, j int) bool { return nodeOfPod(candidates[i]) < nodeOfPod(candidates[j]) })
	return append(old, candidates[:room]...), unavailable
}

// updatedPodsOnNode finds the one new and the one old pod on a node.
func updatedPodsOnNode(pods []*corev1.Pod, hash string) (newPod, oldPod *corev1.Pod, ok bool) {
	for _, p := range pods {
		if p.DeletionTimestamp != nil {
			continue
		}
		if p.Labels[appsv1.DefaultDaemonSetUniqueLabelKey] == hash {
			if newPod != nil {
				return nil, nil, false
			}
			newPod = p
		} else {
			if oldPod != nil {
				return nil, nil, false
			}
			oldPod = p
		}
	}
	return newPod, oldPod, true
}

// rollingUpdate deletes the old pods the budget allows; the node's new pod
// follows in a later sync.
func (c *Controller) rollingUpdate(ctx context.Context, key string, ds *appsv1.DaemonSet, found appsv1.DaemonSetStatus,
	byNode map[string][]*corev1.Pod, hash string, now time.Time) (bool, error) {
	desired := int(found.DesiredNumberScheduled)
	old, unavailable := planRollingUpdate(ds, byNode, hash, desired, now)
	budget := maxUnavailable(ds, desired)
	if len(old) == 0 {
		if int(found.UpdatedNumberScheduled) < int(found.CurrentNumberScheduled) {
			c.decide(ctx, ds, found, fmt.Sprintf("RollingUpdate: wait for %d unavailable pods (maxUnavailable %d)", unavailable, budget))
			return true, nil
		}
		return false, nil
	}
	c.expectations.Expect(key, 0, podKeys(old))
	wctx := c.decide(ctx, ds, found, fmt.Sprintf("RollingUpdate: replace the old pods on %s (maxUnavailable %d)",
		strings.Join(nodesOf(old), ", "), budget))
	return true, c.deletePods(wctx, key, ds, old)
}
