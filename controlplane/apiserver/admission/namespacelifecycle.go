package admission

// NamespaceLifecycle refuses new objects in a namespace that does not exist,
// or that is being deleted (its contents are being removed, so anything new
// would be left behind). It also keeps the namespaces the cluster itself
// lives in: default, kube-system and kube-public may never be deleted
// (kube-apiserver's "immortal" namespaces).

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
)

// immortalNamespaces are the namespaces kube-apiserver refuses to delete.
var immortalNamespaces = map[string]bool{
	metav1.NamespaceDefault: true, metav1.NamespaceSystem: true, metav1.NamespacePublic: true,
}

// NamespaceLifecycle is the validating plugin of the same name.
type NamespaceLifecycle struct{}

func (NamespaceLifecycle) Name() string   { return "NamespaceLifecycle" }
func (NamespaceLifecycle) Mutating() bool { return false }

// Handles: kube's plugin judges creates, updates and deletes.
func (NamespaceLifecycle) Handles(operation string) bool { return true }

func (NamespaceLifecycle) Admit(ctx context.Context, a *Attributes) error {
	if a.Operation == Delete && a.Resource.Group == "" && a.Resource.Resource == "namespaces" && immortalNamespaces[a.Name] {
		return apierrors.NewForbidden(a.Resource.GroupResource(), a.Name, fmt.Errorf("this namespace may not be deleted"))
	}
	if a.Operation != Create || !a.Resource.Namespaced {
		return nil
	}
	m, _ := meta.Accessor(a.Object)
	obj, err := namespace(ctx, a, m.GetNamespace())
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

// namespace reads the named namespace from the cache, and from etcd when the
// cache does not have it: kube's plugin looks a namespace up live when its
// informer has not seen it yet, since it may have been made a moment ago
// past this server.
func namespace(ctx context.Context, a *Attributes, name string) (runtime.Object, error) {
	if c := a.Caches.Namespaces; c != nil {
		if obj, ok, err := c.Get(ctx, "", name); err == nil && ok {
			return obj, nil
		}
	}
	nsRes, _ := registry.Lookup("", "namespaces")
	return a.Store.Get(ctx, nsRes, "", name)
}
