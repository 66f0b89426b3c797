package controlplane_test

// Server-side apply and managedFields, through both real kubectls: who set
// which field is recorded on every write, `kubectl apply --server-side`
// creates, merges and removes what its manifest no longer names, a field
// another manager set is a conflict until --force-conflicts takes it over,
// and the seed's apps/v1beta2 manifest applies as it is.

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

const ssaConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: blue
  size: large
`

// owners maps each manager of obj (with its operation and subresource) to
// whether it owns the field given as a FieldsV1 path like "f:data/f:color".
func owns(entries []metav1.ManagedFieldsEntry, manager, operation, path string) bool {
	for _, e := range entries {
		if e.Manager != manager || string(e.Operation) != operation || e.FieldsV1 == nil {
			continue
		}
		raw := string(e.FieldsV1.Raw)
		ok := true
		for _, part := range strings.Split(path, "/") {
			if !strings.Contains(raw, `"`+part+`"`) {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func managers(entries []metav1.ManagedFieldsEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Manager+" "+string(e.Operation)+" "+e.Subresource)
	}
	return out
}

func TestServerSideApplyWithBothKubectls(t *testing.T) {
	t.Parallel()
	seed := seedDeployment(t)
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.StartCascade(t)
			cs := c.Client("admin")
			ctx := context.Background()
			run := func(stdin string, args ...string) (string, error) {
				t.Helper()
				return c.Kubectl(bin, "admin", stdin, args...)
			}
			must := func(stdin string, args ...string) string {
				t.Helper()
				out, err := run(stdin, args...)
				if err != nil {
					t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return out
			}
			cm := func() *corev1.ConfigMap {
				t.Helper()
				got, err := cs.CoreV1().ConfigMaps("default").Get(ctx, "settings", metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				return got
			}

			// A dry run changes nothing; the real apply creates.
			must(ssaConfigMap, "apply", "--server-side", "--dry-run=server", "-f", "-")
			if _, err := cs.CoreV1().ConfigMaps("default").Get(ctx, "settings", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				t.Fatalf("after a server-side dry run the ConfigMap exists: %v", err)
			}
			if out := must(ssaConfigMap, "apply", "--server-side", "-f", "-"); !strings.Contains(out, "configmap/settings serverside-applied") {
				t.Errorf("apply --server-side printed %q", out)
			}
			if got := cm(); !owns(got.ManagedFields, "kubectl", "Apply", "f:data/f:color") {
				t.Errorf("after the apply, managers %v; want kubectl's Apply owning data.color", managers(got.ManagedFields))
			}

			// Another manager changes a field the apply set: a conflict.
			must("", "patch", "configmap", "settings", "--type=merge", "-p", `{"data":{"color":"red"}}`, "--field-manager=ops")
			if got := cm(); !owns(got.ManagedFields, "ops", "Update", "f:data/f:color") {
				t.Errorf("after the patch, managers %v; want ops owning data.color", managers(got.ManagedFields))
			}
			out, err := run(ssaConfigMap, "apply", "--server-side", "-f", "-")
			if err == nil || !strings.Contains(out, `conflict with "ops"`) || !strings.Contains(out, ".data.color") {
				t.Errorf("apply over ops's field: err %v, printed %q; want a conflict naming ops and .data.color", err, out)
			}
			if got := cm(); got.Data["color"] != "red" {
				t.Errorf("a refused apply changed color to %q", got.Data["color"])
			}
			must(ssaConfigMap, "apply", "--server-side", "--force-conflicts", "-f", "-")
			got := cm()
			if got.Data["color"] != "blue" || owns(got.ManagedFields, "ops", "Update", "f:data/f:color") {
				t.Errorf("after --force-conflicts: color %q, managers %v; want blue, taken from ops", got.Data["color"], managers(got.ManagedFields))
			}

			// A field the manifest no longer names is removed.
			must(strings.Replace(ssaConfigMap, "  size: large\n", "", 1), "apply", "--server-side", "-f", "-")
			if got := cm(); got.Data["size"] != "" || got.Data["color"] != "blue" {
				t.Errorf("after applying without size: data %v", got.Data)
			}

			// The article's manifest, in apps/v1beta2, applies as it is; the
			// controllers' and kubelets' writes are recorded under their names.
			if out := must(seed, "apply", "--server-side", "-f", "-"); !strings.Contains(out, "deployment.apps/helloworld-deployment serverside-applied") {
				t.Errorf("apply --server-side of the seed printed %q", out)
			}
			d, err := cs.AppsV1().Deployments("default").Get(ctx, "helloworld-deployment", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(d.ManagedFields, func(e metav1.ManagedFieldsEntry) bool {
				return e.Manager == "kubectl" && e.Operation == metav1.ManagedFieldsOperationApply && e.APIVersion == "apps/v1beta2"
			}) {
				t.Errorf("the seed's Deployment has managers %v; want kubectl's Apply in apps/v1beta2", managers(d.ManagedFields))
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				pods, err := cs.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=helloworld-pod"})
				if err != nil {
					t.Fatal(err)
				}
				if len(pods.Items) > 0 && slices.Contains(managers(pods.Items[0].ManagedFields), "kubelet Update status") &&
					slices.Contains(managers(pods.Items[0].ManagedFields), "kube-controller-manager Update ") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the seed's pods never showed the controller manager's create and the kubelet's status: %v", pods.Items)
				}
				time.Sleep(50 * time.Millisecond)
			}

			// kubectl create names itself; the server keeps what it recorded.
			must("", "create", "configmap", "plain", "--from-literal=a=b")
			plain, err := cs.CoreV1().ConfigMaps("default").Get(ctx, "plain", metav1.GetOptions{})
			if err != nil || !owns(plain.ManagedFields, "kubectl-create", "Update", "f:data/f:a") {
				t.Errorf("kubectl create: managers %v, %v", managers(plain.ManagedFields), err)
			}
		})
	}
}

// TestServerSideApplyIsRefusedWithoutAFieldManager: kube-apiserver requires
// an apply to name its manager, and refuses an applied configuration of
// another kind or name than the URL's.
func TestServerSideApplyIsRefusedWithoutAFieldManager(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	rc := c.Client("admin").CoreV1().RESTClient()
	body := []byte(ssaConfigMap)
	res := rc.Patch(types.ApplyPatchType).Namespace("default").Resource("configmaps").Name("settings").Body(body).Do(context.Background())
	var code int
	res.StatusCode(&code)
	if err := res.Error(); code != http.StatusUnprocessableEntity || !strings.Contains(err.Error(), "fieldManager") {
		t.Errorf("an apply without fieldManager: %d %v; want 422 naming fieldManager", code, err)
	}
	res = rc.Patch(types.ApplyPatchType).Namespace("default").Resource("configmaps").Name("other").
		Param("fieldManager", "me").Body(body).Do(context.Background())
	res.StatusCode(&code)
	if err := res.Error(); code != http.StatusBadRequest || !strings.Contains(err.Error(), "does not match the name on the URL") {
		t.Errorf("an apply of another name: %d %v; want 400", code, err)
	}
	res = rc.Patch(types.ApplyPatchType).Namespace("default").Resource("configmaps").Name("settings").
		Param("fieldManager", "me").Body(body).Do(context.Background())
	res.StatusCode(&code)
	if err := res.Error(); err != nil || code != http.StatusCreated {
		t.Errorf("an apply that creates: %d %v; want 201", code, err)
	}
}

// TestAnUnservedTypeIsAnsweredAsKubernetesDoes: a type Glassplane does not
// serve is "the server could not find the requested resource", which is
// what kubectl prints against a real cluster without it, not a missing
// object with an empty name.
func TestAnUnservedTypeIsAnsweredAsKubernetesDoes(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	fs := `{"apiVersion":"flowcontrol.apiserver.k8s.io/v1","kind":"FlowSchema","metadata":{"name":"web"},"spec":{"priorityLevelConfiguration":{"name":"workload-low"}}}`
	for name, bin := range kubectls(t) {
		out, err := c.Kubectl(bin, "admin", fs, "create", "--raw", "/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas", "-f", "-")
		if err == nil || !strings.Contains(out, "the server could not find the requested resource") || strings.Contains(out, `""`) {
			t.Errorf("%s create of a FlowSchema: %v\n%s", name, err, out)
		}
	}
}
