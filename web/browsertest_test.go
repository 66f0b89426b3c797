package web_test

// The harness of the browser tests: a whole Glassplane in-process (the
// cascade control plane, the web server with the embedded app) and one
// headless Chromium per test, driven through the DevTools protocol by
// chromedp. A test acts as a learner does — clicks, types, reads what the
// page shows — and asserts on the page; it looks behind the page (the app
// API, the Kubernetes API) only to know what the page should be showing.
//
// Rules: every wait is a poll with a deadline, never a sleep; a failed wait
// saves a screenshot and the page's state; screenshots go to $ARTIFACTS_DIR,
// or artifacts/ at the repository's root.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
	"github.com/glassplane/glassplane/server"
	"github.com/glassplane/glassplane/web"
)

// testTimeout bounds one browser test, so a hang fails instead of waiting
// for go test's own timeout.
const testTimeout = 90 * time.Second

// glassplane is a running Glassplane: its page, and a way behind it.
type glassplane struct {
	t       *testing.T
	URL     string // the page, http://127.0.0.1:PORT/
	token   string // the default sandbox's token, for the app API
	cluster *testcluster.Cluster
}

// startGlassplane serves the embedded app in front of a whole control plane,
// as `glassplane serve` does on a learner's machine.
func startGlassplane(t *testing.T) *glassplane {
	t.Helper()
	return startGlassplaneWith(t, controlplane.Config{})
}

// startGlassplaneWith is startGlassplane on a control plane started from cfg.
func startGlassplaneWith(t *testing.T, cfg controlplane.Config) *glassplane {
	t.Helper()
	requireBundle(t)
	chromiumPath(t) // skip (or fail in CI) before starting anything
	c := testcluster.StartWith(t, cfg)
	sbs := server.NewSandboxes(c.Etcd, t.TempDir(), "127.0.0.1", time.Hour, controlplane.Start)
	def := sbs.AddDefault(c.Cluster)
	t.Cleanup(sbs.Close)
	w, err := server.Start(server.Config{Listen: "127.0.0.1:0", Sandboxes: sbs, Local: true, UI: web.Handler(),
		KubectlBinary: []string{testcluster.GlassplaneBinary(t), "kubectl"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return &glassplane{t: t, URL: "http://" + w.Addr + "/", token: def.Token, cluster: c}
}

// requireBundle fails when the app was not built before the test binary:
// web.Handler would serve the "run make web" page and every test would time
// out looking for the diagram.
func requireBundle(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join("dist", "index.html")); err != nil {
		t.Fatalf("web/dist/index.html is missing: run `make web` (or `cd web && npm ci && npm run build`) before the browser tests")
	}
}

// api calls the default sandbox's app API, as a script would.
func (g *glassplane) api(method, path, body string, out any) {
	g.t.Helper()
	g.apiAnswer(method, path, body, 0, out)
}

// apiAnswer is api for a request expected to answer with status want (0:
// any 2xx).
func (g *glassplane) apiAnswer(method, path, body string, want int, out any) {
	g.t.Helper()
	req, err := http.NewRequest(method, strings.TrimSuffix(g.URL, "/")+"/glassplane/v1/sandboxes/default"+path, strings.NewReader(body))
	if err != nil {
		g.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	switch {
	case strings.HasPrefix(body, "{"):
		req.Header.Set("Content-Type", "application/json")
	case body != "":
		req.Header.Set("Content-Type", "application/yaml")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if (want == 0 && resp.StatusCode >= 300) || (want != 0 && resp.StatusCode != want) {
		g.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			g.t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
}

// pacer reads the sandbox's pacer through the app API.
func (g *glassplane) pacer() steps.PacerState {
	g.t.Helper()
	var p steps.PacerState
	g.api("GET", "/pacer", "", &p)
	return p
}

// applySeed applies the seed manifest through the app API (as the
// playground does) and waits until its pod runs; it returns the pod.
func (g *glassplane) applySeed() corev1.Pod {
	g.t.Helper()
	g.api("POST", "/apply", helloDeployment, nil)
	var pod corev1.Pod
	eventually(g.t, 30*time.Second, "the seed's pod runs", func() (bool, string) {
		pods, err := g.cluster.Client("admin").CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{})
		if err != nil || len(pods.Items) != 1 {
			return false, fmt.Sprintf("pods: %v, error: %v", pods, err)
		}
		pod = pods.Items[0]
		return pod.Status.Phase == corev1.PodRunning && pod.Status.PodIP != "", fmt.Sprintf("%s is %s", pod.Name, pod.Status.Phase)
	})
	return pod
}

// eventually polls cond until it holds or timeout passes; cond says what it
// saw, for the failure message.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, saw := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s until %s; last saw: %s", timeout, what, saw)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// browser is one headless Chromium with one tab.
type browser struct {
	t   *testing.T
	ctx context.Context

	mu         sync.Mutex
	exceptions []string // uncaught exceptions of the page
}

// chromiumPath finds Chromium. Without it the tests skip on a developer's
// machine and fail in CI, which installs it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed, and CI must run the browser tests: apt-get install -y chromium fonts-noto-cjk")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium fonts-noto-cjk); skipping the browser tests")
	return ""
}

// newBrowser starts Chromium with a fresh profile and a width×height
// viewport; it is closed when the test ends.
func newBrowser(t *testing.T, width, height int64) *browser {
	t.Helper()
	path := chromiumPath(t)
	profile := t.TempDir() // made before the browser, so removed after it exits
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(int(width), int(height)),
	)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), testTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelTab(); cancelAlloc(); cancelTimeout() })
	b := &browser{t: t, ctx: tabCtx}
	if err := chromedp.Do(tabCtx, chromedp.EmulateViewport(width, height)); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	console := chromedp.Console(tabCtx)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.IsException() {
				b.mu.Lock()
				b.exceptions = append(b.exceptions, m.Text)
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// open loads the page and waits until its stream is connected.
func (b *browser) open(url string) {
	b.t.Helper()
	b.do("opening "+url, chromedp.Navigate(url))
	b.waitFor("the page connects to its step stream", `document.querySelector("#conn.conn-open") !== null`, 20*time.Second)
}

// do runs actions that return nothing; a failure ends the test.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.fail("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.fail("evaluating %s: %v", expr, err)
	}
	return v
}

// text returns the text of the first element matching css ("" when none).
func (b *browser) text(css string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`document.querySelector(%s)?.textContent ?? ""`, jsString(css)))
}

// click clicks an element as a mouse does (it must be visible).
//
// The page redraws parts of itself as steps stream in, so the node a click
// found can be replaced before the mouse reaches it; the click then looks
// for the element again, as a user's next try would, for up to 5 s.
func (b *browser) click(css string) {
	b.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(css)))
		if err == nil {
			return
		}
		if !replaced(err) || time.Now().After(deadline) || b.ctx.Err() != nil {
			b.fail("clicking %s: %v", css, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// replaced reports whether a DevTools error says the node acted on left the
// document between being found and being acted on.
func replaced(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Could not find node with given id") ||
		strings.Contains(msg, "Node is detached from document") ||
		strings.Contains(msg, "No node with given id found")
}

// choose picks an option of a <select>, as a user does: the value changes
// and the page hears "change".
func (b *browser) choose(css, value string) {
	b.t.Helper()
	ok := eval[bool](b, fmt.Sprintf(`(() => { const s = document.querySelector(%s);
		if (!s || ![...s.options].some((o) => o.value === %[2]s)) return false;
		s.value = %[2]s; s.dispatchEvent(new Event("change", { bubbles: true })); return true; })()`, jsString(css), jsString(value)))
	if !ok {
		b.fail("%s has no option %q", css, value)
	}
}

// waitFor polls a JavaScript predicate until it is true or timeout passes.
// A page that is navigating (b.open, a reload) has no context to evaluate in
// for a moment; the poll then starts again in the new page.
func (b *browser) waitFor(what, predicate string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		_, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](predicate,
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		if !strings.Contains(err.Error(), "Cannot find context with specified id") || time.Now().After(deadline) || b.ctx.Err() != nil {
			b.fail("waiting %s until %s: %v", timeout, what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// fail saves what the page shows and ends the test.
func (b *browser) fail(format string, args ...any) {
	b.t.Helper()
	msg := fmt.Sprintf(format, args...)
	if b.ctx.Err() == nil {
		name := filepath.Base(b.screenshot("FAILED-" + b.t.Name()))
		state, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`JSON.stringify({
			narration: document.querySelector("#narration")?.innerText, count: document.querySelector("#count")?.textContent,
			next: document.querySelector("#next")?.textContent, conn: document.querySelector("#conn")?.textContent,
			results: document.querySelector(".results")?.innerText, terminal: document.querySelector(".term-out")?.innerText })`))
		msg += "\nthe page: " + state + "\n(screenshot: " + name + ")"
		b.mu.Lock()
		for _, e := range b.exceptions {
			msg += "\nthe page threw: " + e
		}
		b.mu.Unlock()
	}
	b.t.Fatal(msg)
}

// noExceptions asserts that the page threw nothing uncaught.
func (b *browser) noExceptions() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.exceptions {
		b.t.Errorf("the page threw: %s", e)
	}
}

// resize changes the viewport, as a learner resizing the window does.
func (b *browser) resize(width, height int64) {
	b.t.Helper()
	b.do(fmt.Sprintf("resizing to %d×%d", width, height), chromedp.EmulateViewport(width, height))
}

// screenshot saves the viewport as NAME.png in the artifacts directory.
func (b *browser) screenshot(name string) string {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	path := filepath.Join(artifactsDir(b.t), fileName(name)+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
	}
	return path
}

// snap saves a screenshot named for what it shows and how: WHAT-WxH-LANG-THEME.
func (b *browser) snap(what string) string {
	b.t.Helper()
	how := eval[string](b, `innerWidth + "x" + innerHeight + "-" + (document.documentElement.lang === "en" ? "en" : "zh-TW") + "-" + document.body.dataset.theme`)
	return b.screenshot(what + "-" + how)
}

// artifactsDir is $ARTIFACTS_DIR, or artifacts/ at the repository's root
// (gitignored).
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ARTIFACTS_DIR")
	if dir == "" {
		dir = filepath.Join("..", "artifacts") // tests run in web/
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifacts directory: %v", err)
	}
	return dir
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileName(s string) string { return unsafeName.ReplaceAllString(s, "_") }

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// helloDeployment is the playground's preloaded manifest (the seed
// article's hello-deployment.yaml, web/src/view/examples.ts).
const helloDeployment = `apiVersion: apps/v1beta2
kind: Deployment
metadata:
  name: helloworld-deployment
spec:
  replicas: 1
  selector:
    matchLabels:
      app: helloworld-pod
  template:
    metadata:
      labels:
        app: helloworld-pod
    spec:
      containers:
      - name: my-pod
        image: zxcvbnius/docker-demo:latest
        ports:
        - containerPort: 3000
`
