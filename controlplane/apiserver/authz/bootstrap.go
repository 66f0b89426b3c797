package authz

// Bootstrap writes the default policy into a new cluster, the way
// kube-apiserver's "rbac/bootstrap-roles" post-start hook does: straight into
// storage, before anyone could be authorized to create it. Objects that exist
// already are left alone, so a restart changes nothing and an edited role
// stays edited.
//
// The default ClusterRoleBindings give:
//
//	cluster-admin                   to the group system:masters
//	system:basic-user, system:discovery, system:public-info-viewer
//	                                to the group system:authenticated
//	system:kube-scheduler           to the user system:kube-scheduler
//	system:kube-controller-manager  to the user system:kube-controller-manager
//	system:node                     to the group system:nodes
//
// and Glassplane's built-in users their lesson roles: alice may edit in the
// namespace default (a RoleBinding to the ClusterRole edit), bob may view
// everywhere (a ClusterRoleBinding to view).

import (
	"context"
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/apiserver/pkg/authentication/user"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
)

// Bootstrap creates the default roles and bindings that do not exist yet.
func Bootstrap(ctx context.Context, store *registry.Store) error {
	var objs []runtime.Object
	for _, r := range ClusterRoles() {
		objs = append(objs, r)
	}
	for _, b := range ClusterRoleBindings() {
		objs = append(objs, b)
	}
	for _, b := range RoleBindings() {
		objs = append(objs, b)
	}
	for _, obj := range objs {
		if err := createIfMissing(ctx, store, obj); err != nil {
			return err
		}
	}
	return nil
}

func createIfMissing(ctx context.Context, store *registry.Store, obj runtime.Object) error {
	var resource string
	switch obj.(type) {
	case *rbacv1.ClusterRole:
		resource = "clusterroles"
	case *rbacv1.ClusterRoleBinding:
		resource = "clusterrolebindings"
	case *rbacv1.RoleBinding:
		resource = "rolebindings"
	}
	res, _ := registry.Lookup(rbacv1.GroupName, resource)
	m, _ := meta.Accessor(obj)
	m.SetUID(uuid.NewUUID())
	m.SetCreationTimestamp(metav1.Now())
	if _, err := store.Create(ctx, res, obj); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating %s %s: %w", resource, m.GetName(), err)
	}
	return nil
}

// ClusterRoleBindings returns the default cluster role bindings.
func ClusterRoleBindings() []*rbacv1.ClusterRoleBinding {
	bind := func(name, role string, subjects ...rbacv1.Subject) *rbacv1.ClusterRoleBinding {
		return &rbacv1.ClusterRoleBinding{ObjectMeta: bootstrapMeta(name, ""), Subjects: subjects, RoleRef: clusterRole(role)}
	}
	authenticated := group(user.AllAuthenticated)
	return []*rbacv1.ClusterRoleBinding{
		bind("cluster-admin", "cluster-admin", group(user.SystemPrivilegedGroup)),
		bind("system:basic-user", "system:basic-user", authenticated),
		bind("system:discovery", "system:discovery", authenticated),
		bind("system:public-info-viewer", "system:public-info-viewer", authenticated, group(user.AllUnauthenticated)),
		bind("system:kube-scheduler", "system:kube-scheduler", userSubject(user.KubeScheduler)),
		bind("system:kube-controller-manager", "system:kube-controller-manager", userSubject(user.KubeControllerManager)),
		bind("system:node", "system:node", group(user.NodesGroup)),
		{ObjectMeta: metav1.ObjectMeta{Name: "bob-view"}, Subjects: []rbacv1.Subject{userSubject("bob")}, RoleRef: clusterRole("view")},
	}
}

// RoleBindings returns the default namespaced bindings: alice edits default.
func RoleBindings() []*rbacv1.RoleBinding {
	return []*rbacv1.RoleBinding{{
		ObjectMeta: metav1.ObjectMeta{Name: "alice-edit", Namespace: "default"},
		Subjects:   []rbacv1.Subject{userSubject("alice")}, RoleRef: clusterRole("edit"),
	}}
}

func clusterRole(name string) rbacv1.RoleRef {
	return rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name}
}

func group(name string) rbacv1.Subject {
	return rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.GroupKind, Name: name}
}

func userSubject(name string) rbacv1.Subject {
	return rbacv1.Subject{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: name}
}
