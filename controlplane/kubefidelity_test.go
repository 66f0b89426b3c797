package controlplane_test

// Places where a client can tell Glassplane from kube-apiserver: each test
// asks what kubectl (both binaries) or client-go asks, and expects the answer
// Kubernetes gives.

import (
	"context"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/pager"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// kubectlRunner runs one kubectl as admin against c and fails the test on error.
func kubectlRunner(t *testing.T, c *testcluster.Cluster, bin []string) func(stdin string, args ...string) string {
	return func(stdin string, args ...string) string {
		t.Helper()
		out, err := c.Kubectl(bin, "admin", stdin, args...)
		if err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
}

func createConfigMaps(t *testing.T, c *testcluster.Cluster, names ...string) {
	t.Helper()
	cms := c.Client("admin").CoreV1().ConfigMaps("default")
	for _, n := range names {
		if _, err := cms.Create(context.Background(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: n}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestKubectlServerDryRunDeleteKeepsObjects(t *testing.T) {
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.Start(t)
			run := kubectlRunner(t, c, bin)
			createConfigMaps(t, c, "x", "y")
			out := run("", "delete", "cm", "x", "--dry-run=server")
			if !strings.Contains(out, `configmap "x" deleted`) || !strings.Contains(out, "(server dry run)") {
				t.Errorf("delete --dry-run=server printed %q", out)
			}
			run("", "delete", "cm", "--all", "--dry-run=server")
			out = run("", "get", "cm", "-o", "name")
			if !strings.Contains(out, "configmap/x") || !strings.Contains(out, "configmap/y") {
				t.Errorf("after server dry-run deletes, get cm printed %q; want x and y kept", out)
			}
		})
	}
}

func TestDeleteOptionsInTheBodyAreHonoured(t *testing.T) {
	c := testcluster.Start(t)
	ctx := context.Background()
	cms := c.Client("admin").CoreV1().ConfigMaps("default")
	createConfigMaps(t, c, "a", "b")
	dry := metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}}
	if err := cms.Delete(ctx, "a", dry); err != nil {
		t.Fatal(err)
	}
	if err := cms.DeleteCollection(ctx, dry, metav1.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	if l, err := cms.List(ctx, metav1.ListOptions{}); err != nil || len(l.Items) != 2 {
		t.Fatalf("after dry-run deletes: %v %v, want a and b kept", l, err)
	}
	if code, body := raw(t, c, false, "DELETE", "/api/v1/namespaces/default/configmaps/a?dryRun=All", "", ""); code != 200 {
		t.Fatalf("?dryRun=All delete: %d %s", code, body)
	}
	if _, err := cms.Get(ctx, "a", metav1.GetOptions{}); err != nil {
		t.Fatalf("?dryRun=All deleted the object: %v", err)
	}
	if err := cms.Delete(ctx, "a", metav1.DeleteOptions{DryRun: []string{"Some"}}); !apierrors.IsInvalid(err) {
		t.Errorf("dryRun [Some]: %v, want Invalid", err)
	}

	cur, _ := cms.Get(ctx, "a", metav1.GetOptions{})
	stale := metav1.DeleteOptions{Preconditions: &metav1.Preconditions{ResourceVersion: ptr.To("1")}}
	if err := cms.Delete(ctx, "a", stale); !apierrors.IsConflict(err) {
		t.Errorf("delete with a stale resourceVersion precondition: %v, want Conflict", err)
	}
	other := metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: ptr.To(types.UID("not-" + string(cur.UID)))}}
	if err := cms.Delete(ctx, "a", other); !apierrors.IsConflict(err) {
		t.Errorf("delete with another UID precondition: %v, want Conflict", err)
	}
	exact := metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &cur.UID, ResourceVersion: &cur.ResourceVersion}}
	if err := cms.Delete(ctx, "a", exact); err != nil {
		t.Fatalf("delete with matching preconditions: %v", err)
	}

	// gracePeriodSeconds from the body: a pod on a node goes at once with 0.
	pods := c.Client("admin").CoreV1().Pods("default")
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Spec: corev1.PodSpec{NodeName: "node-1",
		Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
	if _, err := pods.Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := pods.Delete(ctx, "p", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := pods.Get(ctx, "p", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("a pod deleted with gracePeriodSeconds 0 in the body: %v, want NotFound", err)
	}
}

func TestKubectlReplaceRawWithoutResourceVersionUpdates(t *testing.T) {
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.Start(t)
			run := kubectlRunner(t, c, bin)
			createConfigMaps(t, c, "x")
			body := `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"default"},"data":{"k":"replaced"}}`
			run(body, "replace", "--raw", "/api/v1/namespaces/default/configmaps/x", "-f", "-")
			out := run("", "get", "cm", "x", "-o", "jsonpath={.data.k}")
			if out != "replaced" {
				t.Errorf("after replace --raw without a resourceVersion, data.k is %q", out)
			}
		})
	}
}

func TestUpdateWithoutResourceVersionIsUnconditional(t *testing.T) {
	c := testcluster.Start(t)
	ctx := context.Background()
	cms := c.Client("admin").CoreV1().ConfigMaps("default")
	createConfigMaps(t, c, "x")
	for i, rv := range []string{"", "0"} {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x", ResourceVersion: rv},
			Data: map[string]string{"n": strings.Repeat("i", i+1)}}
		got, err := cms.Update(ctx, cm, metav1.UpdateOptions{})
		if err != nil {
			t.Fatalf("update with resourceVersion %q: %v", rv, err)
		}
		if got.Data["n"] != cm.Data["n"] || got.ResourceVersion == "" || got.ResourceVersion == "0" {
			t.Errorf("update with resourceVersion %q answered %v", rv, got)
		}
	}
	stale := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x", ResourceVersion: "1"}}
	if _, err := cms.Update(ctx, stale, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Errorf("update with a stale resourceVersion: %v, want Conflict", err)
	}
	if _, err := cms.Update(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "nope"}}, metav1.UpdateOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("unconditional update of a missing object: %v, want NotFound", err)
	}
}

func TestKubectlCannotDeleteTheClusterNamespaces(t *testing.T) {
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.Start(t)
			ctx := context.Background()
			nss := c.Client("admin").CoreV1().Namespaces()
			if _, err := nss.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "scratch"}}, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			for _, ns := range []string{"default", "kube-system", "kube-public"} {
				out, err := c.Kubectl(bin, "admin", "", "delete", "ns", ns, "--wait=false")
				want := `namespaces "` + ns + `" is forbidden: this namespace may not be deleted`
				if err == nil || !strings.Contains(out, want) {
					t.Errorf("delete ns %s: %v %q, want an error saying %q", ns, err, out, want)
				}
			}
			if out, err := c.Kubectl(bin, "admin", "", "delete", "ns", "--all", "--wait=false"); err == nil {
				t.Errorf("delete ns --all succeeded: %q", out)
			}
			for _, ns := range []string{"default", "kube-system", "kube-public"} {
				got, err := nss.Get(ctx, ns, metav1.GetOptions{})
				if err != nil || got.DeletionTimestamp != nil || got.Status.Phase != corev1.NamespaceActive {
					t.Errorf("after delete ns --all, %s is %v (%v), want it Active", ns, got, err)
				}
			}
			if got, err := nss.Get(ctx, "scratch", metav1.GetOptions{}); err == nil && got.DeletionTimestamp == nil {
				t.Errorf("delete ns --all left scratch alone")
			}
		})
	}
}

func TestSecretStringDataIsStoredAsData(t *testing.T) {
	c := testcluster.Start(t)
	ctx := context.Background()
	secrets := c.Client("admin").CoreV1().Secrets("default")
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db"}, Data: map[string][]byte{"user": []byte("old")},
		StringData: map[string]string{"user": "admin", "password": "s3cret"}}
	if _, err := secrets.Create(ctx, s, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	check := func(when string, want map[string]string) {
		t.Helper()
		got, err := secrets.Get(ctx, "db", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.StringData != nil || len(got.Data) != len(want) {
			t.Errorf("after %s: data %q stringData %q, want data %q only", when, got.Data, got.StringData, want)
		}
		for k, v := range want {
			if string(got.Data[k]) != v {
				t.Errorf("after %s: data[%s] = %q, want %q", when, k, got.Data[k], v)
			}
		}
	}
	check("create", map[string]string{"user": "admin", "password": "s3cret"})

	cur, _ := secrets.Get(ctx, "db", metav1.GetOptions{})
	cur.StringData = map[string]string{"password": "rotated"}
	if _, err := secrets.Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	check("update", map[string]string{"user": "admin", "password": "rotated"})

	if _, err := secrets.Patch(ctx, "db", types.MergePatchType, []byte(`{"stringData":{"token":"abc"}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	check("patch", map[string]string{"user": "admin", "password": "rotated", "token": "abc"})
}

func TestKubectlGetInChunksListsEverything(t *testing.T) {
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.Start(t)
			createConfigMaps(t, c, "a", "b", "c", "d", "e")
			out := kubectlRunner(t, c, bin)("", "get", "cm", "--chunk-size=2", "-v=6")
			if !strings.Contains(out, "limit=2") || !strings.Contains(out, "continue=") {
				t.Errorf("kubectl get --chunk-size=2 did not read in chunks:\n%s", out)
			}
			for _, n := range []string{"a", "b", "c", "d", "e"} {
				if !strings.Contains(out, "\n"+n+" ") {
					t.Errorf("kubectl get --chunk-size=2 lacks %s:\n%s", n, out)
				}
			}
			if strings.Count(out, "NAME") != 1 {
				t.Errorf("kubectl get --chunk-size=2 printed the header more than once:\n%s", out)
			}
		})
	}
}

func TestListPagingFollowsKubernetes(t *testing.T) {
	c := testcluster.Start(t)
	ctx := context.Background()
	cms := c.Client("admin").CoreV1().ConfigMaps("default")
	createConfigMaps(t, c, "a", "b", "c", "d", "e")

	first, err := cms.List(ctx, metav1.ListOptions{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Items) != 2 || first.Continue == "" || first.RemainingItemCount == nil || *first.RemainingItemCount != 3 {
		t.Fatalf("first chunk: %d items, continue %q, remaining %v; want 2, a token, 3", len(first.Items), first.Continue, first.RemainingItemCount)
	}
	// Later chunks read the first chunk's snapshot: f, created now, is not in it.
	createConfigMaps(t, c, "f")
	rest, err := cms.List(ctx, metav1.ListOptions{Continue: first.Continue})
	if err != nil {
		t.Fatal(err)
	}
	if len(rest.Items) != 3 || rest.Continue != "" || rest.ResourceVersion != first.ResourceVersion {
		t.Errorf("the rest: %d items, continue %q, resourceVersion %s; want c d e, no token, %s",
			len(rest.Items), rest.Continue, rest.ResourceVersion, first.ResourceVersion)
	}

	pages := 0
	p := pager.New(func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
		pages++
		return cms.List(ctx, opts)
	})
	p.PageSize = 2
	all, _, err := p.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if items, _ := meta.ExtractList(all); len(items) != 6 || pages != 3 {
		t.Errorf("the pager read %d configmaps in %d pages, want 6 in 3", len(items), pages)
	}

	for _, n := range []string{"a", "c", "e"} {
		cm, _ := cms.Get(ctx, n, metav1.GetOptions{})
		cm.Labels = map[string]string{"pick": "yes"}
		if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	picked, err := cms.List(ctx, metav1.ListOptions{LabelSelector: "pick=yes", Limit: 2})
	if err != nil || len(picked.Items) != 2 || picked.Continue == "" || picked.RemainingItemCount != nil {
		t.Fatalf("selected chunk: %v %v; want 2 items, a token and no remainingItemCount", picked, err)
	}
	picked, err = cms.List(ctx, metav1.ListOptions{LabelSelector: "pick=yes", Limit: 2, Continue: picked.Continue})
	if err != nil || len(picked.Items) != 1 || picked.Items[0].Name != "e" {
		t.Errorf("second selected chunk: %v %v; want e", picked, err)
	}

	_, err = cms.List(ctx, metav1.ListOptions{Limit: 2, Continue: "bogus"})
	if !apierrors.IsBadRequest(err) || !strings.Contains(err.Error(), "invalid continue token: continue key is not valid") {
		t.Errorf("a bogus continue token: %v, want 400 invalid continue token", err)
	}
	_, err = cms.List(ctx, metav1.ListOptions{Continue: first.Continue, ResourceVersion: first.ResourceVersion})
	if !apierrors.IsBadRequest(err) || !strings.Contains(err.Error(), "specifying resource version is not allowed when using continue") {
		t.Errorf("continue with a resourceVersion: %v, want 400", err)
	}
}

func TestFailingJSONPatchTestIsUnprocessable(t *testing.T) {
	c := testcluster.Start(t)
	createConfigMaps(t, c, "x")
	cms := c.Client("admin").CoreV1().ConfigMaps("default")
	_, err := cms.Patch(context.Background(), "x", types.JSONPatchType, []byte(`[{"op":"test","path":"/metadata/name","value":"y"}]`), metav1.PatchOptions{})
	if st, ok := err.(apierrors.APIStatus); !ok || st.Status().Code != 422 || !apierrors.IsInvalid(err) {
		t.Errorf("a failing JSON patch test op: %v, want 422 Invalid", err)
	}
}

func TestStrictDecodingErrorNamesTheKind(t *testing.T) {
	want := `ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "colour"`
	c := testcluster.Start(t)
	code, body := raw(t, c, false, "POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", "application/json",
		`{"metadata":{"name":"x"},"colour":"blue"}`)
	if code != 400 || !strings.Contains(body, strings.ReplaceAll(want, `"`, `\"`)) {
		t.Errorf("strict unknown field: %d %s, want 400 saying %s", code, body, want)
	}
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			out, err := c.Kubectl(bin, "admin", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-z\ncolour: blue\n", "create", "-f", "-")
			if err == nil || !strings.Contains(out, want) {
				t.Errorf("kubectl create with an unknown field: %v %q, want %q", err, out, want)
			}
		})
	}
}

func TestContinueTokenFromACompactedRevisionIsGone(t *testing.T) {
	c := testcluster.Start(t)
	ctx := context.Background()
	cms := c.Client("admin").CoreV1().ConfigMaps("default")
	createConfigMaps(t, c, "a", "b", "c")
	first, err := cms.List(ctx, metav1.ListOptions{Limit: 1})
	if err != nil || first.Continue == "" {
		t.Fatalf("first chunk: %v %v", first, err)
	}
	createConfigMaps(t, c, "d") // a revision after the token's, to compact up to
	d, _ := cms.Get(ctx, "d", metav1.GetOptions{})
	rev, _ := strconv.ParseInt(d.ResourceVersion, 10, 64)
	if _, err := c.Etcd.Client.Compact(ctx, rev); err != nil {
		t.Fatal(err)
	}
	_, err = cms.List(ctx, metav1.ListOptions{Limit: 1, Continue: first.Continue})
	st, ok := err.(apierrors.APIStatus)
	if !ok || !apierrors.IsResourceExpired(err) || st.Status().ListMeta.Continue == "" ||
		!strings.Contains(err.Error(), "The provided continue parameter is too old to display a consistent list result") {
		t.Fatalf("continuing from a compacted revision: %v, want 410 Expired with a fresh token", err)
	}
	// The fresh token reads the rest at the latest revision: b, c and d.
	rest, err := cms.List(ctx, metav1.ListOptions{Continue: st.Status().ListMeta.Continue})
	if err != nil || len(rest.Items) != 3 {
		t.Errorf("the rest after a 410: %v %v, want b, c and d", rest, err)
	}
}

func TestStaleResourceVersionIsAConflictBeforeValidation(t *testing.T) {
	c := testcluster.Start(t)
	ctx := context.Background()
	cms := c.Client("admin").CoreV1().ConfigMaps("default")
	createConfigMaps(t, c, "x")
	stale := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x", ResourceVersion: "1",
		Labels: map[string]string{"not a valid key!": "v"}}}
	if _, err := cms.Update(ctx, stale, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Errorf("an invalid update with a stale resourceVersion: %v, want Conflict", err)
	}
	patch := []byte(`{"metadata":{"resourceVersion":"1","labels":{"not a valid key!":"v"}}}`)
	if _, err := cms.Patch(ctx, "x", types.StrategicMergePatchType, patch, metav1.PatchOptions{}); !apierrors.IsConflict(err) {
		t.Errorf("an invalid patch pinned to a stale resourceVersion: %v, want Conflict", err)
	}
}
