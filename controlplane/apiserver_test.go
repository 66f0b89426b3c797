package controlplane_test

// The API server driven the way users drive it: client-go's typed client and
// informers, plain HTTP for the error cases.

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

func deployment(name string, replicas int32) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx:1.25"}}},
			},
		},
	}
}

func TestClientGoCreateSetsServerFieldsAndDefaults(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	cs := c.Client("admin")
	ctx := context.Background()
	d, err := cs.AppsV1().Deployments("default").Create(ctx, deployment("web", 2), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.UID == "" || d.ResourceVersion == "" || d.CreationTimestamp.IsZero() || d.Generation != 1 {
		t.Errorf("server fields not set: uid=%q rv=%q created=%v generation=%d", d.UID, d.ResourceVersion, d.CreationTimestamp, d.Generation)
	}
	if d.Spec.RevisionHistoryLimit == nil || *d.Spec.RevisionHistoryLimit != 10 || d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType {
		t.Errorf("defaults not applied: %+v", d.Spec)
	}
	got, err := cs.AppsV1().Deployments("default").Get(ctx, "web", metav1.GetOptions{})
	if err != nil || got.UID != d.UID || got.ResourceVersion != d.ResourceVersion {
		t.Fatalf("get returned %v, %v; want the created object", got, err)
	}
	if _, err := cs.AppsV1().Deployments("default").Create(ctx, deployment("web", 2), metav1.CreateOptions{}); !apierrors.IsAlreadyExists(err) {
		t.Errorf("second create: got %v, want AlreadyExists", err)
	}
	if _, err := cs.AppsV1().Deployments("nowhere").Create(ctx, deployment("web", 2), metav1.CreateOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("create in a missing namespace: got %v, want NotFound", err)
	}
}

func TestStaleUpdateIsConflict(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	deps := c.Client("admin").AppsV1().Deployments("default")
	ctx := context.Background()
	d, err := deps.Create(ctx, deployment("web", 1), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	first := d.DeepCopy()
	d.Spec.Replicas = ptr.To[int32](3)
	updated, err := deps.Update(ctx, d, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if updated.Generation != 2 {
		t.Errorf("generation after a spec change = %d, want 2", updated.Generation)
	}
	first.Spec.Replicas = ptr.To[int32](5)
	_, err = deps.Update(ctx, first, metav1.UpdateOptions{})
	if !apierrors.IsConflict(err) {
		t.Fatalf("update with a stale resourceVersion: got %v, want 409 Conflict", err)
	}
	if !strings.Contains(err.Error(), "the object has been modified") {
		t.Errorf("conflict message = %q", err)
	}
}

func TestInformerSeesAddUpdateDelete(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	cs := c.Client("admin")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := make(chan string, 10)
	factory := informers.NewSharedInformerFactory(cs, 0)
	inf := factory.Apps().V1().Deployments().Informer()
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { events <- "add " + obj.(*appsv1.Deployment).Name },
		UpdateFunc: func(_, obj any) { events <- "update " + obj.(*appsv1.Deployment).Name },
		DeleteFunc: func(obj any) { events <- "delete" },
	})
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		t.Fatal("informer did not sync")
	}
	deps := cs.AppsV1().Deployments("default")
	d, err := deps.Create(ctx, deployment("web", 1), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, events, "add web")
	d.Spec.Replicas = ptr.To[int32](2)
	if _, err := deps.Update(ctx, d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	expect(t, events, "update web")
	if err := deps.Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	expect(t, events, "delete")
}

func expect(t *testing.T, events <-chan string, want string) {
	t.Helper()
	select {
	case got := <-events:
		if got != want {
			t.Fatalf("informer event = %q, want %q", got, want)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no informer event, want %q", want)
	}
}

func TestObjectsSurviveRestart(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx := context.Background()
	d, err := c.Client("admin").AppsV1().Deployments("default").Create(ctx, deployment("web", 1), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c.Restart()
	got, err := c.Client("admin").AppsV1().Deployments("default").Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	if got.UID != d.UID || got.ResourceVersion != d.ResourceVersion {
		t.Errorf("after a restart got uid %s rv %s, want %s %s", got.UID, got.ResourceVersion, d.UID, d.ResourceVersion)
	}
}

func TestWatchFromCompactedRevisionIsGone(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx := context.Background()
	cms := c.Client("admin").CoreV1().ConfigMaps("default")
	first, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"b", "c"} {
		if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	last, err := cms.Get(ctx, "c", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rev, _ := strconv.ParseInt(last.ResourceVersion, 10, 64)
	if _, err := c.Etcd.Client.Compact(ctx, rev); err != nil {
		t.Fatal(err)
	}
	w, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: first.ResourceVersion})
	if err != nil {
		if !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
			t.Fatalf("watch: %v", err)
		}
		return
	}
	defer w.Stop()
	select {
	case ev := <-w.ResultChan():
		st, ok := ev.Object.(*metav1.Status)
		if !ok || st.Code != http.StatusGone {
			t.Fatalf("watch from a compacted revision: got %s %#v, want an ERROR with 410", ev.Type, ev.Object)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no event from a watch on a compacted revision")
	}
}

// raw sends an HTTP request to the API server as admin (or anonymously).
func raw(t *testing.T, c *testcluster.Cluster, anonymous bool, method, path, contentType, body string) (int, string) {
	t.Helper()
	cfg := c.RESTConfig("admin")
	tlsCfg := &tls.Config{InsecureSkipVerify: true}
	if !anonymous {
		cert, err := tls.X509KeyPair(cfg.CertData, cfg.KeyData)
		if err != nil {
			t.Fatal(err)
		}
		tlsCfg.Certificates = []tls.Certificate{cert}
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg}, Timeout: 10 * time.Second}
	req, _ := http.NewRequest(method, "https://"+c.Addr+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestBadInputGetsKubernetesStatus(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	laughs := "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	for i, p := 0, 'a'; i < 8; i, p = i+1, p+1 {
		n := p + 1
		laughs += string(n) + ": &" + string(n) + " [" + strings.Repeat("*"+string(p)+",", 8) + "*" + string(p) + "]\n"
	}
	cases := []struct {
		name, method, path, ctype, body string
		anonymous                       bool
		code                            int
		reason                          string
	}{
		{"no credentials", "GET", "/api/v1/namespaces", "", "", true, 401, "Unauthorized"},
		{"health needs none", "GET", "/healthz", "", "", true, 200, ""},
		{"unknown resource", "GET", "/api/v1/namespaces/default/widgets", "", "", false, 404, "NotFound"},
		{"unknown group", "GET", "/apis/widgets.example.com/v1/widgets", "", "", false, 404, "NotFound"},
		{"missing object", "GET", "/api/v1/namespaces/default/configmaps/nope", "", "", false, 404, "NotFound"},
		{"wrong verb", "POST", "/api/v1/namespaces/default/configmaps/x", "application/json", `{"metadata":{"name":"x"}}`, false, 405, "MethodNotAllowed"},
		{"malformed JSON", "POST", "/api/v1/namespaces/default/configmaps", "application/json", `{"metadata": {`, false, 400, "BadRequest"},
		{"malformed YAML", "POST", "/api/v1/namespaces/default/configmaps", "application/yaml", "metadata:\n  name: [x\n", false, 400, "BadRequest"},
		{"wrong kind", "POST", "/api/v1/namespaces/default/configmaps", "application/json", `{"kind":"Secret","apiVersion":"v1","metadata":{"name":"x"}}`, false, 400, "BadRequest"},
		{"billion laughs", "POST", "/api/v1/namespaces/default/configmaps", "application/yaml", laughs, false, 413, "RequestEntityTooLarge"},
		{"too large", "POST", "/api/v1/namespaces/default/configmaps", "application/json", `{"data":{"a":"` + strings.Repeat("x", 3<<20) + `"}}`, false, 413, "RequestEntityTooLarge"},
		{"invalid name", "POST", "/api/v1/namespaces/default/configmaps", "application/json", `{"metadata":{"name":"Not_A_Name"}}`, false, 422, "Invalid"},
		{"bad label selector", "GET", "/api/v1/pods?labelSelector=a%20in%20(", "", "", false, 400, "BadRequest"},
		{"unsupported field selector", "GET", "/api/v1/pods?fieldSelector=spec.color%3Dblue", "", "", false, 400, "BadRequest"},
		{"strict unknown field", "POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", "application/json", `{"metadata":{"name":"x"},"colour":"blue"}`, false, 400, "BadRequest"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			code, body := raw(t, c, tc.anonymous, tc.method, tc.path, tc.ctype, tc.body)
			if code != tc.code {
				t.Fatalf("%s %s: code %d, want %d\n%s", tc.method, tc.path, code, tc.code, body)
			}
			if tc.reason != "" && !strings.Contains(body, `"reason":"`+tc.reason+`"`) {
				t.Errorf("body has no reason %s: %s", tc.reason, body)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	// Nothing of the refused requests was stored.
	cms, err := c.Client("admin").CoreV1().ConfigMaps("default").List(context.Background(), metav1.ListOptions{})
	if err != nil || len(cms.Items) != 0 {
		t.Errorf("refused requests left objects behind: %v %v", cms, err)
	}
}
