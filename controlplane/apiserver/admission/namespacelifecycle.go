package admission

// NamespaceLifecycle refuses new objects in a namespace that does not exist,
// or that is being deleted (its contents are being removed, so anything new
// would be left behind).

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
)

// NamespaceLifecycle is the validating plugin of the same name.
type NamespaceLifecycle struct{}

func (NamespaceLifecycle) Name() string   { return "NamespaceLifecycle" }
func (NamespaceLifecycle) Mutating() bool { return false }

func (NamespaceLifecycle) Admit(ctx context.Context, a *Attributes) error {
	if a.Operation != Create || !a.Resource.Namespaced {
		return nil
	}
	m, _ := meta.Accessor(a.Object)
	nsRes, _ := registry.Lookup("", "namespaces")
	obj, err := a.Store.Get(ctx, nsRes, "", m.GetNamespace())
	if apierrors.IsNotFound(err) {
		return apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, m.GetNamespace())
	}
	if err != nil {
		return err
	}
	// Events may still be written about a terminating namespace's objects.
	if ns := obj.(*corev1.Namespace); ns.Status.Phase == corev1.NamespaceTerminating && a.Resource.Resource != "events" {
		return apierrors.NewForbidden(a.Resource.GroupResource(), m.GetName(),
			fmt.Errorf("unable to create new content in namespace %s because it is being terminated", ns.Name))
	}
	return nil
}
