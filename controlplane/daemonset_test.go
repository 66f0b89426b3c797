package controlplane_test

// A DaemonSet on a whole cluster: one pod per node, kept through a node
// that stops answering (its pod is marked not Ready but, unlike other pods,
// not evicted), following a node that joins and a taint put on and taken
// off, and a new template rolled out node by node — typed with both
// kubectls.

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/kubelet"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

const logsEverywhere = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: logs
spec:
  selector:
    matchLabels: {app: logs}
  template:
    metadata:
      labels: {app: logs}
    spec:
      containers:
      - name: agent
        image: fluentd
`

// daemonPods maps node name to the logs pods there (those being deleted too).
func daemonPods(t *testing.T, cs kubernetes.Interface) map[string][]corev1.Pod {
	t.Helper()
	l, err := cs.CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{LabelSelector: "app=logs"})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]corev1.Pod{}
	for _, p := range l.Items {
		out[p.Spec.NodeName] = append(out[p.Spec.NodeName], p)
	}
	return out
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// oneReadyPodOnEach reports whether each node runs exactly one ready logs
// pod with image (and no other node runs one).
func oneReadyPodOnEach(t *testing.T, cs kubernetes.Interface, image string, nodes ...string) bool {
	byNode := daemonPods(t, cs)
	if len(byNode) != len(nodes) {
		return false
	}
	for _, n := range nodes {
		pods := byNode[n]
		if len(pods) != 1 || pods[0].DeletionTimestamp != nil || !podReady(&pods[0]) || pods[0].Spec.Containers[0].Image != image {
			return false
		}
	}
	return true
}

func TestDaemonSetRunsOnePodPerNodeAndFollowsNodesStoppedAddedTaintedAndANewTemplate(t *testing.T) {
	t.Parallel()
	c := testcluster.StartWith(t, controlplane.Config{Timing: &controlplane.Timing{
		LeaseInterval: 100 * time.Millisecond, NodeGracePeriod: 3 * time.Second, EvictionTimeout: time.Second}})
	cs := c.Client("admin")
	bins := kubectls(t)
	kubectl := func(bin []string, stdin string, args ...string) string {
		t.Helper()
		out, err := c.Kubectl(bin, "admin", stdin, args...)
		if err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	getDaemonSet := func(want string) {
		t.Helper()
		for name, bin := range bins {
			waitUntil(t, fmt.Sprintf("%s get ds to show %q", name, want), func() bool {
				out, _ := c.Kubectl(bin, "admin", "", "get", "ds", "logs")
				return regexp.MustCompile(want).MatchString(out)
			})
		}
	}
	for _, bin := range bins {
		kubectl(bin, logsEverywhere, "apply", "-f", "-")
	}
	waitUntil(t, "one ready pod on each of the three nodes", func() bool {
		return oneReadyPodOnEach(t, cs, "fluentd", "node-1", "node-2", "node-3")
	})
	getDaemonSet(`logs\s+3\s+3\s+3\s+3\s+3\s+<none>\s+\d+s`)
	onNode2 := daemonPods(t, cs)["node-2"][0]
	if a := onNode2.Spec.Affinity; a == nil || a.NodeAffinity == nil ||
		a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchFields[0].Values[0] != "node-2" {
		t.Errorf("the daemon pod on node-2 is not bound to it by node affinity: %+v", onNode2.Spec.Affinity)
	}

	// What keeps it there: it tolerates unreachable for good (no
	// tolerationSeconds), where DefaultTolerationSeconds gives other pods 300s.
	tolerated := false
	for _, tol := range onNode2.Spec.Tolerations {
		tolerated = tolerated || tol.Key == corev1.TaintNodeUnreachable && tol.Effect == corev1.TaintEffectNoExecute && tol.TolerationSeconds == nil
	}
	if !tolerated {
		t.Errorf("the daemon pod does not tolerate unreachable for good: %+v", onNode2.Spec.Tolerations)
	}
	// A pod that tolerates unreachable for 0s shows when eviction has come.
	control := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "control", Namespace: "default"},
		Spec: corev1.PodSpec{NodeName: "node-2", Containers: []corev1.Container{{Name: "c", Image: "busybox"}},
			Tolerations: []corev1.Toleration{{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists,
				Effect: corev1.TaintEffectNoExecute, TolerationSeconds: new(int64)}}}}
	if _, err := cs.CoreV1().Pods("default").Create(context.Background(), control, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.StopComponent("kubelet/node-2"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the unreachable taint to evict the control pod", func() bool {
		p, err := cs.CoreV1().Pods("default").Get(context.Background(), "control", metav1.GetOptions{})
		return err != nil || p.DeletionTimestamp != nil
	})
	waitUntil(t, "the daemon pod on node-2 to be marked not Ready", func() bool {
		pods := daemonPods(t, cs)["node-2"]
		return len(pods) == 1 && !podReady(&pods[0])
	})
	if pods := daemonPods(t, cs)["node-2"]; len(pods) != 1 || pods[0].Name != onNode2.Name || pods[0].DeletionTimestamp != nil {
		t.Fatalf("the daemon pod on the unreachable node was evicted or replaced: %+v", pods)
	}
	if err := c.StartComponent("kubelet/node-2"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the same daemon pod Ready again on node-2", func() bool {
		pods := daemonPods(t, cs)["node-2"]
		return len(pods) == 1 && pods[0].Name == onNode2.Name && podReady(&pods[0])
	})
	getDaemonSet(`logs\s+3\s+3\s+3\s+3\s+3\s+`)

	opts := kubelet.NodeOptions(4)
	opts.LeaseInterval, opts.PullDelay, opts.StartDelay = 100*time.Millisecond, 0, 0
	cfg, err := c.ClientConfig("system:node:node-4", "system:nodes")
	if err != nil {
		t.Fatal(err)
	}
	k := kubelet.New(cfg, c.Steps, opts)
	c.Kubelets.Add(k)
	c.AddComponent(controlplane.Component{Name: k.Component(), Run: k.Run})
	waitUntil(t, "a ready pod on the new node-4 too", func() bool {
		return oneReadyPodOnEach(t, cs, "fluentd", "node-1", "node-2", "node-3", "node-4")
	})
	getDaemonSet(`logs\s+4\s+4\s+4\s+4\s+4\s+`)

	first := kubectls(t)["glassplane kubectl"]
	last := bins["/usr/bin/kubectl"]
	if last == nil {
		last = first
	}
	// A NoExecute taint the pods do not tolerate sends the pod away; removed,
	// the node gets one again.
	kubectl(first, "", "taint", "node", "node-3", "dedicated=db:NoExecute")
	waitUntil(t, "no daemon pod left on the tainted node-3", func() bool {
		return oneReadyPodOnEach(t, cs, "fluentd", "node-1", "node-2", "node-4")
	})
	getDaemonSet(`logs\s+3\s+3\s+3\s+3\s+3\s+`)
	kubectl(last, "", "taint", "node", "node-3", "dedicated-")
	waitUntil(t, "a daemon pod back on node-3", func() bool {
		return oneReadyPodOnEach(t, cs, "fluentd", "node-1", "node-2", "node-3", "node-4")
	})
	kubectl(first, "", "set", "image", "ds/logs", "agent=fluentd:2")
	for name, bin := range bins {
		if out := kubectl(bin, "", "rollout", "status", "ds/logs", "--timeout=60s"); !strings.Contains(out, `daemon set "logs" successfully rolled out`) {
			t.Errorf("%s rollout status printed %q", name, out)
		}
	}
	waitUntil(t, "fluentd:2 on every node", func() bool {
		return oneReadyPodOnEach(t, cs, "fluentd:2", "node-1", "node-2", "node-3", "node-4")
	})
	for name, bin := range bins {
		out := kubectl(bin, "", "rollout", "history", "ds/logs")
		if !regexp.MustCompile(`(?m)^1\s`).MatchString(out) || !regexp.MustCompile(`(?m)^2\s`).MatchString(out) {
			t.Errorf("%s rollout history lists no revisions 1 and 2:\n%s", name, out)
		}
	}
	kubectl(first, "", "delete", "ds", "logs")
	waitUntil(t, "the garbage collector to take the daemon pods and revisions", func() bool {
		revs, err := cs.AppsV1().ControllerRevisions("default").List(context.Background(), metav1.ListOptions{})
		return err == nil && len(revs.Items) == 0 && len(daemonPods(t, cs)) == 0
	})
	waitUntil(t, "the DaemonSet's SuccessfulCreate and SuccessfulDelete events", func() bool {
		events, err := cs.CoreV1().Events("default").List(context.Background(), metav1.ListOptions{FieldSelector: "involvedObject.name=logs"})
		if err != nil {
			return false
		}
		reasons := map[string]bool{}
		for _, e := range events.Items {
			reasons[e.Reason] = true
		}
		return reasons["SuccessfulCreate"] && reasons["SuccessfulDelete"]
	})
}
