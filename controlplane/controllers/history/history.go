// Package history keeps the templates a DaemonSet or StatefulSet has had, as
// ControllerRevisions (kube's pkg/controller/history).
//
// Each template a set runs is stored once, as a ControllerRevision named
// <set>-<hash> and owned by the set, with a revision number: 1, 2, … Pods
// carry the revision they were made from in their controller-revision-hash
// label. `kubectl rollout history` lists a set's revisions, and `kubectl
// rollout undo` writes an old revision's template back into the set — which
// then becomes the newest revision again, with the next number.
//
// Data holds the template as kube writes it, a patch of the set:
// {"spec":{"template":{…,"$patch":"replace"}}}. The hash is the
// Deployment's pod-template-hash of the template (kube's ComputeHash).
//
// Interface rules: the functions read revisions from a lister and write
// through the client; they never modify what the lister returns.
package history

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
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/kubernetes"
	appslisters "k8s.io/client-go/listers/apps/v1"
)

// Owned lists the ControllerRevisions owner controls.
func Owned(lister appslisters.ControllerRevisionLister, owner metav1.Object) ([]*appsv1.ControllerRevision, error) {
	all, err := lister.ControllerRevisions(owner.GetNamespace()).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	var out []*appsv1.ControllerRevision
	for _, r := range all {
		if ref := metav1.GetControllerOfNoCopy(r); ref != nil && ref.UID == owner.GetUID() {
			out = append(out, r)
		}
	}
	return out, nil
}

// Ensure makes sure the revision name of template exists among owned and is
// the newest: a template set back to an old one makes that revision the
// newest again, as kube does.
func Ensure(ctx context.Context, client kubernetes.Interface, owner metav1.Object, kind schema.GroupVersionKind,
	template *corev1.PodTemplateSpec, name string, revisionLabels map[string]string, owned []*appsv1.ControllerRevision) error {
	var newest int64
	var existing *appsv1.ControllerRevision
	for _, r := range owned {
		newest = max(newest, r.Revision)
		if r.Name == name {
			existing = r
		}
	}
	revisions := client.AppsV1().ControllerRevisions(owner.GetNamespace())
	if existing != nil {
		if existing.Revision == newest {
			return nil
		}
		next := existing.DeepCopy()
		next.Revision = newest + 1
		_, err := revisions.Update(ctx, next, metav1.UpdateOptions{})
		return err
	}
	data, err := templatePatch(template)
	if err != nil {
		return err
	}
	rev := &appsv1.ControllerRevision{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: owner.GetNamespace(), Labels: revisionLabels,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(owner, kind)}},
		Data: runtime.RawExtension{Raw: data}, Revision: newest + 1,
	}
	_, err = revisions.Create(ctx, rev, metav1.CreateOptions{})
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

// TemplateOf returns the template the revision name among owned holds.
func TemplateOf(owned []*appsv1.ControllerRevision, name string) (*corev1.PodTemplateSpec, bool) {
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
			return &patch.Spec.Template, true
		}
	}
	return nil, false
}

// Truncate deletes the oldest of owned that are not live, beyond limit.
func Truncate(ctx context.Context, client kubernetes.Interface, owned []*appsv1.ControllerRevision, live sets.Set[string], limit int) error {
	var old []*appsv1.ControllerRevision
	for _, r := range owned {
		if !live.Has(r.Name) {
			old = append(old, r)
		}
	}
	if len(old) <= limit {
		return nil
	}
	sort.Slice(old, func(i, j int) bool { return old[i].Revision < old[j].Revision })
	for _, r := range old[:len(old)-limit] {
		err := client.AppsV1().ControllerRevisions(r.Namespace).Delete(ctx, r.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	return nil
}

// Limit is spec.revisionHistoryLimit, 10 if unset.
func Limit(limit *int32) int {
	if limit == nil {
		return 10
	}
	return int(*limit)
}
