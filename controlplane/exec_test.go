package controlplane_test

// kubectl exec, through both real kubectls, over the WebSocket channel
// protocol: a command's output and exit code, an interactive shell fed on
// standard input, and the refusals a user meets (a pod not yet on a node,
// a user without pods/exec).

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

func TestKubectlExecRunsCommandsInTheSimulatedContainerWithBothKubectls(t *testing.T) {
	t.Parallel()
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := testcluster.StartCascade(t)
			cs := c.Client("admin")
			must := kubectlRunner(t, c, bin)
			must("", "run", "web", "--image=nginx:1.27", "--env=GREETING=hello")
			waitFor(t, "pod web to run", func() (bool, string) {
				p, err := cs.CoreV1().Pods("default").Get(context.Background(), "web", metav1.GetOptions{})
				if err != nil {
					return false, err.Error()
				}
				return p.Status.Phase == corev1.PodRunning, string(p.Status.Phase)
			})

			env := must("", "exec", "web", "--", "env")
			for _, want := range []string{"HOSTNAME=web\n", "GREETING=hello\n", "KUBERNETES_SERVICE_HOST=", "KUBERNETES_SERVICE_PORT=443\n"} {
				if !strings.Contains(env, want) {
					t.Errorf("exec env lacks %q:\n%s", want, env)
				}
			}
			if out := must("", "exec", "web", "--", "hostname"); out != "web\n" {
				t.Errorf("exec hostname = %q", out)
			}
			if out := must("", "exec", "web", "--", "cat", "/etc/resolv.conf"); !strings.Contains(out, "search default.svc.cluster.local") {
				t.Errorf("exec cat /etc/resolv.conf = %q", out)
			}

			// The exit code comes back as kubectl's own.
			out, err := c.Kubectl(bin, "admin", "", "exec", "web", "--", "sh", "-c", "echo before; nosuch")
			var exit *exec.ExitError
			if !asExit(err, &exit) || exit.ExitCode() != 127 || !strings.Contains(out, "before") || !strings.Contains(out, "sh: nosuch: not found") {
				t.Errorf("a command not found: %v\n%s", err, out)
			}

			// An interactive shell reads its commands from standard input.
			out, err = c.Kubectl(bin, "admin", "whoami\nexit 4\n", "exec", "-i", "web", "--", "sh")
			if !asExit(err, &exit) || exit.ExitCode() != 4 || !strings.Contains(out, "/ # root") {
				t.Errorf("exec -i sh: %v\n%s", err, out)
			}

			// bob may view but not exec: 403 naming pods/exec.
			out, err = c.Kubectl(bin, "bob", "", "exec", "web", "--", "env")
			if err == nil || !strings.Contains(out, `cannot create resource "pods/exec"`) {
				t.Errorf("bob's exec: %v\n%s", err, out)
			}
		})
	}
}

func asExit(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	if ok {
		*target = e
	}
	return ok
}

func TestExecIntoAPodNotOnANodeIsRefused(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t) // no scheduler, no kubelets
	bin := []string{testcluster.GlassplaneBinary(t), "kubectl"}
	if out, err := c.Kubectl(bin, "admin", "", "run", "idle", "--image=nginx"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out, err := c.Kubectl(bin, "admin", "", "exec", "idle", "--", "env")
	if err == nil || !strings.Contains(out, "does not have a host assigned") {
		t.Errorf("exec into an unscheduled pod: %v\n%s", err, fmt.Sprint(out))
	}
}
