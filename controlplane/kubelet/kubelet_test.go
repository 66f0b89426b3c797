package kubelet_test

// The kubelets driven the way a cluster drives them: three nodes against a
// real in-process API server, pods bound to them directly (spec.nodeName on
// create, no scheduler), and both kubectls to look at the result.

import (
	"context"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/glassplane/glassplane/controlplane/kubelet"
	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// fast makes a kubelet quick enough for tests.
func fast(o *kubelet.Options) {
	o.LeaseInterval, o.StatusInterval = 200*time.Millisecond, time.Second
	o.PullDelay, o.StartDelay = 0, 0
	o.BackOff, o.MaxBackOff = 300*time.Millisecond, time.Second
}

// startNodes runs node-1 … node-3 until the test ends and returns a function
// that stops one node's kubelet.
func startNodes(t *testing.T, c *testcluster.Cluster) (stop func(node string)) {
	t.Helper()
	ks, err := kubelet.NewNodes(3, c.ClientConfig, c.Steps, fast)
	if err != nil {
		t.Fatal(err)
	}
	stops := map[string]func(){}
	for _, k := range ks {
		c.Kubelets.Add(k)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := k.Run(ctx); err != nil {
				t.Errorf("kubelet %s: %v", k.NodeName(), err)
			}
		}()
		stops[k.NodeName()] = func() { cancel(); <-done }
		t.Cleanup(stops[k.NodeName()])
	}
	return func(node string) { stops[node]() }
}

func pod(name, node, image string, cmd ...string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: corev1.PodSpec{NodeName: node,
			Containers: []corev1.Container{{Name: "web", Image: image, Command: cmd}}},
	}
}

// waitPod polls pod until ok says yes, failing the test after 30s.
func waitPod(t *testing.T, cs kubernetes.Interface, name string, what string, ok func(*corev1.Pod) bool) *corev1.Pod {
	t.Helper()
	var last *corev1.Pod
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		p, err := cs.CoreV1().Pods("default").Get(context.Background(), name, metav1.GetOptions{})
		if err == nil {
			last = p
			if ok(p) {
				return p
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("pod %s never %s; last seen %+v", name, what, last.Status)
	return nil
}

func ready(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func kubectls(t *testing.T) map[string][]string {
	bins := map[string][]string{"glassplane kubectl": {testcluster.GlassplaneBinary(t), "kubectl"}}
	if _, err := os.Stat("/usr/bin/kubectl"); err == nil {
		bins["/usr/bin/kubectl"] = []string{"/usr/bin/kubectl"}
	}
	return bins
}

func TestKubeletRunsABoundPodWithAnIPFromItsNodesPodCIDR(t *testing.T) {
	c := testcluster.Start(t)
	startNodes(t, c)
	cs := c.Client("admin")
	if _, err := cs.CoreV1().Pods("default").Create(context.Background(), pod("web", "node-2", "nginx"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	p := waitPod(t, cs, "web", "became Running and Ready", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodRunning && ready(p) })
	ip, err := netip.ParseAddr(p.Status.PodIP)
	if err != nil || !netip.MustParsePrefix("10.244.2.0/24").Contains(ip) {
		t.Errorf("pod IP %q is not in node-2's podCIDR 10.244.2.0/24", p.Status.PodIP)
	}
	if p.Status.HostIP != "192.168.49.12" || p.Status.StartTime == nil {
		t.Errorf("hostIP %q startTime %v", p.Status.HostIP, p.Status.StartTime)
	}
	st := p.Status.ContainerStatuses[0]
	if !st.Ready || st.State.Running == nil || !strings.HasPrefix(st.ContainerID, kubelet.RuntimeName+"://") ||
		!strings.HasPrefix(st.ImageID, "docker.io/library/nginx@sha256:") {
		t.Errorf("container status %+v", st)
	}

	// The kubelet's steps belong to the trace of the kubectl-like create.
	trace := ""
	stages := map[string]bool{}
	for _, s := range c.Steps.Since(0, 0) {
		if s.Stage == steps.Request && s.Message.Args["verb"] == "create" && s.Message.Args["resource"] == "pods" {
			trace = s.Trace
		}
		if s.Component == "kubelet/node-2" && s.Object.Name == "web" && trace != "" && s.Trace == trace {
			stages[s.Stage] = true
		}
	}
	for _, want := range []string{steps.Watch, steps.Pull, steps.Run, steps.Status} {
		if !stages[want] {
			t.Errorf("no %s step of kubelet/node-2 in the create's trace (saw %v)", want, stages)
		}
	}
}

func TestKubectlShowsNodesEventsAndLogs(t *testing.T) {
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.Start(t)
			startNodes(t, c)
			cs := c.Client("admin")
			if _, err := cs.CoreV1().Pods("default").Create(context.Background(), pod("hello", "node-1", "zxcvbnius/docker-demo"), metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			waitPod(t, cs, "hello", "became Ready", ready)
			run := func(args ...string) string {
				t.Helper()
				out, err := c.Kubectl(bin, "admin", "", args...)
				if err != nil {
					t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return out
			}

			// Each kubelet registers its node from its own goroutine: node-1
			// running a pod says nothing of node-2 and node-3, so look until
			// all three are listed.
			readyNode := regexp.MustCompile(`(?m)^node-\d\s+Ready\s+<none>\s+\S+\s+v1\.37\.2$`)
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
				out := run("get", "nodes")
				n := len(readyNode.FindAllString(out, -1))
				if n == 3 {
					break
				}
				if time.Now().After(deadline) {
					t.Errorf("get nodes shows %d Ready v1.37.2 nodes:\n%s", n, out)
					break
				}
			}

			var describe string
			deadline := time.Now().Add(30 * time.Second)
			events := regexp.MustCompile(`(?s)Pulling\s.*Pulled\s.*Created\s.*Started\s`)
			for time.Now().Before(deadline) {
				if describe = run("describe", "pod", "hello"); events.MatchString(describe) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			for _, want := range []string{`Pulling image "zxcvbnius/docker-demo"`, `Successfully pulled image "zxcvbnius/docker-demo" in`,
				"Created container: web", "Started container web", "node-1/192.168.49.11", "10.244.1.2"} {
				if !strings.Contains(describe, want) {
					t.Errorf("describe pod lacks %q:\n%s", want, describe)
				}
			}
			if !regexp.MustCompile(`\nIP:\s+10\.244\.1\.2\n`).MatchString(describe) {
				t.Errorf("describe pod does not show the pod IP:\n%s", describe)
			}
			if !events.MatchString(describe) {
				t.Errorf("describe pod does not list Pulling, Pulled, Created, Started in order:\n%s", describe)
			}

			out := run("logs", "hello")
			if !strings.Contains(out, "> node index.js") || !strings.Contains(out, "Example app listening at http://:::3000") {
				t.Errorf("logs printed\n%s", out)
			}
		})
	}
}

func TestDeletingAPodStopsItsContainersAndRemovesIt(t *testing.T) {
	c := testcluster.Start(t)
	startNodes(t, c)
	cs := c.Client("admin")
	ctx := context.Background()
	if _, err := cs.CoreV1().Pods("default").Create(ctx, pod("web", "node-3", "nginx"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitPod(t, cs, "web", "became Ready", ready)
	if err := cs.CoreV1().Pods("default").Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := cs.CoreV1().Pods("default").Get(ctx, "web", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the deleted pod is still there: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The kubelet records its events through an event broadcaster, which
	// writes them in the background: the Killing event may land after the
	// pod is gone, so look until a deadline rather than once.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		evs, err := cs.CoreV1().Events("default").List(ctx, metav1.ListOptions{FieldSelector: "reason=Killing"})
		if err == nil && len(evs.Items) > 0 && evs.Items[0].Message == "Stopping container web" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no Killing event: %v %v", evs, err)
		}
	}
}

func TestRestartPolicyDecidesWhatHappensWhenAContainerExits(t *testing.T) {
	c := testcluster.Start(t)
	startNodes(t, c)
	cs := c.Client("admin")
	ctx := context.Background()
	crash := pod("crash", "node-1", "busybox", "sh", "-c", "exit 1")
	once := pod("once", "node-2", "busybox", "sh", "-c", "exit 1")
	once.Spec.RestartPolicy = corev1.RestartPolicyNever
	done := pod("done", "node-3", "busybox", "sh", "-c", "echo done")
	done.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
	for _, p := range []*corev1.Pod{crash, once, done} {
		if _, err := cs.CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	waitPod(t, cs, "crash", "went into CrashLoopBackOff after restarts", func(p *corev1.Pod) bool {
		st := p.Status.ContainerStatuses
		return len(st) == 1 && st[0].RestartCount >= 2 && st[0].State.Waiting != nil &&
			st[0].State.Waiting.Reason == "CrashLoopBackOff" && st[0].LastTerminationState.Terminated != nil &&
			st[0].LastTerminationState.Terminated.ExitCode == 1 && p.Status.Phase == corev1.PodRunning
	})
	waitPod(t, cs, "once", "Failed", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodFailed })
	waitPod(t, cs, "done", "Succeeded", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodSucceeded })
	out, err := c.Kubelets.Logs(ctx, waitPod(t, cs, "done", "bound", func(*corev1.Pod) bool { return true }), "web", &corev1.PodLogOptions{})
	if err != nil || string(out) != "done\n" {
		t.Errorf("logs of the echo: %q, %v", out, err)
	}
}

func TestAMissingImageBacksOff(t *testing.T) {
	c := testcluster.Start(t)
	startNodes(t, c)
	cs := c.Client("admin")
	if _, err := cs.CoreV1().Pods("default").Create(context.Background(), pod("typo", "node-1", "nginx:fail"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitPod(t, cs, "typo", "waited in ImagePullBackOff", func(p *corev1.Pod) bool {
		st := p.Status.ContainerStatuses
		return len(st) == 1 && st[0].State.Waiting != nil && st[0].State.Waiting.Reason == "ImagePullBackOff" && p.Status.Phase == corev1.PodPending
	})
}
