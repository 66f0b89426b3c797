package garbagecollector

// Foreground deletion. The owner stays, marked, until every dependent that
// blocks it (ownerReference.blockOwnerDeletion, which controllers set on
// what they create) is gone. The collector deletes those dependents — in the
// foreground too, so a Deployment waits for its ReplicaSets, which wait for
// their pods — and, when none is left, removes the foregroundDeletion
// finalizer; the API server then deletes the owner.

import (
	"context"
	"encoding/json"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

func (c *Controller) processDeletingDependents(ctx context.Context, w *watched, owner metav1.Object) error {
	var blocking, going []dependent
	for _, d := range c.dependents(owner) {
		if d.ref.BlockOwnerDeletion == nil || !*d.ref.BlockOwnerDeletion {
			continue
		}
		if d.obj.GetDeletionTimestamp() != nil {
			going = append(going, d)
		} else {
			blocking = append(blocking, d)
		}
	}
	r := trace.Reconcile{
		Desired: "its blocking dependents gone before it",
		Actual:  fmt.Sprintf("%d blocking dependents, %d of them already going", len(blocking)+len(going), len(going)),
	}
	switch {
	case len(blocking) == 0 && len(going) == 0:
		r.Decision = "remove the foregroundDeletion finalizer"
		return c.removeFinalizer(c.reconciled(ctx, w, owner, r), w, owner, foregroundFinalizer)
	case len(blocking) == 0:
		return nil // wait: their deletion events bring the owner back
	}
	r.Decision = fmt.Sprintf("delete %d dependents in the foreground first", len(blocking))
	ctx = c.reconciled(ctx, w, owner, r)
	for _, d := range blocking {
		if err := c.deleteObject(ctx, d.w, d.obj, metav1.DeletePropagationForeground); err != nil {
			return err
		}
	}
	return nil
}

// removeFinalizer removes finalizer f from obj, provided obj has not changed
// since the collector read it (its resourceVersion is in the patch).
func (c *Controller) removeFinalizer(ctx context.Context, w *watched, obj metav1.Object, f string) error {
	var rest []string
	for _, x := range obj.GetFinalizers() {
		if x != f {
			rest = append(rest, x)
		}
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"finalizers": rest, "resourceVersion": obj.GetResourceVersion()}})
	if err != nil {
		return err
	}
	_, err = c.dynamic.Resource(w.gvr).Namespace(obj.GetNamespace()).Patch(ctx, obj.GetName(), types.MergePatchType, patch, metav1.PatchOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
