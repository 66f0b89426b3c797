package controlplane_test

// A data directory made by an older Glassplane has the default roles of
// that version. On start, the default roles gain the rules a newer version
// added (kube's bootstrap-roles reconciliation), unless their autoupdate
// annotation says "false".

import (
	"context"
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

func TestARestartGivesTheDefaultRolesTheRulesANewerVersionAdded(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	cs := c.Client("admin")
	ctx := context.Background()
	roles := cs.RbacV1().ClusterRoles()
	hasJobs := func(r *rbacv1.ClusterRole) bool {
		return slices.ContainsFunc(r.Rules, func(p rbacv1.PolicyRule) bool { return slices.Contains(p.Resources, "jobs") })
	}
	strip := func(name, autoupdate string) {
		t.Helper()
		r, err := roles.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		r.Rules = slices.DeleteFunc(r.Rules, func(p rbacv1.PolicyRule) bool { return slices.Contains(p.Resources, "jobs") })
		r.Annotations[rbacv1.AutoUpdateAnnotationKey] = autoupdate
		if _, err := roles.Update(ctx, r, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// "An older version": edit and view know no Jobs; view is pinned.
	strip("edit", "true")
	strip("view", "false")
	c.Restart()
	cs = c.Client("admin")
	roles = cs.RbacV1().ClusterRoles()
	edit, err := roles.Get(ctx, "edit", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !hasJobs(edit) {
		t.Errorf("after a restart the edit role still cannot touch jobs: %v", edit.Rules)
	}
	view, err := roles.Get(ctx, "view", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if hasJobs(view) {
		t.Errorf("the view role, with autoupdate false, was changed: %v", view.Rules)
	}
}
