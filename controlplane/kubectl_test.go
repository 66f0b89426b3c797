package controlplane_test

// The seed article's session, typed into two real kubectl binaries: the one
// preinstalled on the machine (/usr/bin/kubectl, v1.32) and the one inside
// glassplane (v1.37), both with their default flags (so both validate through
// the OpenAPI documents and fieldValidation).

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

func kubectls(t *testing.T) map[string][]string {
	bins := map[string][]string{"glassplane kubectl": {testcluster.GlassplaneBinary(t), "kubectl"}}
	if _, err := os.Stat("/usr/bin/kubectl"); err == nil {
		bins["/usr/bin/kubectl"] = []string{"/usr/bin/kubectl"}
	} else {
		t.Log("/usr/bin/kubectl is not installed; testing glassplane kubectl only")
	}
	return bins
}

func TestKubectlSeedSession(t *testing.T) {
	t.Parallel()
	seed, err := os.ReadFile(filepath.Join("testdata", "hello-deployment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.Start(t)
			run := func(stdin string, args ...string) string {
				t.Helper()
				out, err := c.Kubectl(bin, "admin", stdin, args...)
				if err != nil {
					t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return out
			}
			out := run(string(seed), "create", "-f", "-")
			if !strings.Contains(out, "deployment.apps/helloworld-deployment created") {
				t.Errorf("create printed %q", out)
			}
			if !strings.Contains(out, "apps/v1beta2 Deployment is deprecated") {
				t.Errorf("create did not warn about apps/v1beta2: %q", out)
			}

			out = run("", "get", "deployments")
			if !regexp.MustCompile(`NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE`).MatchString(out) ||
				!regexp.MustCompile(`helloworld-deployment\s+0/1\s+0\s+0\s+\d+s`).MatchString(out) {
				t.Errorf("get deployments printed\n%s", out)
			}
			out = run("", "get", "deploy", "-o", "wide")
			if !regexp.MustCompile(`CONTAINERS\s+IMAGES\s+SELECTOR`).MatchString(out) || !strings.Contains(out, "app=helloworld-pod") {
				t.Errorf("get deploy -o wide printed\n%s", out)
			}

			out = run("", "get", "deployment", "helloworld-deployment", "-o", "yaml")
			for _, want := range []string{"apiVersion: apps/v1", "uid: ", "resourceVersion: ", "revisionHistoryLimit: 10",
				"progressDeadlineSeconds: 600", "maxSurge: 25%", "imagePullPolicy: Always", "restartPolicy: Always"} {
				if !strings.Contains(out, want) {
					t.Errorf("get -o yaml lacks %q:\n%s", want, out)
				}
			}

			out = run(string(seed), "apply", "-f", "-")
			if !strings.Contains(out, "configured") {
				t.Errorf("first apply printed %q", out)
			}
			out = run(string(seed), "apply", "-f", "-")
			if !strings.Contains(out, "deployment.apps/helloworld-deployment unchanged") {
				t.Errorf("second apply printed %q", out)
			}

			lines := kubectlWatch(t, c, bin, "get", "deploy", "-w")
			waitLine(t, lines, "0/1")

			out = run("", "scale", "deployment", "helloworld-deployment", "--replicas=5")
			if !strings.Contains(out, "deployment.apps/helloworld-deployment scaled") {
				t.Errorf("scale printed %q", out)
			}
			waitLine(t, lines, "0/5")
			d, err := c.Client("admin").AppsV1().Deployments("default").Get(context.Background(), "helloworld-deployment", metav1.GetOptions{})
			if err != nil || *d.Spec.Replicas != 5 {
				t.Errorf("after scale: %v replicas, %v", d.Spec.Replicas, err)
			}

			out = run("", "delete", "deployment", "helloworld-deployment")
			if !strings.Contains(out, `deployment.apps "helloworld-deployment" deleted`) {
				t.Errorf("delete printed %q", out)
			}
			out = run("", "get", "deployments")
			if !strings.Contains(out, "No resources found in default namespace.") {
				t.Errorf("after delete, get printed %q", out)
			}
		})
	}
}

func waitLine(t *testing.T, lines <-chan string, want string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("kubectl get -w ended before printing %q", want)
			}
			if strings.Contains(l, want) {
				return
			}
		case <-deadline:
			t.Fatalf("kubectl get -w did not print %q", want)
		}
	}
}

func TestKubectlExplainAndVersion(t *testing.T) {
	t.Parallel()
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.Start(t)
			out, err := c.Kubectl(bin, "admin", "", "explain", "deployment.spec.replicas")
			if err != nil || !strings.Contains(out, "replicas") || !strings.Contains(out, "integer") {
				t.Errorf("explain: %v\n%s", err, out)
			}
			out, _ = c.Kubectl(bin, "admin", "", "version")
			if !strings.Contains(out, "Server Version: v1.37.2") {
				t.Errorf("version printed\n%s", out)
			}
			if name == "glassplane kubectl" && !strings.Contains(out, "Client Version: v1.37") {
				t.Errorf("glassplane kubectl is not version-stamped:\n%s", out)
			}
		})
	}
}

// kubectlWatch runs a watching kubectl (get -w) as admin until the test
// ends, and returns the lines it prints as they come.
func kubectlWatch(t *testing.T, c *testcluster.Cluster, bin []string, args ...string) <-chan string {
	t.Helper()
	watch := exec.Command(bin[0], append(append(bin[1:], "--kubeconfig", c.Kubeconfig("admin")), args...)...)
	watch.Env = append(os.Environ(), "HOME="+c.DataDir, "KUBECACHEDIR="+filepath.Join(c.DataDir, "kubecache"))
	stdout, _ := watch.StdoutPipe()
	if err := watch.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = watch.Process.Kill(); _ = watch.Wait() })
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	return lines
}
