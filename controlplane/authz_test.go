package controlplane_test

// Authentication and RBAC authorization, driven the way users meet them:
// through client-go and both real kubectls, as admin (system:masters), alice
// (may edit in default), bob (may only view) and users with no bindings.

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/glassplane/glassplane/controlplane/apiserver"
	"github.com/glassplane/glassplane/controlplane/apiserver/authn"
	"github.com/glassplane/glassplane/controlplane/pki"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

const bobForbidden = `deployments.apps is forbidden: User "bob" cannot create resource "deployments" in API group "apps" in the namespace "default"`

func seedDeployment(t *testing.T) string {
	t.Helper()
	seed, err := os.ReadFile(filepath.Join("testdata", "hello-deployment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(seed)
}

func testDeployment(name string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx"}}}}}}
}

func clientFor(t *testing.T, cfg *rest.Config) kubernetes.Interface {
	t.Helper()
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// certClient is a client authenticating with a cluster-signed certificate.
func certClient(t *testing.T, c *testcluster.Cluster, user string, groups ...string) kubernetes.Interface {
	t.Helper()
	cfg, err := c.ClientConfig(user, groups...)
	if err != nil {
		t.Fatal(err)
	}
	return clientFor(t, cfg)
}

// eventually polls cond until it holds or 30 seconds pass.
func eventually(t *testing.T, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(waitDeadline)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still %v after %v", what, err, waitDeadline)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestKubectlBobIsForbiddenAndCanISaysNo(t *testing.T) {
	t.Parallel()
	seed := seedDeployment(t)
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.Start(t)
			out, err := c.Kubectl(bin, "admin", seed, "create", "-f", "-")
			if err != nil || !strings.Contains(out, "deployment.apps/helloworld-deployment created") {
				t.Fatalf("admin create: %v\n%s", err, out)
			}
			out, err = c.Kubectl(bin, "bob", strings.Replace(seed, "helloworld-deployment", "bobs", 1), "create", "-f", "-")
			if err == nil || !strings.Contains(out, "Error from server (Forbidden)") || !strings.Contains(out, bobForbidden) {
				t.Errorf("bob create: %v\n%s", err, out)
			}
			out, err = c.Kubectl(bin, "bob", "", "get", "deployments")
			if err != nil || !strings.Contains(out, "helloworld-deployment") {
				t.Errorf("bob may view, but get printed: %v\n%s", err, out)
			}
			for _, tc := range []struct {
				user string
				args []string
				want string
			}{
				{"admin", []string{"create", "deployments", "--as", "bob"}, "no"},
				{"bob", []string{"create", "deployments"}, "no"},
				{"bob", []string{"list", "deployments"}, "yes"},
				{"alice", []string{"create", "deployments"}, "yes"},
				{"alice", []string{"create", "deployments", "-n", "kube-system"}, "no"},
			} {
				out, _ := c.Kubectl(bin, tc.user, "", append([]string{"auth", "can-i"}, tc.args...)...)
				if got := strings.TrimSpace(out); got != tc.want {
					t.Errorf("%s: kubectl auth can-i %s printed %q, want %q", tc.user, strings.Join(tc.args, " "), got, tc.want)
				}
			}
			out, err = c.Kubectl(bin, "alice", "", "auth", "whoami")
			if err != nil || !strings.Contains(out, "alice") || !strings.Contains(out, "system:authenticated") {
				t.Errorf("auth whoami as alice: %v\n%s", err, out)
			}
		})
	}
}

func TestAliceEditsDefaultButNotKubeSystem(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx := context.Background()
	alice := c.Client("alice")
	if _, err := alice.AppsV1().Deployments("default").Create(ctx, testDeployment("web"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("alice cannot create in default: %v", err)
	}
	_, err := alice.AppsV1().Deployments("kube-system").Create(ctx, testDeployment("web"), metav1.CreateOptions{})
	want := `deployments.apps is forbidden: User "alice" cannot create resource "deployments" in API group "apps" in the namespace "kube-system"`
	if !apierrors.IsForbidden(err) || err.Error() != want {
		t.Errorf("alice in kube-system: got %v, want %q", err, want)
	}
	_, err = c.Client("bob").AppsV1().Deployments("default").Create(ctx, testDeployment("bobs"), metav1.CreateOptions{})
	if !apierrors.IsForbidden(err) || err.Error() != bobForbidden {
		t.Errorf("bob: got %v, want %q", err, bobForbidden)
	}
	// The authorize step names the binding, role and rule that allowed alice.
	found := false
	for _, s := range c.Steps.Since(0, 100000) {
		if d, ok := s.Detail.(apiserver.AuthzDetail); ok && d.User == "alice" && d.Verb == "create" && d.Decision.Allowed {
			found = d.Decision.Binding != nil && d.Decision.Binding.Name == "alice-edit" && d.Decision.Role.Name == "edit" &&
				d.Decision.Rule != nil && d.Decision.Reason == `RBAC: allowed by RoleBinding "alice-edit/default" of ClusterRole "edit" to User "alice"`
		}
	}
	if !found {
		t.Error("no authorize step shows alice allowed by RoleBinding alice-edit of ClusterRole edit")
	}
}

func TestUnauthenticatedRequestsGet401(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx := context.Background()
	admin := c.Client("admin")
	sa, err := admin.CoreV1().ServiceAccounts("default").Create(ctx,
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "builder"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	key, err := authn.LoadOrCreateServiceAccountKey(filepath.Join(c.DataDir, "pki", "sa.key"))
	if err != nil {
		t.Fatal(err)
	}
	expired, _, err := authn.NewServiceAccountTokens(key, nil).Issue(sa, nil, -time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _ := authn.LoadOrCreateServiceAccountKey(filepath.Join(t.TempDir(), "sa.key"))
	forged, _, _ := authn.NewServiceAccountTokens(otherKey, nil).Issue(sa, nil, time.Hour, nil)
	foreignCA, err := pki.LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	foreignCert, foreignKey, _ := foreignCA.ClientCert("admin", []string{"system:masters"})

	base := rest.Config{Host: "https://" + c.Addr, TLSClientConfig: rest.TLSClientConfig{CAData: c.CA.CertPEM}}
	withToken := func(tok string) *rest.Config { cfg := base; cfg.BearerToken = tok; return &cfg }
	foreign := base
	foreign.TLSClientConfig.CertData, foreign.TLSClientConfig.KeyData = foreignCert, foreignKey
	for name, cfg := range map[string]*rest.Config{
		"no credentials":               &base,
		"unknown static token":         withToken("not-a-token"),
		"expired serviceaccount token": withToken(expired),
		"forged serviceaccount token":  withToken(forged),
		"certificate from another CA":  &foreign,
	} {
		_, err := clientFor(t, cfg).CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
		if !apierrors.IsUnauthorized(err) {
			t.Errorf("%s: got %v, want 401 Unauthorized", name, err)
		}
	}
}

func TestUserWithoutBindingsIsForbiddenUntilARoleBindingAppears(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx := context.Background()
	carol := certClient(t, c, "carol")
	_, err := carol.CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
	want := `pods is forbidden: User "carol" cannot list resource "pods" in API group "" in the namespace "default"`
	if !apierrors.IsForbidden(err) || err.Error() != want {
		t.Fatalf("carol without bindings: got %v, want %q", err, want)
	}
	if _, err := carol.Discovery().ServerGroups(); err != nil {
		t.Errorf("any signed-in user may read discovery: %v", err)
	}
	rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "carol-view"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "carol"}},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"}}
	if _, err := c.Client("admin").RbacV1().RoleBindings("default").Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "carol listing pods after the RoleBinding", func() error {
		_, err := carol.CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
		return err
	})
	if _, err := carol.CoreV1().Pods("kube-system").List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("a RoleBinding in default gave carol kube-system too: %v", err)
	}
}

func TestImpersonationNeedsTheImpersonateVerb(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx := context.Background()
	cfg := c.RESTConfig("alice")
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "bob"}
	aliceAsBob := clientFor(t, cfg)
	_, err := aliceAsBob.CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
	want := `users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope`
	if !apierrors.IsForbidden(err) || err.Error() != want {
		t.Fatalf("alice as bob without the right: got %v, want %q", err, want)
	}

	admin := c.Client("admin")
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "impersonate-bob"},
		Rules: []rbacv1.PolicyRule{{Verbs: []string{"impersonate"}, APIGroups: []string{""}, Resources: []string{"users"}, ResourceNames: []string{"bob"}}}}
	crb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "alice-impersonates-bob"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "alice"}},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "impersonate-bob"}}
	if _, err := admin.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "alice listing pods as bob", func() error {
		_, err := aliceAsBob.CoreV1().Pods("kube-system").List(ctx, metav1.ListOptions{})
		return err
	})
	// As bob, alice has bob's rights, not hers.
	_, err = aliceAsBob.AppsV1().Deployments("default").Create(ctx, testDeployment("web"), metav1.CreateOptions{})
	if !apierrors.IsForbidden(err) || err.Error() != bobForbidden {
		t.Errorf("alice as bob creating: got %v, want %q", err, bobForbidden)
	}
	r, err := aliceAsBob.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil || r.Status.UserInfo.Username != "bob" {
		t.Errorf("whoami as bob: %v %+v", err, r)
	}
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "carol"}
	if _, err := clientFor(t, cfg).CoreV1().Pods("default").List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("the right to impersonate bob let alice impersonate carol: %v", err)
	}
}

func TestSubjectAccessReviewAnswersForAnotherUser(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx := context.Background()
	review := func(user string) authorizationv1.SubjectAccessReviewStatus {
		t.Helper()
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: user,
			ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: "default", Verb: "create", Group: "apps", Resource: "deployments"}}}
		out, err := c.Client("admin").AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return out.Status
	}
	if st := review("bob"); st.Allowed || st.Denied {
		t.Errorf("bob: %+v, want neither allowed nor denied (RBAC has no opinion)", st)
	}
	want := `RBAC: allowed by RoleBinding "alice-edit/default" of ClusterRole "edit" to User "alice"`
	if st := review("alice"); !st.Allowed || st.Reason != want {
		t.Errorf("alice: %+v, want allowed with reason %q", st, want)
	}
}

func TestKubectlCreateTokenWorksUntilTheServiceAccountIsDeleted(t *testing.T) {
	t.Parallel()
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.Start(t)
			ctx := context.Background()
			admin := c.Client("admin")
			_, err := admin.CoreV1().ServiceAccounts("default").Create(ctx,
				&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{})
			if err != nil && !apierrors.IsAlreadyExists(err) {
				t.Fatal(err)
			}
			out, err := c.Kubectl(bin, "alice", "", "create", "token", "default")
			if err != nil {
				t.Fatalf("kubectl create token: %v\n%s", err, out)
			}
			cfg := rest.Config{Host: "https://" + c.Addr, BearerToken: strings.TrimSpace(out),
				TLSClientConfig: rest.TLSClientConfig{CAData: c.CA.CertPEM}}
			sa := clientFor(t, &cfg)
			r, err := sa.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
			if err != nil {
				t.Fatalf("whoami with the token: %v", err)
			}
			u := r.Status.UserInfo
			if u.Username != "system:serviceaccount:default:default" || !contains(u.Groups, "system:serviceaccounts:default") {
				t.Errorf("the token authenticates as %+v", u)
			}
			if err := admin.CoreV1().ServiceAccounts("default").Delete(ctx, "default", metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
			_, err = sa.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
			if !apierrors.IsUnauthorized(err) {
				t.Errorf("after deleting the ServiceAccount its token gave %v, want 401", err)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestKubectlCanIListShowsWhatRBACGivesEachUser: `kubectl auth can-i
// --list` (a SelfSubjectRulesReview) lists the rules of the roles bound to
// the user in the namespace: alice edits default, bob only views, and
// neither reaches kube-system beyond the rules every user has.
func TestKubectlCanIListShowsWhatRBACGivesEachUser(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			list := func(user string, args ...string) string {
				t.Helper()
				out, err := c.Kubectl(bin, user, "", append([]string{"auth", "can-i", "--list"}, args...)...)
				if err != nil {
					t.Fatalf("%s: kubectl auth can-i --list %v: %v\n%s", user, args, err, out)
				}
				return out
			}
			row := regexp.MustCompile(`(?m)^deployments\.apps\s+\[\]\s+\[\]\s+\[(.*)\]$`)
			verbs := func(out string) string {
				if m := row.FindStringSubmatch(out); m != nil {
					return m[1]
				}
				return ""
			}
			if v := verbs(list("alice")); !strings.Contains(v, "create") || !strings.Contains(v, "delete") {
				t.Errorf("alice's deployments.apps verbs in default: %q, want edit's (create, delete, …)", v)
			}
			if v := verbs(list("bob")); !strings.Contains(v, "list") || strings.Contains(v, "create") {
				t.Errorf("bob's deployments.apps verbs in default: %q, want view's (get, list, watch) only", v)
			}
			if out := list("alice", "-n", "kube-system"); verbs(out) != "" || !strings.Contains(out, "selfsubjectaccessreviews.authorization.k8s.io") {
				t.Errorf("alice in kube-system lists deployments or lacks the rules every user has:\n%s", out)
			}
			if out := list("admin"); !strings.Contains(out, "*.*") {
				t.Errorf("admin (system:masters) may do anything, but can-i --list printed:\n%s", out)
			}
		})
	}
}
