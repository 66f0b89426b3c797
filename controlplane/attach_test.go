package controlplane_test

// kubectl attach, through both real kubectls: attached to nginx, kubectl
// shows what the container writes from then on (the access-log line of a
// request made through port-forward); `kubectl run -i --rm` with busybox
// attaches to its shell, runs what is typed and removes the pod; a user
// without pods/attach gets 403; and the kubelet's attach is a step of the
// request's trace.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

func TestKubectlAttachShowsTheContainersOutputWithBothKubectls(t *testing.T) {
	t.Parallel()
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := testcluster.StartCascade(t)
			must := kubectlRunner(t, c, bin)
			must("", "run", "web", "--image=nginx:1.27", "--port=80")
			waitForPodRunning(t, c, "web")

			// Attached, kubectl prints what nginx writes next: the access
			// log of each request. Requests go on until one shows, since
			// kubectl attaches when it is ready.
			attached := startKubectl(t, c, bin, "admin", "attach", "web")
			pf := startPortForward(t, c, bin, "admin", "pod/web", ":80")
			deadline := time.Now().Add(waitDeadline)
			for !strings.Contains(attached.output(), `"GET /from-attach-test HTTP/1.1" 404`) {
				if time.Now().After(deadline) {
					t.Fatalf("kubectl attach never showed the request's access-log line:\n%s", attached.output())
				}
				if resp, err := tryGet(pf.local, "/from-attach-test"); err == nil {
					_ = resp.Body.Close()
				}
				time.Sleep(200 * time.Millisecond)
			}
			if out := attached.output(); strings.Contains(out, "start worker processes") {
				t.Errorf("kubectl attach replayed the log written before it attached:\n%s", out)
			}

			// kubectl run -i --rm: a busybox shell reads what is typed; when
			// it exits, kubectl removes the pod.
			out := must("hostname\necho typed into the shell\nexit\n", "run", "shell", "--image=busybox", "-i", "--rm")
			for _, want := range []string{"shell\n", "typed into the shell\n", `pod "shell" deleted`} {
				if !strings.Contains(out, want) {
					t.Errorf("kubectl run -i --rm lacks %q:\n%s", want, out)
				}
			}

			// bob may view but not attach.
			if out, err := c.Kubectl(bin, "bob", "", "attach", "web"); err == nil || !strings.Contains(out, `cannot create resource "pods/attach"`) {
				t.Errorf("bob's attach: %v\n%s", err, out)
			}

			waitFor(t, "the attach's steps", func() (bool, string) {
				traces := map[string]bool{}
				for _, s := range c.Steps.Since(0, 0) {
					if s.Message.Key == "apiserver.request" && s.Message.Args["resource"] == "pods/attach" && s.Message.Args["verb"] == "create" {
						traces[s.Trace] = true
					}
				}
				for _, s := range c.Steps.Since(0, 0) {
					if s.Message.Key == "kubelet.pod.attach" && traces[s.Trace] && s.Object.Name == "web" && s.Message.Args["container"] == "web" {
						return true, ""
					}
				}
				return false, fmt.Sprintf("%d attach requests", len(traces))
			})
		})
	}
}
