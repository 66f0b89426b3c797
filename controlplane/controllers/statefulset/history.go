package statefulset

// Revisions. A StatefulSet keeps each template it has had as a
// ControllerRevision named <set>-<hash>, owned by the set: revision 1, 2, …
// Pods carry the name of the revision they were made from in their
// controller-revision-hash label. The set's status names two: the update
// revision (the current template) and the current revision (what the pods
// below the partition keep running, and what a deleted one of them is made
// from again). `kubectl rollout history` lists these revisions, and
// `kubectl rollout undo` applies an old one's template again.
//
// Data holds the template as kube writes it, a patch of the set:
// {"spec":{"template":{…,"$patch":"replace"}}}. The hash here is the
// Deployment's pod-template-hash of the template; kube hashes the patch, so
// names differ from a real cluster's.

import (
	"context"
	"encoding/json"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/glassplane/glassplane/controlplane/controllers/deployment"
)

// updateRevisionName names the revision of set's current template.
func updateRevisionName(set *appsv1.StatefulSet) string {
	return set.Name + "-" + deployment.ComputeHash(&set.Spec.Template, set.Status.CollisionCount)
}

// revisions lists the ControllerRevisions set owns.
func (c *Controller) revisions(set *appsv1.StatefulSet) ([]*appsv1.ControllerRevision, error) {
	all, err := c.revisionLister.ControllerRevisions(set.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	var out []*appsv1.ControllerRevision
	for _, r := range all {
		if ref := metav1.GetControllerOfNoCopy(r); ref != nil && ref.UID == set.UID {
			out = append(out, r)
		}
	}
	return out, nil
}

// ensureUpdateRevision makes sure the revision of set's template exists and
// is the newest (a template set back to an old one makes that revision the
// newest again, as kube does).
func (c *Controller) ensureUpdateRevision(ctx context.Context, set *appsv1.StatefulSet, owned []*appsv1.ControllerRevision) error {
	name := updateRevisionName(set)
	var newest int64
	var existing *appsv1.ControllerRevision
	for _, r := range owned {
		newest = max(newest, r.Revision)
		if r.Name == name {
			existing = r
		}
	}
	if existing != nil {
		if existing.Revision == newest {
			return nil
		}
		next := existing.DeepCopy()
		next.Revision = newest + 1
		_, err := c.client.AppsV1().ControllerRevisions(set.Namespace).Update(ctx, next, metav1.UpdateOptions{})
		return err
	}
	data, err := templatePatch(&set.Spec.Template)
	if err != nil {
		return err
	}
	rev := &appsv1.ControllerRevision{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: set.Namespace, Labels: set.Spec.Template.Labels,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(set, controllerKind)}},
		Data: runtime.RawExtension{Raw: data}, Revision: newest + 1,
	}
	_, err = c.client.AppsV1().ControllerRevisions(set.Namespace).Create(ctx, rev, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil // the informer has not shown it yet
	}
	return err
}

// templatePatch is a revision's Data: the template as a patch of the set.
func templatePatch(t *corev1.PodTemplateSpec) ([]byte, error) {
	raw, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	m["$patch"] = "replace"
	return json.Marshal(map[string]any{"spec": map[string]any{"template": m}})
}

// templateOf returns the template revision name holds; set's own if the
// revision is unknown.
func templateOf(set *appsv1.StatefulSet, owned []*appsv1.ControllerRevision, name string) *corev1.PodTemplateSpec {
	for _, r := range owned {
		if r.Name != name {
			continue
		}
		var patch struct {
			Spec struct {
				Template corev1.PodTemplateSpec `json:"template"`
			} `json:"spec"`
		}
		if err := json.Unmarshal(r.Data.Raw, &patch); err == nil {
			return &patch.Spec.Template
		}
	}
	return &set.Spec.Template
}

// truncateHistory deletes the oldest revisions no pod runs, beyond
// spec.revisionHistoryLimit.
func (c *Controller) truncateHistory(ctx context.Context, set *appsv1.StatefulSet, owned []*appsv1.ControllerRevision, pods []*corev1.Pod, live ...string) error {
	keep := sets.New(live...)
	for _, p := range pods {
		keep.Insert(revisionOf(p))
	}
	var old []*appsv1.ControllerRevision
	for _, r := range owned {
		if !keep.Has(r.Name) {
			old = append(old, r)
		}
	}
	limit := 10
	if set.Spec.RevisionHistoryLimit != nil {
		limit = int(*set.Spec.RevisionHistoryLimit)
	}
	if len(old) <= limit {
		return nil
	}
	sort.Slice(old, func(i, j int) bool { return old[i].Revision < old[j].Revision })
	for _, r := range old[:len(old)-limit] {
		err := c.client.AppsV1().ControllerRevisions(set.Namespace).Delete(ctx, r.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	return nil
}
