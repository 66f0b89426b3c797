// Package controllerref is how a controller decides which objects are its own.
//
// In Kubernetes a ReplicaSet does not own "the pods matching its selector":
// it owns the pods whose metadata.ownerReferences name it with
// controller=true. The selector is only how it finds candidates. Each sync, a
// controller claims its objects (ControllerRefManager.Claim):
//
//   - an object that names it as controller and still matches stays its own;
//   - one that names it but no longer matches (someone relabelled a pod) is
//     released: the owner reference is removed, and the object is an orphan;
//   - an orphan that matches is adopted: the controller adds an owner
//     reference to itself, so two controllers never fight over one pod.
//
// A controller being deleted neither adopts nor releases: the garbage
// collector is busy with its dependents. Adoption and release are patches,
// so a concurrent change to the object is never overwritten.
package controllerref

import (
	"context"
	"encoding/json"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// PatchFunc patches the named object with a strategic merge patch.
type PatchFunc func(ctx context.Context, namespace, name string, patch []byte) error

// ControllerRefManager claims objects for one controller.
type ControllerRefManager struct {
	Controller     metav1.Object
	ControllerKind schema.GroupVersionKind
	Selector       labels.Selector
	// CanAdopt rechecks, with a live read, that the controller still exists
	// and is not being deleted; the cached copy may be stale.
	CanAdopt func(ctx context.Context) error
	Patch    PatchFunc
}

// Claim reports whether obj belongs to the controller, adopting or
// releasing it as needed.
func (m *ControllerRefManager) Claim(ctx context.Context, obj metav1.Object) (bool, error) {
	ref := metav1.GetControllerOfNoCopy(obj)
	match := m.Selector.Matches(labels.Set(obj.GetLabels()))
	if ref != nil {
		if ref.UID != m.Controller.GetUID() {
			return false, nil // someone else's
		}
		if match {
			return true, nil
		}
		if m.Controller.GetDeletionTimestamp() != nil {
			return false, nil
		}
		return false, ignoreNotFound(m.release(ctx, obj))
	}
	if !match || m.Controller.GetDeletionTimestamp() != nil || obj.GetDeletionTimestamp() != nil ||
		obj.GetNamespace() != m.Controller.GetNamespace() {
		return false, nil
	}
	if err := m.adopt(ctx, obj); err != nil {
		return false, ignoreNotFound(err)
	}
	return true, nil
}

func (m *ControllerRefManager) adopt(ctx context.Context, obj metav1.Object) error {
	if m.CanAdopt != nil {
		if err := m.CanAdopt(ctx); err != nil {
			return err
		}
	}
	return m.Patch(ctx, obj.GetNamespace(), obj.GetName(), AdoptPatch(m.Controller, m.ControllerKind, obj.GetUID()))
}

func (m *ControllerRefManager) release(ctx context.Context, obj metav1.Object) error {
	return m.Patch(ctx, obj.GetNamespace(), obj.GetName(), ReleasePatch(m.Controller.GetUID(), obj.GetUID()))
}

// AdoptPatch is the strategic merge patch that makes owner the controller of
// the object with uid.
func AdoptPatch(owner metav1.Object, kind schema.GroupVersionKind, uid types.UID) []byte {
	ref := metav1.NewControllerRef(owner, kind)
	return mustJSON(map[string]any{"metadata": map[string]any{
		"ownerReferences": []any{ref}, "uid": uid}})
}

// ReleasePatch is the strategic merge patch that removes the owner reference
// to ownerUID from the object with uid.
func ReleasePatch(ownerUID, uid types.UID) []byte {
	return mustJSON(map[string]any{"metadata": map[string]any{
		"ownerReferences": []any{map[string]any{"$patch": "delete", "uid": ownerUID}}, "uid": uid}})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of strings and references always marshal
	}
	return b
}

func ignoreNotFound(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// ForPods is the manager that claims pods for owner, a controller of kind:
// it adopts only while a live read (fresh) still finds owner itself, not
// being deleted, and it adopts and releases pods with patches through client.
func ForPods(client kubernetes.Interface, owner metav1.Object, kind schema.GroupVersionKind, selector labels.Selector,
	fresh func(ctx context.Context) (metav1.Object, error)) *ControllerRefManager {
	return &ControllerRefManager{
		Controller: owner, ControllerKind: kind, Selector: selector,
		CanAdopt: func(ctx context.Context) error {
			cur, err := fresh(ctx)
			if err != nil {
				return err
			}
			if cur.GetUID() != owner.GetUID() || cur.GetDeletionTimestamp() != nil {
				return fmt.Errorf("%s %s/%s is gone or going; it adopts nothing", kind.Kind, owner.GetNamespace(), owner.GetName())
			}
			return nil
		},
		Patch: func(ctx context.Context, ns, name string, patch []byte) error {
			_, err := client.CoreV1().Pods(ns).Patch(ctx, name, types.StrategicMergePatchType, patch, metav1.PatchOptions{})
			return err
		},
	}
}
