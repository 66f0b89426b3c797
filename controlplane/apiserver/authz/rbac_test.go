package authz

import (
	"context"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/authentication/user"
)

func TestRuleAllowsMatchesLikeKubernetes(t *testing.T) {
	for _, tc := range []struct {
		name string
		rule rbacv1.PolicyRule
		a    Attributes
		want bool
	}{
		{"exact verb, group and resource", newRule("get").groups(apps).resources("deployments").rule(),
			res("get", apps, "deployments", ""), true},
		{"another verb", newRule("get").groups(apps).resources("deployments").rule(),
			res("create", apps, "deployments", ""), false},
		{"another group", newRule("get").groups(core).resources("deployments").rule(),
			res("get", apps, "deployments", ""), false},
		{"wildcards", newRule("*").groups("*").resources("*").rule(), res("delete", apps, "replicasets", "scale"), true},
		{"a resource does not cover its subresources", newRule("update").groups(core).resources("pods").rule(),
			res("update", core, "pods", "status"), false},
		{"resource/subresource", newRule("update").groups(core).resources("pods/status").rule(),
			res("update", core, "pods", "status"), true},
		{"*/subresource covers every resource's", newRule("get").groups(apps).resources("*/scale").rule(),
			res("get", apps, "deployments", "scale"), true},
		{"*/subresource does not cover the resource", newRule("get").groups(apps).resources("*/scale").rule(),
			res("get", apps, "deployments", ""), false},
		{"resourceNames match the name", newRule("get").groups(coordination).resources("leases").names("kube-scheduler").rule(),
			named(res("get", coordination, "leases", ""), "kube-scheduler"), true},
		{"resourceNames refuse other names", newRule("get").groups(coordination).resources("leases").names("kube-scheduler").rule(),
			named(res("get", coordination, "leases", ""), "other"), false},
		{"resourceNames refuse a list, which names nothing", newRule("list").groups(coordination).resources("leases").names("kube-scheduler").rule(),
			res("list", coordination, "leases", ""), false},
		{"non-resource exact path", newRule("get").urls("/version").rule(), path("get", "/version"), true},
		{"non-resource prefix", newRule("get").urls("/apis/*").rule(), path("get", "/apis/apps/v1"), true},
		{"non-resource prefix needs the prefix", newRule("get").urls("/apis/*").rule(), path("get", "/api/v1"), false},
		{"a resource rule never allows a path", newRule("*").groups("*").resources("*").rule(), path("get", "/apis"), false},
		{"a URL rule never allows a resource", newRule("*").urls("*").rule(), res("get", core, "pods", ""), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ruleAllows(tc.a, &tc.rule); got != tc.want {
				t.Errorf("ruleAllows(%+v, %+v) = %v, want %v", tc.a, tc.rule, got, tc.want)
			}
		})
	}
}

func res(verb, group, resource, sub string) Attributes {
	return Attributes{Verb: verb, APIGroup: group, Resource: resource, Subresource: sub, ResourceRequest: true}
}

func named(a Attributes, name string) Attributes { a.Name = name; return a }

func path(verb, p string) Attributes { return Attributes{Verb: verb, Path: p} }

func as(a Attributes, u user.Info, namespace string) Attributes {
	a.User, a.Namespace = u, namespace
	return a
}

func bootstrapPolicy(extra ...any) *Policy {
	var objs []any
	for _, r := range ClusterRoles() {
		objs = append(objs, r)
	}
	for _, b := range ClusterRoleBindings() {
		objs = append(objs, b)
	}
	for _, b := range RoleBindings() {
		objs = append(objs, b)
	}
	return NewPolicy(append(objs, extra...)...)
}

func TestBootstrapPolicyDecidesLikeAFreshCluster(t *testing.T) {
	authed := func(name string, groups ...string) user.Info {
		return &user.DefaultInfo{Name: name, Groups: append(groups, user.AllAuthenticated)}
	}
	alice, bob, carol := authed("alice"), authed("bob"), authed("carol")
	scheduler := authed(user.KubeScheduler)
	node := authed("system:node:n1", user.NodesGroup)
	sa := authed("system:serviceaccount:default:builder", "system:serviceaccounts", "system:serviceaccounts:default")
	builderRole := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "builder", Namespace: "default"},
		Rules: []rbacv1.PolicyRule{newRule("create").groups(core).resources("configmaps").rule()}}
	builderBinding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "builder", Namespace: "default"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "builder"}},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "builder"}}
	danglingBinding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "dangling", Namespace: "default"},
		Subjects: []rbacv1.Subject{userSubject("carol")}, RoleRef: rbacv1.RoleRef{Kind: "Role", Name: "gone"}}
	p := bootstrapPolicy(builderRole, builderBinding, danglingBinding)

	for _, tc := range []struct {
		name    string
		a       Attributes
		allowed bool
		binding string
		reason  string
	}{
		{"alice creates deployments in default", as(res("create", apps, "deployments", ""), alice, "default"), true, "alice-edit",
			`RBAC: allowed by RoleBinding "alice-edit/default" of ClusterRole "edit" to User "alice"`},
		{"alice may not create in kube-system", as(res("create", apps, "deployments", ""), alice, "kube-system"), false, "", ""},
		{"alice may not touch RBAC", as(res("create", rbacGroup, "rolebindings", ""), alice, "default"), false, "", ""},
		{"bob views everywhere", as(res("list", apps, "deployments", ""), bob, "kube-system"), true, "bob-view",
			`RBAC: allowed by ClusterRoleBinding "bob-view" of ClusterRole "view" to User "bob"`},
		{"bob may not create", as(res("create", apps, "deployments", ""), bob, "default"), false, "", ""},
		{"view does not read secrets", as(res("get", core, "secrets", ""), bob, "default"), false, "", ""},
		{"anyone signed in reads discovery", as(path("get", "/apis/apps/v1"), carol, ""), true, "system:discovery", ""},
		{"anyone signed in asks can-i", as(res("create", authorization, "selfsubjectaccessreviews", ""), carol, ""), true, "system:basic-user", ""},
		{"the scheduler binds pods", as(res("create", core, "pods", "binding"), scheduler, "default"), true, "system:kube-scheduler", ""},
		{"the scheduler may not delete nodes", as(res("delete", core, "nodes", ""), scheduler, ""), false, "", ""},
		{"a node reports pod status", as(res("patch", core, "pods", "status"), node, "default"), true, "system:node", ""},
		{"a ServiceAccount subject without namespace is the binding's",
			as(res("create", core, "configmaps", ""), sa, "default"), true, "builder",
			`RBAC: allowed by RoleBinding "builder/default" of Role "builder" to ServiceAccount "builder/default"`},
		{"a binding to a missing role denies with the error",
			as(res("get", core, "pods", ""), carol, "default"), false, "",
			`RBAC: role.rbac.authorization.k8s.io "gone" not found`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := p.Authorize(tc.a)
			if d.Allowed != tc.allowed {
				t.Fatalf("allowed = %v, want %v (%+v)", d.Allowed, tc.allowed, d)
			}
			if tc.binding != "" && (d.Binding == nil || d.Binding.Name != tc.binding || d.Rule == nil) {
				t.Errorf("evidence %+v, want binding %s with its rule", d, tc.binding)
			}
			if tc.reason != "" && d.Reason != tc.reason {
				t.Errorf("reason %q, want %q", d.Reason, tc.reason)
			}
			if !tc.allowed && d.Evidence != "no RBAC policy matched" {
				t.Errorf("evidence of a denial = %q", d.Evidence)
			}
		})
	}
}

func TestSystemMastersBypassesRBAC(t *testing.T) {
	admin := &user.DefaultInfo{Name: "admin", Groups: []string{user.SystemPrivilegedGroup}}
	d, err := NewStaticRBAC(NewPolicy()).Authorize(context.Background(), as(res("delete", core, "nodes", ""), admin, ""))
	if err != nil || !d.Allowed {
		t.Errorf("system:masters with no policy at all: %+v, %v", d, err)
	}
	d, _ = NewStaticRBAC(NewPolicy()).Authorize(context.Background(), as(res("get", core, "nodes", ""), &user.DefaultInfo{Name: "admin"}, ""))
	if d.Allowed {
		t.Error("a user named admin outside system:masters was allowed with no policy")
	}
}

// BenchmarkAuthorize measures one RBAC decision over the bootstrap policy
// plus a hundred namespaces' worth of RoleBindings: the cost every request
// pays before it reaches etcd.
func BenchmarkAuthorize(b *testing.B) {
	var extra []any
	for i := 0; i < 100; i++ {
		ns := "team-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		extra = append(extra, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "edit", Namespace: ns},
			Subjects: []rbacv1.Subject{userSubject("dev-" + ns)}, RoleRef: clusterRole("edit")})
	}
	authz := NewStaticRBAC(bootstrapPolicy(extra...))
	alice := &user.DefaultInfo{Name: "alice", Groups: []string{user.AllAuthenticated}}
	allowed := as(res("create", apps, "deployments", ""), alice, "default")
	denied := as(res("create", apps, "deployments", ""), alice, "kube-system")
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if d, _ := authz.Authorize(ctx, allowed); !d.Allowed {
			b.Fatal("alice was denied in default")
		}
		if d, _ := authz.Authorize(ctx, denied); d.Allowed {
			b.Fatal("alice was allowed in kube-system")
		}
	}
}
