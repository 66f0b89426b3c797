package deployment

// A Deployment's ReplicaSets: which are its own (claimReplicaSets), which one
// runs the current template (the new one), and — when none does — making it.

import (
	"context"
	"fmt"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"

	"github.com/glassplane/glassplane/controlplane/controllers/controllerref"
)

// claimReplicaSets returns the ReplicaSets d owns, adopting and releasing.
func (c *Controller) claimReplicaSets(ctx context.Context, d *appsv1.Deployment) ([]*appsv1.ReplicaSet, error) {
	selector, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return nil, nil
	}
	all, err := c.rsLister.ReplicaSets(d.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	m := &controllerref.ControllerRefManager{
		Controller: d, ControllerKind: controllerKind, Selector: selector,
		CanAdopt: func(ctx context.Context) error {
			fresh, err := c.client.AppsV1().Deployments(d.Namespace).Get(ctx, d.Name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			if fresh.UID != d.UID || fresh.DeletionTimestamp != nil {
				return fmt.Errorf("Deployment %s/%s is gone or going; it adopts nothing", d.Namespace, d.Name)
			}
			return nil
		},
		Patch: func(ctx context.Context, ns, name string, patch []byte) error {
			_, err := c.client.AppsV1().ReplicaSets(ns).Patch(ctx, name, types.StrategicMergePatchType, patch, metav1.PatchOptions{})
			return err
		},
	}
	var owned []*appsv1.ReplicaSet
	for _, rs := range all {
		ok, err := m.Claim(ctx, rs)
		if err != nil {
			return nil, err
		}
		if ok {
			owned = append(owned, rs)
		}
	}
	return owned, nil
}

// equalIgnoreHash compares two pod templates, ignoring pod-template-hash.
func equalIgnoreHash(a, b *corev1.PodTemplateSpec) bool {
	a, b = a.DeepCopy(), b.DeepCopy()
	delete(a.Labels, PodTemplateHashLabel)
	delete(b.Labels, PodTemplateHashLabel)
	return equality.Semantic.DeepEqual(a, b)
}

// findNewReplicaSet returns the oldest ReplicaSet running d's template.
func findNewReplicaSet(d *appsv1.Deployment, rsList []*appsv1.ReplicaSet) *appsv1.ReplicaSet {
	sorted := append([]*appsv1.ReplicaSet(nil), rsList...)
	byCreation(sorted)
	for _, rs := range sorted {
		if equalIgnoreHash(&rs.Spec.Template, &d.Spec.Template) {
			return rs
		}
	}
	return nil
}

// findOldReplicaSets returns every ReplicaSet but newRS.
func findOldReplicaSets(rsList []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) []*appsv1.ReplicaSet {
	var old []*appsv1.ReplicaSet
	for _, rs := range rsList {
		if newRS == nil || rs.UID != newRS.UID {
			old = append(old, rs)
		}
	}
	return old
}

// replicaSetsAndRevision returns d's new ReplicaSet (creating it if create
// is set and there is none) and its old ones, and brings the revision
// annotations of the new ReplicaSet and of d up to date. d is updated in
// place with what the API server returns.
func (c *Controller) replicaSetsAndRevision(ctx context.Context, d *appsv1.Deployment, rsList []*appsv1.ReplicaSet, create bool) (*appsv1.ReplicaSet, []*appsv1.ReplicaSet, error) {
	old := findOldReplicaSets(rsList, findNewReplicaSet(d, rsList))
	newRevision := strconv.FormatInt(maxRevision(old)+1, 10)
	if existing := findNewReplicaSet(d, rsList); existing != nil {
		rs, err := c.syncNewReplicaSet(ctx, d, existing, newRevision)
		return rs, old, err
	}
	if !create {
		return nil, old, nil
	}
	rs, err := c.createNewReplicaSet(ctx, d, old, newRevision)
	return rs, old, err
}

// syncNewReplicaSet brings an existing new ReplicaSet's annotations and
// minReadySeconds, and d's revision, up to date.
func (c *Controller) syncNewReplicaSet(ctx context.Context, d *appsv1.Deployment, existing *appsv1.ReplicaSet, newRevision string) (*appsv1.ReplicaSet, error) {
	rs := existing.DeepCopy()
	changed := setNewReplicaSetAnnotations(d, rs, newRevision, true)
	if changed || rs.Spec.MinReadySeconds != d.Spec.MinReadySeconds {
		rs.Spec.MinReadySeconds = d.Spec.MinReadySeconds
		return c.client.AppsV1().ReplicaSets(rs.Namespace).Update(ctx, rs, metav1.UpdateOptions{})
	}
	if err := c.setDeploymentRevision(ctx, d, rs.Annotations[RevisionAnnotation]); err != nil {
		return nil, err
	}
	if hasProgressDeadline(d) && condition(d.Status, appsv1.DeploymentProgressing) == nil {
		setCondition(&d.Status, newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue, FoundNewRSReason,
			fmt.Sprintf("Found new replica set %q", rs.Name)))
		updated, err := c.updateStatus(ctx, d)
		if err != nil {
			return nil, err
		}
		*d = *updated
	}
	return rs, nil
}

// createNewReplicaSet makes the ReplicaSet for d's current template.
func (c *Controller) createNewReplicaSet(ctx context.Context, d *appsv1.Deployment, old []*appsv1.ReplicaSet, newRevision string) (*appsv1.ReplicaSet, error) {
	rs := newReplicaSet(d)
	*rs.Spec.Replicas = newRSReplicas(d, append(old, rs), rs)
	setNewReplicaSetAnnotations(d, rs, newRevision, false)
	created, err := c.client.AppsV1().ReplicaSets(d.Namespace).Create(ctx, rs, metav1.CreateOptions{})
	alreadyExists := apierrors.IsAlreadyExists(err)
	if alreadyExists {
		created, err = c.adoptExisting(ctx, d, rs)
	}
	if err != nil {
		if !alreadyExists {
			c.eventRecorder.Eventf(d, corev1.EventTypeWarning, FailedCreate, "Failed to create new replica set %q: %v", rs.Name, err)
		}
		return nil, err
	}
	if !alreadyExists && *created.Spec.Replicas > 0 {
		c.eventRecorder.Eventf(d, corev1.EventTypeNormal, ScalingReplicaSet, "Scaled up replica set %s from 0 to %d", created.Name, *created.Spec.Replicas)
	}
	if err := c.setDeploymentRevision(ctx, d, newRevision); err != nil {
		return nil, err
	}
	if !alreadyExists && hasProgressDeadline(d) {
		setCondition(&d.Status, newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue, NewReplicaSetReason,
			fmt.Sprintf("Created new replica set %q", created.Name)))
		updated, err := c.updateStatus(ctx, d)
		if err != nil {
			return nil, err
		}
		*d = *updated
	}
	return created, nil
}

// adoptExisting handles a create that found the name taken: the same
// template under our control is ours; anything else is a hash collision,
// which bumps status.collisionCount so the next try hashes differently.
func (c *Controller) adoptExisting(ctx context.Context, d *appsv1.Deployment, want *appsv1.ReplicaSet) (*appsv1.ReplicaSet, error) {
	rs, err := c.rsLister.ReplicaSets(d.Namespace).Get(want.Name)
	if err == nil {
		if ref := metav1.GetControllerOf(rs); ref != nil && ref.UID == d.UID && equalIgnoreHash(&rs.Spec.Template, &d.Spec.Template) {
			return rs, nil
		}
	}
	n := int32(0)
	if d.Status.CollisionCount != nil {
		n = *d.Status.CollisionCount
	}
	n++
	d.Status.CollisionCount = &n
	if _, err := c.updateStatus(ctx, d); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("hash collision for ReplicaSet %q; collisionCount is now %d", want.Name, n)
}

// newReplicaSet is the ReplicaSet for d's current template, with no replicas yet.
func newReplicaSet(d *appsv1.Deployment) *appsv1.ReplicaSet {
	template := d.Spec.Template.DeepCopy()
	hash := ComputeHash(template, d.Status.CollisionCount)
	template.Labels = withLabel(d.Spec.Template.Labels, PodTemplateHashLabel, hash)
	selector := d.Spec.Selector.DeepCopy()
	selector.MatchLabels = withLabel(selector.MatchLabels, PodTemplateHashLabel, hash)
	zero := int32(0)
	return &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{
			Name:            d.Name + "-" + hash,
			Namespace:       d.Namespace,
			Labels:          template.Labels,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(d, controllerKind)},
		},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: &zero, MinReadySeconds: d.Spec.MinReadySeconds,
			Selector: selector, Template: *template,
		},
	}
}

func withLabel(in map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(in)+1)
	for key, val := range in {
		out[key] = val
	}
	out[k] = v
	return out
}

// setDeploymentRevision records revision on d, if it is new.
func (c *Controller) setDeploymentRevision(ctx context.Context, d *appsv1.Deployment, revision string) error {
	if d.Annotations[RevisionAnnotation] == revision {
		return nil
	}
	patch := fmt.Appendf(nil, `{"metadata":{"annotations":{%q:%q}}}`, RevisionAnnotation, revision)
	updated, err := c.client.AppsV1().Deployments(d.Namespace).Patch(ctx, d.Name, types.MergePatchType, patch, metav1.PatchOptions{})
	if err != nil {
		return err
	}
	// Keep the status this sync is computing; take the rest from the server.
	status := d.Status
	*d = *updated
	d.Status = status
	return nil
}
