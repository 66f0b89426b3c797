package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/apiserver"
	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
	"github.com/glassplane/glassplane/server"
)

type harness struct {
	t         testing.TB
	cluster   *testcluster.Cluster
	sandboxes *server.Sandboxes
	web       *server.Web
	token     string // the default sandbox's
}

func start(t testing.TB, opts ...func(*server.Config)) *harness {
	t.Helper()
	return startOn(t, testcluster.Start(t), opts...)
}

// startCascade serves a default sandbox running the whole control plane.
func startCascade(t testing.TB) *harness {
	t.Helper()
	return startOn(t, testcluster.StartCascade(t))
}

func startOn(t testing.TB, c *testcluster.Cluster, opts ...func(*server.Config)) *harness {
	t.Helper()
	sbs := server.NewSandboxes(c.Etcd, t.TempDir(), "127.0.0.1", time.Hour, controlplane.Start)
	def := sbs.AddDefault(c.Cluster)
	t.Cleanup(sbs.Close)
	cfg := server.Config{Listen: "127.0.0.1:0", Sandboxes: sbs, Local: true,
		KubectlBinary: []string{testcluster.GlassplaneBinary(t), "kubectl"}}
	for _, o := range opts {
		o(&cfg)
	}
	w, err := server.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return &harness{t: t, cluster: c, sandboxes: sbs, web: w, token: def.Token}
}

func (h *harness) do(method, path, token string, body any) (int, []byte) {
	h.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case string:
		r = strings.NewReader(b)
	case nil:
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, "http://"+h.web.Addr+path, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if _, ok := body.(string); !ok && body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func (h *harness) dial(sandbox, token string, since uint64, origin string) (*websocket.Conn, *http.Response, error) {
	hdr := http.Header{}
	if token != "" {
		hdr.Set("Authorization", "Bearer "+token)
	}
	if origin != "" {
		hdr.Set("Origin", origin)
	}
	url := "ws://" + h.web.Addr + "/glassplane/v1/sandboxes/" + sandbox + "/stream?since=" + itoa(since)
	return websocket.DefaultDialer.Dial(url, hdr)
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// readUntil reads stream messages until one carries a step that match accepts.
func readUntil(t *testing.T, conn *websocket.Conn, match func(steps.Step) bool) steps.Step {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		var m server.Message
		if err := conn.ReadJSON(&m); err != nil {
			t.Fatalf("stream ended: %v", err)
		}
		for _, s := range m.Steps {
			if match(s) {
				return s
			}
		}
	}
}

func storeOf(name string) func(steps.Step) bool {
	return func(s steps.Step) bool { return s.Stage == steps.Store && s.Object.Name == name }
}

func createConfigMap(t *testing.T, cs kubernetes.Interface, name string) {
	t.Helper()
	if _, err := cs.CoreV1().ConfigMaps("default").Create(context.Background(),
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestStreamSendsHistoryThenLiveStepsAndResumesWithoutLoss(t *testing.T) {
	t.Parallel()
	h := start(t)
	cs := h.cluster.Client("admin")
	createConfigMap(t, cs, "before")
	conn, _, err := h.dial("default", h.token, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	readUntil(t, conn, storeOf("before"))
	createConfigMap(t, cs, "live")
	seen := readUntil(t, conn, storeOf("live"))
	conn.Close()

	createConfigMap(t, cs, "while-away")
	conn, _, err = h.dial("default", h.token, seen.Seq, "")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got := readUntil(t, conn, storeOf("while-away"))
	if got.Seq <= seen.Seq {
		t.Errorf("resumed stream repeated old steps")
	}
}

func TestStreamRefusesOtherOriginsAndOtherTokens(t *testing.T) {
	t.Parallel()
	h := start(t)
	if _, resp, err := h.dial("default", h.token, 0, "http://evil.example"); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site websocket was accepted (%v)", err)
	}
	if _, resp, err := h.dial("default", "wrong", 0, ""); err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong token opened the stream (%v)", err)
	}
}

func TestSandboxesAreIsolated(t *testing.T) {
	t.Parallel()
	h := start(t)
	code, body := h.do("POST", "/glassplane/v1/sandboxes", "", nil)
	if code != http.StatusCreated {
		t.Fatalf("create sandbox: %d %s", code, body)
	}
	var sb struct{ ID, Token string }
	_ = json.Unmarshal(body, &sb)
	other, ok := h.sandboxes.Get(sb.ID)
	if !ok {
		t.Fatal("the new sandbox is not listed")
	}
	if code, _ := h.do("GET", "/glassplane/v1/sandboxes/default/steps", sb.Token, nil); code != http.StatusUnauthorized {
		t.Errorf("the new sandbox's token read the default sandbox: %d", code)
	}
	if code, _ := h.do("GET", "/glassplane/v1/sandboxes/"+sb.ID+"/steps", h.token, nil); code != http.StatusUnauthorized {
		t.Errorf("the default token read the new sandbox: %d", code)
	}
	cfg, err := other.Cluster.ClientConfig("admin", "system:masters")
	if err != nil {
		t.Fatal(err)
	}
	createConfigMap(t, kubernetes.NewForConfigOrDie(cfg), "only-in-new")
	if _, err := h.cluster.Client("admin").CoreV1().ConfigMaps("default").Get(context.Background(), "only-in-new", metav1.GetOptions{}); err == nil {
		t.Error("an object of the new sandbox is visible in the default one")
	}
	// The default sandbox's credentials do not open the new sandbox's API.
	cross := h.cluster.RESTConfig("admin")
	cross.Host = "https://" + other.Cluster.Addr
	if _, err := kubernetes.NewForConfigOrDie(cross).CoreV1().Namespaces().List(context.Background(), metav1.ListOptions{}); err == nil {
		t.Error("the default sandbox's admin certificate opened the new sandbox's API")
	}
	if code, _ := h.do("DELETE", "/glassplane/v1/sandboxes/"+sb.ID, sb.Token, nil); code != http.StatusNoContent {
		t.Errorf("delete sandbox: %d", code)
	}
	if _, ok := h.sandboxes.Get(sb.ID); ok {
		t.Error("a deleted sandbox is still listed")
	}
}

type applyAnswer struct {
	Results []server.ApplyResult `json:"results"`
}

func TestApplyAnswersPerDocumentWithLines(t *testing.T) {
	t.Parallel()
	h := start(t)
	yaml := `apiVersion: v1
kind: ConfigMap
metadata:
  name: first
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: [broken
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: bad-selector
spec:
  selector:
    matchLabels:
      app: a
  template:
    metadata:
      labels:
        app: b
    spec:
      containers:
      - name: c
        image: nginx
`
	code, body := h.do("POST", "/glassplane/v1/sandboxes/default/apply", h.token, yaml)
	if code != http.StatusMultiStatus {
		t.Fatalf("apply with two documents of three failing: %d %s, want 207 Multi-Status", code, body)
	}
	var a applyAnswer
	_ = json.Unmarshal(body, &a)
	if len(a.Results) != 3 {
		t.Fatalf("got %d results: %s", len(a.Results), body)
	}
	if r := a.Results[0]; r.Outcome != "created" || r.Kind != "ConfigMap" || r.Name != "first" || r.Line != 1 {
		t.Errorf("first document: %+v", r)
	}
	if r := a.Results[1]; r.Outcome != "error" || r.Line != 6 || r.ErrorLine < 6 || r.Status == nil || r.Status.Code != 400 {
		t.Errorf("broken YAML: %+v", r)
	}
	if r := a.Results[2]; r.Outcome != "error" || r.Status == nil || r.Status.Code != 422 {
		t.Errorf("bad selector: %+v", r)
	}
	code, body = h.do("POST", "/glassplane/v1/sandboxes/default/apply", h.token, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n")
	_ = json.Unmarshal(body, &a)
	if code != http.StatusOK || len(a.Results) != 1 || a.Results[0].Outcome != "unchanged" {
		t.Errorf("applying the same document again: %s", body)
	}
}

// TestApplyShowsTheDeprecationWarningOfTheSeedsOldVersion: the seed's
// apps/v1beta2 is converted with a Warning, which the playground's answer
// carries for its document as kubectl would print it; a current version has
// none.
func TestApplyShowsTheDeprecationWarningOfTheSeedsOldVersion(t *testing.T) {
	t.Parallel()
	h := start(t)
	seed, err := os.ReadFile("../controlplane/testdata/hello-deployment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	code, body := h.do("POST", "/glassplane/v1/sandboxes/default/apply", h.token, string(seed)+"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: current\n")
	var a applyAnswer
	_ = json.Unmarshal(body, &a)
	if code != http.StatusCreated || len(a.Results) != 2 {
		t.Fatalf("apply of the seed and a ConfigMap: %d %s", code, body)
	}
	if w := a.Results[0].Warnings; len(w) != 1 || !strings.Contains(w[0], "apps/v1beta2 Deployment is deprecated") {
		t.Errorf("the seed's answer warns %q, want the apps/v1beta2 deprecation", w)
	}
	if w := a.Results[1].Warnings; len(w) != 0 {
		t.Errorf("a ConfigMap in v1 is answered with warnings %q", w)
	}
}

// TestApplyStatusSumsUpTheDocuments: 201 when all succeeded and one was
// created, 200 when all succeeded unchanged, the failures' shared 4xx or 422
// when all failed.
func TestApplyStatusSumsUpTheDocuments(t *testing.T) {
	h := start(t)
	cm := func(name string) string { return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n" }
	bad := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_Valid\n"
	for _, tc := range []struct {
		name, yaml string
		want       int
	}{
		{"all created", cm("a") + "---\n" + cm("b"), http.StatusCreated},
		{"all unchanged", cm("a") + "---\n" + cm("b"), http.StatusOK},
		{"one of two invalid", cm("c") + "---\n" + bad, http.StatusMultiStatus},
		{"all invalid", bad + "---\n" + bad, http.StatusUnprocessableEntity},
		{"all broken YAML", "metadata: [broken\n", http.StatusBadRequest},
		{"broken and invalid", "metadata: [broken\n---\n" + bad, http.StatusUnprocessableEntity},
	} {
		code, body := h.do("POST", "/glassplane/v1/sandboxes/default/apply", h.token, tc.yaml)
		var a applyAnswer
		if err := json.Unmarshal(body, &a); err != nil || len(a.Results) == 0 {
			t.Errorf("%s: the body lacks results: %s", tc.name, body)
		}
		if code != tc.want {
			t.Errorf("%s: %d, want %d: %s", tc.name, code, tc.want, body)
		}
	}
}

func TestKubectlTerminalRunsAllowedCommandsOnly(t *testing.T) {
	t.Parallel()
	h := start(t)
	var res server.KubectlResult
	code, body := h.do("POST", "/glassplane/v1/sandboxes/default/kubectl", h.token, map[string]any{"args": []string{"get", "namespaces"}})
	_ = json.Unmarshal(body, &res)
	if code != http.StatusOK || res.ExitCode != 0 || !strings.Contains(res.Stdout, "kube-system") {
		t.Fatalf("kubectl get namespaces: %d %s", code, body)
	}
	code, body = h.do("POST", "/glassplane/v1/sandboxes/default/kubectl", h.token, map[string]any{
		"args": []string{"create", "-f", "-"}, "stdin": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-terminal\n"})
	_ = json.Unmarshal(body, &res)
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, "configmap/from-terminal created") {
		t.Errorf("kubectl create -f -: %s", body)
	}
	for _, args := range [][]string{{"exec", "x"}, {"port-forward", "pod/x", "8080:80"}, {"attach", "x"}, {"get", "pods", "--kubeconfig=/etc/passwd"}, {"apply", "-f", "/etc/passwd"},
		{"get", "--server", "https://elsewhere"}, {"get", "ns", "-o", "go-template-file=/etc/passwd"},
		{"get", "ns", "-ojsonpath-file=/etc/passwd"}, {"apply", "-f=/etc/passwd"}, {"create", "cm", "x", "--from_file=/etc/passwd"},
		{"get", "ns", "-shttp://127.0.0.1:1"}, {"get", "ns", "--profile=cpu", "--profile-output=/tmp/x"},
		{"get", "ns", "--insecure_skip_tls_verify=true"}} {
		_, body = h.do("POST", "/glassplane/v1/sandboxes/default/kubectl", h.token, map[string]any{"args": args})
		_ = json.Unmarshal(body, &res)
		if res.ExitCode == 0 {
			t.Errorf("kubectl %v was allowed: %s", args, body)
		}
	}
}

// TestKubectlTerminalNeverReadsAnotherSandboxesKey: `-Af <key>` is `-A -f
// <key>` to kubectl; the terminal refuses it and no key material comes back.
func TestKubectlTerminalNeverReadsAnotherSandboxesKey(t *testing.T) {
	h := start(t)
	key := filepath.Join(h.cluster.Cluster.DataDir, "pki", "ca.key")
	if b, err := os.ReadFile(key); err != nil || !strings.Contains(string(b), "PRIVATE KEY") {
		t.Fatalf("the test needs a CA key at %s: %v", key, err)
	}
	for _, args := range [][]string{{"get", "-Af", key}, {"get", "-Af" + key}, {"get", "-A", "--filename=" + key},
		{"get", "--raw", "/healthz", "-As", "http://" + h.web.Addr}} {
		code, body := h.do("POST", "/glassplane/v1/sandboxes/default/kubectl", h.token, map[string]any{"args": args})
		var res server.KubectlResult
		_ = json.Unmarshal(body, &res)
		if code != http.StatusOK || res.ExitCode == 0 || !strings.Contains(res.Stderr, "error: ") {
			t.Errorf("kubectl %q was not refused: %d %s", args, code, body)
		}
		if strings.Contains(string(body), "PRIVATE KEY") || strings.Contains(string(body), "<!doctype") {
			t.Errorf("kubectl %q returned another server's or file's content: %s", args, body)
		}
	}
}

func TestPacerStepModeHoldsWritesUntilNext(t *testing.T) {
	t.Parallel()
	h := start(t)
	code, body := h.do("PUT", "/glassplane/v1/sandboxes/default/pacer", h.token, map[string]any{"mode": "step", "unit": "step"})
	if code != http.StatusOK {
		t.Fatalf("put pacer: %d %s", code, body)
	}
	done := make(chan error, 1)
	go func() {
		_, err := h.cluster.Client("admin").CoreV1().ConfigMaps("default").Create(context.Background(),
			&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "paced"}}, metav1.CreateOptions{})
		done <- err
	}()
	nexts := 0
	for deadline := time.Now().Add(30 * time.Second); ; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			if nexts < 4 {
				t.Errorf("the create finished after %d Next presses; step mode should hold each stage", nexts)
			}
			return
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the create did not finish after %d Next presses", nexts)
		}
		var st struct {
			Released bool `json:"released"`
		}
		_, body := h.do("POST", "/glassplane/v1/sandboxes/default/pacer/next", h.token, nil)
		_ = json.Unmarshal(body, &st)
		if st.Released {
			nexts++
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestEtcdPaneShowsOnlyTheSandboxKeys(t *testing.T) {
	t.Parallel()
	h := start(t)
	createConfigMap(t, h.cluster.Client("admin"), "shown")
	code, body := h.do("GET", "/glassplane/v1/sandboxes/default/etcd?prefix=/registry/configmaps/", h.token, nil)
	if code != http.StatusOK || !strings.Contains(string(body), `"/registry/configmaps/default/shown"`) {
		t.Errorf("etcd pane: %d %s", code, body)
	}
	if code, _ := h.do("GET", "/glassplane/v1/sandboxes/default/etcd?prefix=/glassplane/", h.token, nil); code != http.StatusForbidden {
		t.Errorf("the pane read outside the sandbox: %d", code)
	}
}

func TestSandboxLimitsGiveKubernetesErrors(t *testing.T) {
	t.Parallel()
	h := start(t)
	h.sandboxes.Limits.MaxObjects = 30 // the bootstrap objects take some
	h.sandboxes.Limits.RequestsPerSecond, h.sandboxes.Limits.Burst = 1000, 1000
	sb, err := h.sandboxes.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := sb.Cluster.ClientConfig("admin", "system:masters")
	cms := kubernetes.NewForConfigOrDie(cfg).CoreV1().ConfigMaps("default")
	var last error
	for i := 0; i < 40 && last == nil; i++ {
		_, last = cms.Create(context.Background(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm-" + itoa(uint64(i))}}, metav1.CreateOptions{})
	}
	if last == nil || !strings.Contains(last.Error(), "limit") {
		t.Fatalf("creating past the object limit: %v", last)
	}
	var st interface{ Status() metav1.Status }
	if !errors.As(last, &st) || st.Status().Code != http.StatusForbidden {
		t.Errorf("object limit error %v, want 403 Forbidden", last)
	}
}

// TestObjectLimitAllowsExactlyTheLimit: with MaxObjects = N the cluster
// holds N objects, and the create that would make N+1 is refused, also when
// creates race each other.
func TestObjectLimitAllowsExactlyTheLimit(t *testing.T) {
	c := testcluster.StartWith(t, controlplane.Config{Nodes: -1, Limits: apiserver.Limits{MaxObjects: 40}})
	cms := c.Client("admin").CoreV1().ConfigMaps("default")
	var wg sync.WaitGroup
	var created atomic.Int64
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				name := "cm-" + itoa(uint64(g)) + "-" + itoa(uint64(i))
				if _, err := cms.Create(context.Background(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err == nil {
					created.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if n := storedObjects(t, c.Cluster); n > 40 {
		t.Errorf("the cluster holds %d objects after %d creates raced its limit of 40", n, created.Load())
	}
	var err error
	for i := 0; i < 80 && err == nil; i++ {
		_, err = cms.Create(context.Background(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "more-" + itoa(uint64(i))}}, metav1.CreateOptions{})
	}
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "40 objects") {
		t.Errorf("the create past the limit: %v, want 403 saying the sandbox holds 40 objects", err)
	}
	if n := storedObjects(t, c.Cluster); n != 40 {
		t.Errorf("the cluster holds %d objects when a create is refused, want exactly its limit 40", n)
	}
}

// storedObjects counts a sandbox's API objects the way a learner would:
// every namespaced and cluster object the API lists, events aside.
func storedObjects(t *testing.T, c *controlplane.Cluster) int {
	t.Helper()
	cfg, _ := c.ClientConfig("admin", "system:masters")
	dyn := dynamic.NewForConfigOrDie(cfg)
	disc := kubernetes.NewForConfigOrDie(cfg).Discovery()
	lists, err := disc.ServerPreferredResources()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range lists {
		gv, _ := schema.ParseGroupVersion(l.GroupVersion)
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") || r.Name == "events" || !slices.Contains(r.Verbs, "list") {
				continue
			}
			items, err := dyn.Resource(gv.WithResource(r.Name)).List(context.Background(), metav1.ListOptions{})
			if err != nil {
				t.Fatalf("listing %s: %v", r.Name, err)
			}
			n += len(items.Items)
		}
	}
	return n
}

// TestTooManyRequestsSaysWhenToRetry: a 429 carries Retry-After in seconds,
// so client-go backs off instead of hammering.
func TestTooManyRequestsSaysWhenToRetry(t *testing.T) {
	c := testcluster.StartWith(t, controlplane.Config{Nodes: -1, Limits: apiserver.Limits{RequestsPerSecond: 1, Burst: 1}})
	cfg, _ := c.ClientConfig("admin", "system:masters")
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		resp, err := hc.Get(cfg.Host + "/api/v1/namespaces")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 {
				t.Errorf("429 with Retry-After %q, want whole seconds", resp.Header.Get("Retry-After"))
			}
			return
		}
	}
	t.Fatal("20 requests at once never hit a rate limit of 1 per second")
}

func TestLocalSessionOnlyForLoopback(t *testing.T) {
	t.Parallel()
	h := start(t)
	req, _ := http.NewRequest("GET", "http://"+h.web.Addr+"/", nil)
	req.Host = "evil.example:8080"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(resp.Cookies()) != 0 {
		t.Errorf("a page reached as %s got the session", req.Host)
	}
	resp, err = http.Get("http://" + h.web.Addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(resp.Cookies()) == 0 {
		t.Error("the local page on loopback got no session")
	}
}

// An unknown field is marked at its own line, also in a later document.
func TestApplyMarksAnUnknownFieldAtItsLine(t *testing.T) {
	t.Parallel()
	h := start(t)
	yaml := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\n  labelz:\n    app: a\n"
	_, body := h.do("POST", "/glassplane/v1/sandboxes/default/apply", h.token, yaml)
	var a applyAnswer
	if err := json.Unmarshal(body, &a); err != nil || len(a.Results) != 2 {
		t.Fatalf("apply: %s", body)
	}
	if r := a.Results[1]; r.Outcome != "error" || r.ErrorLine != 10 || r.Status == nil || !strings.Contains(r.Status.Message, `unknown field "metadata.labelz"`) {
		t.Errorf("the unknown field: %+v, want it marked at line 10", r)
	}
}

func TestEtcdPaneShowsTheKeysAsTheyWereAtAPastRevisionUntilCompacted(t *testing.T) {
	t.Parallel()
	h := start(t)
	cs := h.cluster.Client("admin")
	createConfigMap(t, cs, "once")
	cm, err := cs.CoreV1().ConfigMaps("default").Get(context.Background(), "once", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := cs.CoreV1().ConfigMaps("default").Delete(context.Background(), "once", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	at := "/glassplane/v1/sandboxes/default/etcd?prefix=/registry/configmaps/&revision=" + cm.ResourceVersion
	if code, body := h.do("GET", at, h.token, nil); code != http.StatusOK || !strings.Contains(string(body), `"/registry/configmaps/default/once"`) {
		t.Errorf("the pane at revision %s: %d %s", cm.ResourceVersion, code, body)
	}
	if code, body := h.do("GET", "/glassplane/v1/sandboxes/default/etcd?prefix=/registry/configmaps/", h.token, nil); code != http.StatusOK || strings.Contains(string(body), `"/registry/configmaps/default/once"`) {
		t.Errorf("the pane now still shows the deleted key: %d %s", code, body)
	}
	now, err := h.cluster.Etcd.Client.Get(context.Background(), "/registry/", clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.cluster.Etcd.Client.Compact(context.Background(), now.Header.Revision); err != nil {
		t.Fatal(err)
	}
	if code, body := h.do("GET", at, h.token, nil); code != http.StatusGone {
		t.Errorf("the pane at a compacted revision: %d %s, want 410 Gone", code, body)
	}
}
