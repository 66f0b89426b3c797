package controlplane_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// answerTypes records the Content-Type of each answer a client gets, by
// method and path (a watch's path ends in "?watch").
type answerTypes struct {
	mu   sync.Mutex
	seen map[string]string
}

func (a *answerTypes) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := rt.RoundTrip(r)
		if err == nil {
			key := r.Method + " " + r.URL.Path
			if r.URL.Query().Get("watch") == "true" {
				key += "?watch"
			}
			a.mu.Lock()
			a.seen[key] = resp.Header.Get("Content-Type")
			a.mu.Unlock()
		}
		return resp, err
	})
}

func (a *answerTypes) of(key string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.seen[key]
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A client whose first choice is protobuf, as the components' is, reads
// built-in objects in protobuf — a create's answer, a get, a list, a watch's
// events — and they are the objects a JSON client reads.
func TestAProtobufClientReadsBuiltInObjectsInProtobuf(t *testing.T) {
	c := testcluster.Start(t)
	ctx := context.Background()
	types := &answerTypes{seen: map[string]string{}}
	cfg := c.RESTConfig("admin")
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	cfg.WrapTransport = types.wrap
	pb, js := clientFor(t, cfg), c.Client("admin")

	w, err := pb.CoreV1().ConfigMaps("default").Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	made, err := pb.CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "proto", Labels: map[string]string{"app": "web"}},
		Data:       map[string]string{"greeting": "hello 世界"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-w.ResultChan():
		cm, ok := ev.Object.(*corev1.ConfigMap)
		if ev.Type != watch.Added || !ok || cm.Name != "proto" || cm.Data["greeting"] != "hello 世界" {
			t.Errorf("watch event: %s %#v", ev.Type, ev.Object)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no watch event")
	}
	got, err := pb.CoreV1().ConfigMaps("default").Get(ctx, "proto", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	list, err := pb.CoreV1().ConfigMaps("default").List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	want, err := js.CoreV1().ConfigMaps("default").Get(ctx, "proto", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for what, cm := range map[string]*corev1.ConfigMap{"create": made, "get": got} {
		if !apiequality.Semantic.DeepEqual(cm.ObjectMeta, want.ObjectMeta) || !apiequality.Semantic.DeepEqual(cm.Data, want.Data) {
			t.Errorf("%s in protobuf: %+v\nin JSON: %+v", what, cm, want)
		}
	}
	if len(list.Items) != 1 || list.Items[0].UID != want.UID || list.ResourceVersion == "" {
		t.Errorf("list in protobuf: %+v", list)
	}

	const proto = "application/vnd.kubernetes.protobuf"
	path := "/api/v1/namespaces/default/configmaps"
	for key, ct := range map[string]string{
		"POST " + path:             proto,
		"GET " + path + "/proto":   proto,
		"GET " + path:              proto,
		"GET " + path + "?watch":   proto + ";stream=watch",
		"GET /api/v1/namespaces/x": "application/json", // a 404 Status stays JSON
	} {
		if key == "GET /api/v1/namespaces/x" {
			if _, err := pb.CoreV1().Namespaces().Get(ctx, "x", metav1.GetOptions{}); err == nil {
				t.Error("namespace x exists")
			}
		}
		if got := types.of(key); got != ct {
			t.Errorf("%s answered %q, want %q", key, got, ct)
		}
	}
}

// Protobuf is only a first choice: a Table, a custom object (which has no
// protobuf form) and a client that asks for JSON get JSON.
func TestViewsAndCustomObjectsStayJSONForAProtobufClient(t *testing.T) {
	c := testcluster.Start(t)
	applyCronTabCRD(t, dynamicFor(t, c, "admin"))
	if _, err := dynamicFor(t, c, "admin").Resource(cronTabGVR).Namespace("default").Create(context.Background(), cronTab(t, "nightly"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg := c.RESTConfig("admin")
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path, accept string) (string, string) {
		req, _ := http.NewRequest(http.MethodGet, cfg.Host+path, nil)
		req.Header.Set("Accept", accept)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.Header.Get("Content-Type"), string(body)
	}
	const either = "application/vnd.kubernetes.protobuf,application/json"
	for _, tc := range []struct{ path, accept, wantType, wantBody string }{
		{"/api/v1/namespaces/default/configmaps", either, "application/vnd.kubernetes.protobuf", "k8s\x00"},
		{"/api/v1/namespaces/default/configmaps", "application/json", "application/json", `"kind":"ConfigMapList"`},
		{"/api/v1/namespaces/default/configmaps",
			"application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io",
			"application/json", `"kind":"Table"`},
		{"/apis/stable.example.com/v1/namespaces/default/crontabs/nightly", either, "application/json", `"kind":"CronTab"`},
		{"/apis/stable.example.com/v1/namespaces/default/crontabs?watch=true&timeoutSeconds=1", either, "application/json", `"kind":"CronTab"`},
	} {
		ct, body := get(tc.path, tc.accept)
		if ct != tc.wantType || !strings.Contains(body, tc.wantBody) {
			t.Errorf("GET %s (Accept %s): %s %.120q, want %s with %q", tc.path, tc.accept, ct, body, tc.wantType, tc.wantBody)
		}
	}
}
