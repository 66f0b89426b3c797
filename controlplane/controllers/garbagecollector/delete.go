package garbagecollector

// attemptToDelete: the background half of the collector. For an object with
// owners it asks, of each owner, does it still exist (the same uid, not a
// new object of the same name)? The answer comes from the informer cache
// when the cache has the owner, and from a live GET otherwise — a cache that
// has not yet seen a brand-new owner must not get its dependents deleted.
//
//   - Some owner exists: the object stays (references to vanished owners
//     are removed).
//   - Every owner is gone: the object is deleted, in the background — unless
//     an owner is being deleted in the foreground, in which case the object
//     goes in the foreground too, so the wait propagates down the chain.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

// ownerState is what became of an owner.
type ownerState int

const (
	ownerSolid   ownerState = iota // exists
	ownerAbsent                    // gone, or replaced by another object of the same name
	ownerWaiting                   // being deleted in the foreground: waits for its dependents
)

func (c *Controller) attemptToDelete(ctx context.Context, w *watched, obj metav1.Object) error {
	var solid, absent, waiting []metav1.OwnerReference
	for _, ref := range obj.GetOwnerReferences() {
		st, err := c.ownerStateOf(ctx, obj.GetNamespace(), ref)
		if err != nil {
			return err
		}
		switch st {
		case ownerSolid:
			solid = append(solid, ref)
		case ownerAbsent:
			absent = append(absent, ref)
		default:
			waiting = append(waiting, ref)
		}
	}
	d := trace.Reconcile{Desired: "a dependent exists only while an owner does", Actual: describeOwners(solid, absent, waiting)}
	switch {
	case len(solid) > 0 && len(absent) == 0:
		return nil // owned, nothing to collect; no step
	case len(solid) > 0:
		d.Decision = "keep it; remove the references to owners that are gone"
		return c.removeOwnerReferences(c.reconciled(ctx, w, obj, d), w, obj, absent)
	}
	policy := metav1.DeletePropagationBackground
	switch {
	case len(waiting) > 0 && len(c.dependents(obj)) > 0:
		policy = metav1.DeletePropagationForeground
	case hasFinalizer(obj, orphanFinalizer):
		policy = metav1.DeletePropagationOrphan
	case hasFinalizer(obj, foregroundFinalizer):
		policy = metav1.DeletePropagationForeground
	}
	d.Decision = fmt.Sprintf("delete it (%s)", policy)
	return c.deleteObject(c.reconciled(ctx, w, obj, d), w, obj, policy)
}

// ownerStateOf looks up the owner ref names, in namespace.
func (c *Controller) ownerStateOf(ctx context.Context, namespace string, ref metav1.OwnerReference) (ownerState, error) {
	if w := c.watchedKind(ref); w != nil {
		if owner, ok := w.get(namespace, ref.Name); ok && owner.GetUID() == ref.UID {
			return stateOf(owner), nil
		}
	}
	owner, err := c.getLive(ctx, namespace, ref)
	if apierrors.IsNotFound(err) {
		return ownerAbsent, nil
	}
	if err != nil {
		return 0, err
	}
	if owner.GetUID() != ref.UID {
		return ownerAbsent, nil
	}
	return stateOf(owner), nil
}

func stateOf(owner metav1.Object) ownerState {
	if owner.GetDeletionTimestamp() != nil && hasFinalizer(owner, foregroundFinalizer) {
		return ownerWaiting
	}
	return ownerSolid
}

// getLive reads the owner from the API server.
func (c *Controller) getLive(ctx context.Context, namespace string, ref metav1.OwnerReference) (metav1.Object, error) {
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return nil, err
	}
	gk := schema.GroupKind{Group: gv.Group, Kind: ref.Kind}
	mapping, err := c.mapper.RESTMapping(gk, gv.Version)
	if err != nil {
		c.mapper.Reset() // a resource served since discovery was read?
		if mapping, err = c.mapper.RESTMapping(gk, gv.Version); err != nil {
			return nil, err
		}
	}
	r := c.dynamic.Resource(mapping.Resource)
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		return r.Namespace(namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	}
	return r.Get(ctx, ref.Name, metav1.GetOptions{})
}

// deleteObject deletes obj (that very object: its uid is a precondition).
func (c *Controller) deleteObject(ctx context.Context, w *watched, obj metav1.Object, policy metav1.DeletionPropagation) error {
	uid := obj.GetUID()
	err := c.dynamic.Resource(w.gvr).Namespace(obj.GetNamespace()).Delete(ctx, obj.GetName(), metav1.DeleteOptions{
		Preconditions: &metav1.Preconditions{UID: &uid}, PropagationPolicy: &policy,
	})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil // already gone, or a new object of the same name
	}
	return err
}

// removeOwnerReferences patches refs out of obj's owner references.
func (c *Controller) removeOwnerReferences(ctx context.Context, w *watched, obj metav1.Object, refs []metav1.OwnerReference) error {
	uids := make([]types.UID, len(refs))
	for i, r := range refs {
		uids[i] = r.UID
	}
	r := c.dynamic.Resource(w.gvr).Namespace(obj.GetNamespace())
	_, err := r.Patch(ctx, obj.GetName(), types.StrategicMergePatchType, deleteOwnerRefsPatch(obj.GetUID(), uids...), metav1.PatchOptions{})
	if apierrors.IsUnsupportedMediaType(err) { // a custom resource
		gone := map[string]bool{}
		for _, u := range uids {
			gone[string(u)] = true
		}
		patch, _ := json.Marshal(remainingOwnersPatch(obj, gone))
		_, err = r.Patch(ctx, obj.GetName(), types.MergePatchType, patch, metav1.PatchOptions{})
	}
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// deleteOwnerRefsPatch is a strategic merge patch deleting the references to
// owners from the object with uid.
func deleteOwnerRefsPatch(uid types.UID, owners ...types.UID) []byte {
	var parts []string
	for _, o := range owners {
		parts = append(parts, fmt.Sprintf(`{"$patch":"delete","uid":%q}`, o))
	}
	return fmt.Appendf(nil, `{"metadata":{"ownerReferences":[%s],"uid":%q}}`, strings.Join(parts, ","), uid)
}

func describeOwners(solid, absent, waiting []metav1.OwnerReference) string {
	var parts []string
	for _, group := range []struct {
		refs []metav1.OwnerReference
		what string
	}{{solid, "exists"}, {absent, "is gone"}, {waiting, "is being deleted in the foreground"}} {
		for _, r := range group.refs {
			parts = append(parts, fmt.Sprintf("owner %s %s %s", r.Kind, r.Name, group.what))
		}
	}
	return strings.Join(parts, "; ")
}
