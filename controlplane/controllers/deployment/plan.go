package deployment

// The plan: before a sync writes anything, it says in one reconcile step
// what the Deployment wants, what its ReplicaSets have, and which path it
// takes — so the learner sees the decision before its consequences.

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
)

type action int

const (
	actionRollingUpdate action = iota
	actionRecreate
	actionScale
	actionStatusOnly
)

type plan struct {
	action                    action
	desired, actual, decision string
}

func (c *Controller) plan(d *appsv1.Deployment, rsList []*appsv1.ReplicaSet) plan {
	hash := ComputeHash(&d.Spec.Template, d.Status.CollisionCount)
	p := plan{
		desired: fmt.Sprintf("%d replicas of the template %s-%s", replicas(d), d.Name, hash),
		actual:  describeSizes(rsList),
	}
	newRS := findNewReplicaSet(d, rsList)
	switch {
	case d.DeletionTimestamp != nil:
		p.action, p.decision = actionStatusOnly, "being deleted: only report status"
	case d.Spec.Paused:
		p.action, p.decision = actionScale, "paused: scale without rolling out"
	case isScalingEvent(d, rsList):
		p.action, p.decision = actionScale, fmt.Sprintf("scale to %d replicas", replicas(d))
	case d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType:
		p.action, p.decision = actionRecreate, "Recreate: old ReplicaSets to 0, then the new one to "+fmt.Sprint(replicas(d))
	case newRS == nil:
		p.decision = fmt.Sprintf("RollingUpdate: create ReplicaSet %s-%s (maxSurge %d, maxUnavailable %d)", d.Name, hash, maxSurge(d), maxUnavailable(d))
	case deploymentComplete(d, &d.Status) && rsReplicas(newRS) == replicas(d) && specReplicas(rsList) == replicas(d):
		p.decision = "rolled out: nothing to move"
	default:
		p.decision = fmt.Sprintf("RollingUpdate towards %s (maxSurge %d, maxUnavailable %d)", newRS.Name, maxSurge(d), maxUnavailable(d))
	}
	return p
}
