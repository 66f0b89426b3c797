package controlplane_test

// kubectl port-forward, through both real kubectls, over the SPDY streams
// they tunnel in a WebSocket: a GET through the local port reaches the
// simulated nginx (for a pod and for a Service), a port no container
// listens on is refused with the runtime's message, a user without
// pods/portforward gets 403, and each hop (the API server's request, the
// kubelet's connection) is a step of one trace.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

func TestKubectlPortForwardReachesTheSimulatedAppWithBothKubectls(t *testing.T) {
	t.Parallel()
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := testcluster.StartCascade(t)
			must := kubectlRunner(t, c, bin)
			must("", "run", "web", "--image=nginx:1.27", "--port=80")
			must("", "expose", "pod", "web", "--port=8080", "--target-port=80")
			waitForPodRunning(t, c, "web")

			// A pod's port 80: nginx's welcome page, said to be simulated.
			pf := startPortForward(t, c, bin, "admin", "pod/web", ":80")
			resp, body := httpGet(t, pf.local, "/")
			if resp.StatusCode != 200 || !strings.Contains(body, "<title>Welcome to nginx!</title>") ||
				resp.Header.Get("Server") != "nginx/1.27.0" || resp.Header.Get("X-Simulated-By") != "glassplane" {
				t.Errorf("GET / through port-forward: %d %v\n%s", resp.StatusCode, resp.Header, body)
			}
			if resp, _ := httpGet(t, pf.local, "/nosuch"); resp.StatusCode != 404 {
				t.Errorf("GET /nosuch: %d, want nginx's 404", resp.StatusCode)
			}
			if out := pf.output(); !strings.Contains(out, "Handling connection for") {
				t.Errorf("kubectl port-forward printed:\n%s", out)
			}
			waitFor(t, "nginx's access log line", func() (bool, string) {
				out := must("", "logs", "web")
				return strings.Contains(out, `"GET / HTTP/1.1" 200`), out
			})

			// A Service: kubectl picks one of its pods and maps 8080 to 80.
			svc := startPortForward(t, c, bin, "admin", "svc/web", ":8080")
			if resp, body := httpGet(t, svc.local, "/"); resp.StatusCode != 200 || !strings.Contains(body, "Welcome to nginx!") {
				t.Errorf("GET / through port-forward svc/web: %d\n%s", resp.StatusCode, body)
			}

			// A port nothing listens on: the connection fails, kubectl says
			// why and that it lost the connection.
			bad := startPortForward(t, c, bin, "admin", "pod/web", ":81")
			if _, err := tryGet(bad.local, "/"); err == nil {
				t.Errorf("GET through a forward to port 81 answered")
			}
			out, _ := bad.wait(t)
			for _, want := range []string{"error forwarding port 81 to pod web", "connection refused", "lost connection to pod"} {
				if !strings.Contains(out, want) {
					t.Errorf("port-forward to port 81 does not say %q:\n%s", want, out)
				}
			}

			// bob may view pods but not forward to them.
			if out, err := c.Kubectl(bin, "bob", "", "port-forward", "pod/web", ":80"); err == nil ||
				!strings.Contains(out, `cannot create resource "pods/portforward"`) {
				t.Errorf("bob's port-forward: %v\n%s", err, out)
			}

			// Each hop is a step of one trace: the API server's request,
			// then the kubelet connecting the stream to the container.
			waitFor(t, "the port-forward's steps", func() (bool, string) {
				traces := map[string]bool{}
				var seen []string
				for _, s := range c.Steps.Since(0, 0) {
					if s.Message.Key == "apiserver.request" && s.Message.Args["resource"] == "pods/portforward" && s.Message.Args["verb"] == "create" {
						traces[s.Trace] = true
					}
				}
				for _, s := range c.Steps.Since(0, 0) {
					if s.Message.Key == "kubelet.pod.portforward" {
						seen = append(seen, fmt.Sprint(s.Message.Args))
						if traces[s.Trace] && s.Message.Args["port"] == "80" && s.Message.Args["container"] == "web" && s.Object.Name == "web" {
							return true, ""
						}
					}
				}
				return false, fmt.Sprintf("%d port-forward requests, kubelet steps %v", len(traces), seen)
			})
		})
	}
}

func waitForPodRunning(t *testing.T, c *testcluster.Cluster, name string) {
	t.Helper()
	cs := c.Client("admin")
	waitFor(t, "pod "+name+" to run", func() (bool, string) {
		p, err := cs.CoreV1().Pods("default").Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return p.Status.Phase == corev1.PodRunning, string(p.Status.Phase)
	})
}

// background is a kubectl command running while the test goes on.
type background struct {
	out  *syncBuffer
	done chan struct{}
	err  error // once done
}

// startKubectl starts kubectl with args; the test's cleanup stops it.
func startKubectl(t *testing.T, c *testcluster.Cluster, bin []string, user string, args ...string) *background {
	t.Helper()
	cmd := exec.Command(bin[0], append(append(bin[1:], "--kubeconfig", c.Kubeconfig(user)), args...)...)
	cmd.Env = append(os.Environ(), "HOME="+c.DataDir, "KUBECACHEDIR="+filepath.Join(c.DataDir, "kubecache"))
	b := &background{out: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = b.out, b.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { b.err = cmd.Wait(); close(b.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-b.done
	})
	return b
}

func (b *background) output() string { return b.out.String() }

// wait waits for kubectl to end by itself.
func (b *background) wait(t *testing.T) (string, error) {
	t.Helper()
	select {
	case <-b.done:
		return b.output(), b.err
	case <-time.After(waitDeadline):
		t.Fatalf("kubectl did not end:\n%s", b.output())
		return "", nil
	}
}

// portForward is a `kubectl port-forward` listening on local.
type portForward struct {
	*background
	local string // 127.0.0.1:port
}

// startPortForward starts kubectl port-forward and waits until it listens.
func startPortForward(t *testing.T, c *testcluster.Cluster, bin []string, user string, args ...string) *portForward {
	t.Helper()
	b := startKubectl(t, c, bin, user, append([]string{"port-forward"}, args...)...)
	listening := regexp.MustCompile(`Forwarding from (127\.0\.0\.1:\d+) ->`)
	deadline := time.After(waitDeadline)
	for {
		if m := listening.FindStringSubmatch(b.output()); m != nil {
			return &portForward{background: b, local: m[1]}
		}
		select {
		case <-b.done:
			t.Fatalf("kubectl port-forward %s ended: %v\n%s", strings.Join(args, " "), b.err, b.output())
		case <-deadline:
			t.Fatalf("kubectl port-forward %s never listened:\n%s", strings.Join(args, " "), b.output())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func tryGet(local, path string) (*http.Response, error) {
	client := &http.Client{Timeout: waitDeadline, Transport: &http.Transport{DisableKeepAlives: true}}
	return client.Get("http://" + local + path)
}

func httpGet(t *testing.T, local, path string) (*http.Response, string) {
	t.Helper()
	resp, err := tryGet(local, path)
	if err != nil {
		t.Fatalf("GET %s through %s: %v", path, local, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", path, err)
	}
	return resp, string(body)
}
