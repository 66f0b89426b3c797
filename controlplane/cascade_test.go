package controlplane_test

// The heart of the story, typed into real kubectls against a whole cluster
// (controller manager, scheduler, three kubelets) with no simulated delays.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// waitDeadline is how long the helpers below wait for the cluster: long, so
// a test still passes on a loaded machine, where a package's clusters and
// browsers run side by side; a working cluster answers in a fraction of it.
const waitDeadline = 60 * time.Second

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitDeadline)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func runningPods(t *testing.T, cs kubernetes.Interface, selector string) []corev1.Pod {
	l, err := cs.CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		t.Fatal(err)
	}
	var out []corev1.Pod
	for _, p := range l.Items {
		if p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out
}

func TestKubectlSeedBecomesRunningPods(t *testing.T) {
	t.Parallel()
	seed := string(readSeed(t))
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.StartCascade(t)
			cs := c.Client("admin")
			run := func(stdin string, args ...string) string {
				t.Helper()
				out, err := c.Kubectl(bin, "admin", stdin, args...)
				if err != nil {
					t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return out
			}
			run(seed, "create", "-f", "-")
			waitUntil(t, "the seed's pod running", func() bool { return len(runningPods(t, cs, "app=helloworld-pod")) == 1 })

			out := run("", "get", "pods", "-o", "wide")
			row := regexp.MustCompile(`helloworld-deployment-\S+\s+1/1\s+Running\s+0\s+\S+\s+10\.244\.\d+\.\d+\s+node-\d`)
			if n := len(row.FindAllString(out, -1)); n != 1 {
				t.Errorf("get pods -o wide shows %d running pods with IP and node:\n%s", n, out)
			}
			pod := runningPods(t, cs, "app=helloworld-pod")[0].Name
			// The scheduler and the kubelet write their events through event
			// broadcasters, in the background: a Running pod does not mean its
			// events are stored yet, so describe until they all are.
			missingEvent := func(out string) string {
				last := -1
				for _, reason := range []string{"Scheduled", "Pulling", "Pulled", "Created", "Started"} {
					i := strings.Index(out, "  "+reason+" ")
					if i < 0 || i < last {
						return reason
					}
					last = i
				}
				return ""
			}
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
				out = run("", "describe", "pod", pod)
				missing := missingEvent(out)
				if missing == "" {
					break
				}
				if time.Now().After(deadline) {
					t.Errorf("describe pod: event %s missing or out of order:\n%s", missing, out)
					break
				}
			}
			if out = run("", "logs", pod); !strings.Contains(out, "3000") {
				t.Errorf("logs printed %q", out)
			}

			run("", "delete", "pod", pod)
			waitUntil(t, "a replacement pod", func() bool {
				pods := runningPods(t, cs, "app=helloworld-pod")
				for _, p := range pods {
					if p.Name == pod {
						return false
					}
				}
				return len(pods) == 1
			})

			run("", "scale", "deployment", "helloworld-deployment", "--replicas=5")
			waitUntil(t, "5 running pods", func() bool { return len(runningPods(t, cs, "app=helloworld-pod")) == 5 })
			nodes := map[string]int{}
			for _, p := range runningPods(t, cs, "app=helloworld-pod") {
				nodes[p.Spec.NodeName]++
			}
			if len(nodes) != 3 {
				t.Errorf("5 pods on nodes %v, want them spread over all 3", nodes)
			}

			run("", "set", "image", "deployment/helloworld-deployment", "my-pod=nginx:1.25")
			if out = run("", "rollout", "status", "deployment/helloworld-deployment", "--timeout=60s"); !strings.Contains(out, "successfully rolled out") {
				t.Errorf("rollout status printed %q", out)
			}
			out = run("", "get", "rs")
			if n := len(regexp.MustCompile(`helloworld-deployment-\S+`).FindAllString(out, -1)); n != 2 {
				t.Errorf("after a new image, %d ReplicaSets:\n%s", n, out)
			}
			run("", "rollout", "undo", "deployment/helloworld-deployment")
			run("", "rollout", "status", "deployment/helloworld-deployment", "--timeout=60s")
			d, err := cs.AppsV1().Deployments("default").Get(context.Background(), "helloworld-deployment", metav1.GetOptions{})
			if err != nil || d.Spec.Template.Spec.Containers[0].Image != "zxcvbnius/docker-demo:latest" {
				t.Errorf("after rollout undo the image is %v (%v)", d.Spec.Template.Spec.Containers, err)
			}

			run("", "delete", "deployment", "helloworld-deployment")
			waitUntil(t, "the garbage collector to remove ReplicaSets and pods", func() bool {
				rs, _ := cs.AppsV1().ReplicaSets("default").List(context.Background(), metav1.ListOptions{})
				pods, _ := cs.CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{})
				return len(rs.Items) == 0 && len(pods.Items) == 0
			})
		})
	}
}

const hungryPod = `apiVersion: v1
kind: Pod
metadata:
  name: hungry
spec:
  containers:
  - name: app
    image: nginx
    resources:
      requests:
        cpu: "100"
`

func TestUnschedulablePodStaysPendingWithKubernetesMessage(t *testing.T) {
	t.Parallel()
	c := testcluster.StartCascade(t)
	bin := kubectls(t)["glassplane kubectl"]
	// All three nodes first: on a loaded machine the pod may otherwise be
	// tried while only one has registered ("0/1 nodes are available").
	waitUntil(t, "three nodes registered", func() bool {
		nodes, err := c.Client("admin").CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
		return err == nil && len(nodes.Items) == 3
	})
	if out, err := c.Kubectl(bin, "admin", hungryPod, "create", "-f", "-"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var out string
	const want = "0/3 nodes are available: 3 Insufficient cpu."
	eventually(t, "a FailedScheduling event saying why no node of three fits", func() error {
		if out, _ = c.Kubectl(bin, "admin", "", "describe", "pod", "hungry"); !strings.Contains(out, want) {
			return fmt.Errorf("describe pod hungry:\n%s", out)
		}
		return nil
	})
	if out, _ = c.Kubectl(bin, "admin", "", "get", "pod", "hungry"); !strings.Contains(out, "Pending") {
		t.Errorf("get pod hungry: %s", out)
	}
}

func TestStoppedKubeletMakesNodeNotReadyAndPodsMove(t *testing.T) {
	t.Parallel()
	// A node is lost after 3 s of silence: long enough that a kubelet
	// starved of CPU on a loaded machine is not taken for dead before the
	// test stops one on purpose.
	c := testcluster.StartWith(t, controlplane.Config{Timing: &controlplane.Timing{
		LeaseInterval: 100 * time.Millisecond, NodeGracePeriod: 3 * time.Second, EvictionTimeout: time.Second}})
	cs := c.Client("admin")
	bin := kubectls(t)["glassplane kubectl"]
	if out, err := c.Kubectl(bin, "admin", string(readSeed(t)), "create", "-f", "-"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if out, err := c.Kubectl(bin, "admin", "", "scale", "deployment", "helloworld-deployment", "--replicas=3"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	waitUntil(t, "3 running pods, one of them on node-2", func() bool {
		pods := runningPods(t, cs, "app=helloworld-pod")
		for _, p := range pods {
			if p.Spec.NodeName == "node-2" {
				return len(pods) == 3
			}
		}
		return false
	})
	if err := c.StopComponent("kubelet/node-2"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "node-2 NotReady", func() bool {
		out, _ := c.Kubectl(bin, "admin", "", "get", "nodes")
		return regexp.MustCompile(`node-2\s+NotReady`).MatchString(out)
	})
	waitUntil(t, "3 running pods, none on node-2", func() bool {
		pods := runningPods(t, cs, "app=helloworld-pod")
		for _, p := range pods {
			if p.Spec.NodeName == "node-2" {
				return false
			}
		}
		return len(pods) == 3
	})
}

func TestDeletingANamespaceRemovesItsContents(t *testing.T) {
	t.Parallel()
	c := testcluster.StartCascade(t)
	bin := kubectls(t)["glassplane kubectl"]
	for _, args := range [][]string{{"create", "namespace", "shop"}, {"-n", "shop", "create", "deployment", "web", "--image=nginx", "--replicas=2"}} {
		if out, err := c.Kubectl(bin, "admin", "", args...); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	cs := c.Client("admin")
	waitUntil(t, "2 pods in shop", func() bool {
		l, _ := cs.CoreV1().Pods("shop").List(context.Background(), metav1.ListOptions{})
		return len(l.Items) == 2
	})
	if out, err := c.Kubectl(bin, "admin", "", "delete", "namespace", "shop"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	waitUntil(t, "the namespace and its contents gone", func() bool {
		_, err := cs.CoreV1().Namespaces().Get(context.Background(), "shop", metav1.GetOptions{})
		l, _ := cs.CoreV1().Pods("shop").List(context.Background(), metav1.ListOptions{})
		return err != nil && len(l.Items) == 0
	})
}

func readSeed(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "hello-deployment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
