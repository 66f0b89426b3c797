// Package admission holds the API server's admission plugins.
//
// Admission runs after authorization and before storage. Mutating plugins may
// change the object (defaulting fills in what the user left out, the
// ServiceAccount plugin mounts a token); validating plugins may only refuse it
// (NamespaceLifecycle refuses new objects in a namespace being deleted). The
// API server runs the chain in order and records each plugin as a step whose
// detail is the JSON patch it applied or the reason it refused.
//
// Interface rules: Admit gets the object in its storage version and returns
// an apierrors error to refuse it. Only Mutating plugins may change Object.
package admission

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/authentication/user"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
)

// Plugin is one named admission plugin.
type Plugin interface {
	Name() string
	Mutating() bool
	Admit(ctx context.Context, a *Attributes) error
}

// Operations.
const (
	Create = "CREATE"
	Update = "UPDATE"
	Delete = "DELETE"
)

// OperationHandler is implemented by a plugin that says which operations it
// judges, as kube's admission.Handler does. A plugin without it sees only
// Create and Update.
type OperationHandler interface {
	Handles(operation string) bool
}

// Handles reports whether p judges operation.
func Handles(p Plugin, operation string) bool {
	if h, ok := p.(OperationHandler); ok {
		return h.Handles(operation)
	}
	return operation == Create || operation == Update
}

// ResourceHandler is implemented by a plugin that judges only some
// resources. Kube's plugins look at the resource first and return at once;
// here the chain skips them, so a request's steps show only the plugins that
// looked at it.
type ResourceHandler interface {
	HandlesResource(r *registry.Resource) bool
}

// HandlesResource reports whether p judges requests for r.
func HandlesResource(p Plugin, r *registry.Resource) bool {
	if h, ok := p.(ResourceHandler); ok {
		return h.HandlesResource(r)
	}
	return true
}

// Attributes are what a plugin sees of a request.
type Attributes struct {
	Operation   string // Create, Update or Delete
	Resource    *registry.Resource
	Subresource string
	Name        string         // the object's name; on Delete the only way to know it
	Object      runtime.Object // nil on Delete
	Old         runtime.Object // nil on Create; the object to be deleted on Delete
	User        user.Info
	DryRun      bool
	// Store reads other objects (namespaces, quotas, service accounts).
	Store *registry.Store
	// Caches hold the objects plugins read on every create, watched.
	Caches Caches
}

// Caches are the watched copies of what the plugins judge every create by,
// as kube's plugins read informers' listers rather than etcd. A nil cache,
// or one that has fallen behind its store (registry.ErrBehind), means the
// plugin reads the store.
type Caches struct {
	Namespaces     *registry.Cache
	ResourceQuotas *registry.Cache
}

// NewCaches lists the namespaces and quotas in store and keeps them current
// until ctx ends.
func NewCaches(ctx context.Context, store *registry.Store) (Caches, error) {
	nsRes, _ := registry.Lookup("", "namespaces")
	quotaRes, _ := registry.Lookup("", "resourcequotas")
	// A failure stops the caches made so far: each holds a watch.
	ctx, cancel := context.WithCancel(ctx)
	namespaces, err := registry.NewCache(ctx, store, nsRes)
	if err != nil {
		cancel()
		return Caches{}, err
	}
	quotas, err := registry.NewCache(ctx, store, quotaRes)
	if err != nil {
		cancel()
		return Caches{}, err
	}
	_ = cancel // once made, the caches last as long as the caller's ctx
	return Caches{Namespaces: namespaces, ResourceQuotas: quotas}, nil
}

// Default is the plugin chain in the order kube-apiserver effectively runs
// it. Defaulting comes first because kube applies defaults while decoding
// the request, before any plugin sees the object: ServiceAccount and
// DefaultTolerationSeconds then add to a defaulted pod, and ResourceQuota
// counts the requests that defaulting copied from limits. The mutating
// plugins follow in kube's --enable-admission-plugins order
// (NamespaceLifecycle, ServiceAccount, DefaultTolerationSeconds,
// DefaultStorageClass, Priority), and the
// validating ResourceQuota is last, so it judges the object as it will be
// stored.
func Default() []Plugin {
	return []Plugin{Defaulting{}, NamespaceLifecycle{}, ServiceAccount{}, DefaultTolerationSeconds{}, DefaultStorageClass{}, Priority{}, ResourceQuota{}}
}
