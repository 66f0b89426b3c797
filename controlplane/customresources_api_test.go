package controlplane_test

// Custom resources through client-go, as a controller or an operator sees
// them: the dynamic client and a dynamic informer against the CRD's
// group-version-resource, per sandbox, across a restart, under RBAC, and
// with the status subresource.

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
	"sigs.k8s.io/yaml"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

var (
	crdGVR     = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	cronTabGVR = schema.GroupVersionResource{Group: "stable.example.com", Version: "v1", Resource: "crontabs"}
)

func dynamicFor(t *testing.T, c *testcluster.Cluster, user string) dynamic.Interface {
	t.Helper()
	d, err := dynamic.NewForConfig(c.RESTConfig(user))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func fromYAML(t *testing.T, doc string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

// applyCronTabCRD creates the CronTab CRD and waits up to 30 s until its
// resource answers.
func applyCronTabCRD(t *testing.T, d dynamic.Interface) {
	t.Helper()
	ctx := context.Background()
	if _, err := d.Resource(crdGVR).Create(ctx, fromYAML(t, readTestdata(t, "crontab-crd.yaml")), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitServed(t, d, true)
}

// waitServed waits up to 30 s for crontabs to be served (or not).
func waitServed(t *testing.T, d dynamic.Interface, served bool) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := d.Resource(cronTabGVR).Namespace("default").List(ctx, metav1.ListOptions{})
		return (err == nil) == served, nil
	})
	if err != nil {
		t.Fatalf("crontabs served=%v never came true", served)
	}
}

func cronTab(t *testing.T, name string) *unstructured.Unstructured {
	u := fromYAML(t, readTestdata(t, "crontab.yaml"))
	u.SetName(name)
	return u
}

func TestACustomResourceIsServedOnlyInTheSandboxWhoseCRDDefinesIt(t *testing.T) {
	t.Parallel()
	a := testcluster.Start(t)
	b := testcluster.StartWith(t, controlplane.Config{Nodes: -1, Etcd: a.Etcd, Prefix: "/sandboxes/b/registry"})
	da, db := dynamicFor(t, a, "admin"), dynamicFor(t, b, "admin")
	applyCronTabCRD(t, da)
	if _, err := da.Resource(cronTabGVR).Namespace("default").Create(context.Background(), cronTab(t, "in-a"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := db.Resource(cronTabGVR).Namespace("default").List(context.Background(), metav1.ListOptions{})
	if !apierrors.IsNotFound(err) || !strings.Contains(err.Error(), "the server could not find the requested resource") {
		t.Errorf("the other sandbox serves crontabs: %v", err)
	}
	groups, err := b.Client("admin").Discovery().ServerGroups()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups.Groups {
		if g.Name == "stable.example.com" {
			t.Errorf("the other sandbox's discovery lists stable.example.com")
		}
	}
	keys, err := a.Etcd.Client.Get(context.Background(), "/registry/stable.example.com/crontabs/default/in-a")
	if err != nil || len(keys.Kvs) != 1 {
		t.Errorf("the custom object is not stored at /registry/stable.example.com/crontabs/default/in-a: %v %v", keys, err)
	}
}

func TestEstablishedCRDsAreServedAgainAfterARestart(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	applyCronTabCRD(t, dynamicFor(t, c, "admin"))
	if _, err := dynamicFor(t, c, "admin").Resource(cronTabGVR).Namespace("default").Create(context.Background(), cronTab(t, "kept"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	c.Restart()
	got, err := dynamicFor(t, c, "admin").Resource(cronTabGVR).Namespace("default").Get(context.Background(), "kept", metav1.GetOptions{})
	if err != nil || got.GetName() != "kept" {
		t.Fatalf("after a restart: %v, %v", got, err)
	}
}

func TestCustomResourcesAreAuthorizedByRBACLikeAnyResource(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx := context.Background()
	applyCronTabCRD(t, dynamicFor(t, c, "admin"))
	bob := dynamicFor(t, c, "bob").Resource(cronTabGVR).Namespace("default")
	_, err := bob.Create(ctx, cronTab(t, "bobs"), metav1.CreateOptions{})
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), `User "bob" cannot create resource "crontabs" in API group "stable.example.com" in the namespace "default"`) {
		t.Fatalf("bob without a role: %v", err)
	}
	cs := c.Client("admin")
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "crontab-editor"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{"stable.example.com"}, Resources: []string{"crontabs"}, Verbs: []string{"*"}}}}
	if _, err := cs.RbacV1().Roles("default").Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "bob-crontabs"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "crontab-editor"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "bob"}}}
	if _, err := cs.RbacV1().RoleBindings("default").Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := bob.Create(ctx, cronTab(t, "bobs"), metav1.CreateOptions{})
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("bob with a Role on crontabs still cannot create one")
	}
}

func TestTheStatusSubresourceSeparatesSpecFromStatus(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx := context.Background()
	d := dynamicFor(t, c, "admin")
	applyCronTabCRD(t, d)
	r := d.Resource(cronTabGVR).Namespace("default")
	obj := cronTab(t, "st")
	obj.Object["status"] = map[string]any{"replicas": int64(7)}
	created, err := r.Create(ctx, obj, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := created.Object["status"]; ok {
		t.Errorf("create kept the status: %v", created.Object["status"])
	}
	if created.GetGeneration() != 1 {
		t.Errorf("generation %d on create", created.GetGeneration())
	}
	_ = unstructured.SetNestedField(created.Object, int64(2), "status", "replicas")
	_ = unstructured.SetNestedField(created.Object, "*/2 * * * *", "spec", "cronSpec")
	st, err := r.UpdateStatus(ctx, created, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n, _, _ := unstructured.NestedInt64(st.Object, "status", "replicas"); n != 2 {
		t.Errorf("status after UpdateStatus: %d", n)
	}
	if s, _, _ := unstructured.NestedString(st.Object, "spec", "cronSpec"); s != "* * * * */5" || st.GetGeneration() != 1 {
		t.Errorf("UpdateStatus changed the spec: %q, generation %d", s, st.GetGeneration())
	}
	_ = unstructured.SetNestedField(st.Object, int64(9), "status", "replicas")
	_ = unstructured.SetNestedField(st.Object, int64(4), "spec", "replicas")
	up, err := r.Update(ctx, st, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n, _, _ := unstructured.NestedInt64(up.Object, "status", "replicas"); n != 2 || up.GetGeneration() != 2 {
		t.Errorf("an update of the object: status.replicas %d (want 2), generation %d (want 2)", n, up.GetGeneration())
	}
}

func TestADynamicInformerFollowsCustomObjectsWithSelectors(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := dynamicFor(t, c, "admin")
	applyCronTabCRD(t, d)
	f := dynamicinformer.NewFilteredDynamicSharedInformerFactory(d, 0, "default", func(o *metav1.ListOptions) {
		o.LabelSelector = "team=web"
	})
	inf := f.ForResource(cronTabGVR).Informer()
	f.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		t.Fatal("the informer never synced")
	}
	r := d.Resource(cronTabGVR).Namespace("default")
	for _, name := range []string{"web-1", "other"} {
		obj := cronTab(t, name)
		if name == "web-1" {
			obj.SetLabels(map[string]string{"team": "web"})
		}
		if _, err := r.Create(ctx, obj, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	err := wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		return len(inf.GetStore().ListKeys()) == 1, nil
	})
	if err != nil || inf.GetStore().ListKeys()[0] != "default/web-1" {
		t.Fatalf("the informer holds %v, want only default/web-1", inf.GetStore().ListKeys())
	}
	list, err := r.List(ctx, metav1.ListOptions{FieldSelector: "metadata.name=other"})
	if err != nil || len(list.Items) != 1 || list.Items[0].GetName() != "other" {
		t.Errorf("a field selector on metadata.name: %v, %v", list, err)
	}
	if err := r.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		return len(inf.GetStore().ListKeys()) == 0, nil
	})
	if err != nil {
		t.Errorf("after deletecollection the informer still holds %v", inf.GetStore().ListKeys())
	}
}

func TestTheGarbageCollectorAndNamespaceDeletionHandleCustomObjects(t *testing.T) {
	t.Parallel()
	c := testcluster.StartCascade(t)
	ctx := context.Background()
	d := dynamicFor(t, c, "admin")
	applyCronTabCRD(t, d)
	cms := c.Client("admin").CoreV1().ConfigMaps("default")
	crons := d.Resource(cronTabGVR).Namespace("default")

	// A custom object owned by a ConfigMap goes with it.
	owner, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "owner"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dep := cronTab(t, "owned-by-configmap")
	dep.SetOwnerReferences([]metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: owner.Name, UID: owner.UID}})
	if _, err := crons.Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// A ConfigMap owned by a custom object goes with it.
	cronOwner, err := crons.Create(ctx, cronTab(t, "owner-cron"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "owned-by-cron",
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "stable.example.com/v1", Kind: "CronTab", Name: cronOwner.GetName(), UID: cronOwner.GetUID()}}}},
		metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := cms.Delete(ctx, "owner", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := crons.Delete(ctx, "owner-cron", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, e1 := crons.Get(ctx, "owned-by-configmap", metav1.GetOptions{})
		_, e2 := cms.Get(ctx, "owned-by-cron", metav1.GetOptions{})
		return apierrors.IsNotFound(e1) && apierrors.IsNotFound(e2), nil
	})
	if err != nil {
		t.Errorf("the dependents outlived their owners")
	}

	// Deleting a namespace deletes its custom objects.
	if _, err := c.Client("admin").CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "crons"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	in := d.Resource(cronTabGVR).Namespace("crons")
	if _, err := in.Create(ctx, cronTab(t, "in-crons"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.Client("admin").CoreV1().Namespaces().Delete(ctx, "crons", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := c.Client("admin").CoreV1().Namespaces().Get(ctx, "crons", metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		t.Errorf("the namespace with a custom object was never deleted")
	}
	if _, err := in.Get(ctx, "in-crons", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the custom object outlived its namespace: %v", err)
	}
}

func TestACustomObjectsRequestRecordsTheSameStepsAsABuiltInOne(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	d := dynamicFor(t, c, "admin")
	applyCronTabCRD(t, d)
	mark := c.Steps.Last()
	if _, err := d.Resource(cronTabGVR).Namespace("default").Create(context.Background(), cronTab(t, "traced"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	key := "/registry/stable.example.com/crontabs/default/traced"
	var trace string
	for _, s := range c.Steps.Since(mark, 0) {
		if w, ok := s.Detail.(registry.EtcdWrite); ok && w.Key == key {
			trace = s.Trace
		}
	}
	if trace == "" {
		t.Fatalf("no etcd step stores %s", key)
	}
	seen := map[string]bool{}
	for _, s := range c.Steps.Since(mark, 0) {
		if s.Trace == trace {
			seen[s.Stage] = true
		}
	}
	for _, stage := range []string{steps.Request, steps.Authenticate, steps.Authorize, steps.Validate, steps.Store, steps.Respond} {
		if !seen[stage] {
			t.Errorf("the create of a custom object has no %s step (it has %v)", stage, seen)
		}
	}
}

func TestAnInvalidCRDIsRefusedWithApiextensionsRules(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	crds := dynamicFor(t, c, "admin").Resource(crdGVR)
	for _, tc := range []struct {
		name string
		edit func(string) string
		want string
	}{
		{"a name that is not plural.group", func(s string) string {
			return strings.Replace(s, "name: crontabs.stable.example.com", "name: crontabs.example.com", 1)
		}, `metadata.name: Invalid value: "crontabs.example.com": must be spec.names.plural+"."+spec.group`},
		{"no storage version", func(s string) string {
			return strings.Replace(s, "storage: true", "storage: false", 1)
		}, "must have exactly one version marked as storage version"},
		{"a schema field without a type", func(s string) string {
			return strings.Replace(s, "              image:\n                type: string\n", "              image: {}\n", 1)
		}, "spec.validation.openAPIV3Schema.properties[spec].properties[image].type: Required value: must not be empty for specified object fields"},
	} {
		_, err := crds.Create(context.Background(), fromYAML(t, tc.edit(readTestdata(t, "crontab-crd.yaml"))), metav1.CreateOptions{})
		if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want 422 naming %q", tc.name, err, tc.want)
		}
	}
}
