package authz

// Bootstrap writes the default policy into a new cluster, the way
// kube-apiserver's "rbac/bootstrap-roles" post-start hook does: straight into
// storage, before anyone could be authorized to create it. On every start it
// also reconciles what exists, as that hook does: a default role or binding
// that still carries rbac.authorization.kubernetes.io/autoupdate: "true"
// gains the rules (or subjects) a newer Glassplane added — so a data
// directory made by an older version serves the kinds added since — and
// keeps whatever was added to it by hand; one set to "false" is left alone.
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
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
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
		if err := createOrReconcile(ctx, store, obj); err != nil {
			return err
		}
	}
	return nil
}

func createOrReconcile(ctx context.Context, store *registry.Store, obj runtime.Object) error {
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
	_, err := store.Create(ctx, res, obj)
	if apierrors.IsAlreadyExists(err) {
		err = reconcile(ctx, store, res, obj)
	}
	if err != nil {
		return fmt.Errorf("creating %s %s: %w", resource, m.GetName(), err)
	}
	return nil
}

// reconcile adds to the stored default object what want has and it lacks,
// unless its autoupdate annotation is "false".
func reconcile(ctx context.Context, store *registry.Store, res *registry.Resource, want runtime.Object) error {
	m, _ := meta.Accessor(want)
	cur, err := store.Get(ctx, res, m.GetNamespace(), m.GetName())
	if err != nil {
		return err
	}
	cm, _ := meta.Accessor(cur)
	if cm.GetAnnotations()[rbacv1.AutoUpdateAnnotationKey] == "false" {
		return nil
	}
	changed := false
	switch c := cur.(type) {
	case *rbacv1.ClusterRole:
		c.Rules, changed = addMissing(c.Rules, want.(*rbacv1.ClusterRole).Rules)
	case *rbacv1.ClusterRoleBinding:
		c.Subjects, changed = addMissing(c.Subjects, want.(*rbacv1.ClusterRoleBinding).Subjects)
	case *rbacv1.RoleBinding:
		c.Subjects, changed = addMissing(c.Subjects, want.(*rbacv1.RoleBinding).Subjects)
	}
	if !changed {
		return nil
	}
	_, err = store.Update(ctx, res, cur)
	return err
}

// addMissing appends to have each of want it does not hold.
func addMissing[T any](have, want []T) ([]T, bool) {
	changed := false
	for _, w := range want {
		if !slices.ContainsFunc(have, func(h T) bool { return equality.Semantic.DeepEqual(h, w) }) {
			have = append(have, w)
			changed = true
		}
	}
	return have, changed
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
		bind("system:monitoring", "system:monitoring", group(user.MonitoringGroup)),
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
