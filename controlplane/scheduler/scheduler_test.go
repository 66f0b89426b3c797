package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/glassplane/glassplane/controlplane/scheduler"
	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// startScheduler runs a scheduler as system:kube-scheduler until the test ends.
func startScheduler(t *testing.T, c *testcluster.Cluster, opts scheduler.Options) {
	t.Helper()
	cfg, err := c.ClientConfig("system:kube-scheduler")
	if err != nil {
		t.Fatal(err)
	}
	s, err := scheduler.New(cfg, c.Steps, opts)
	if err != nil {
		t.Fatal(err)
	}
	runScheduler(t, s)
}

// runScheduler runs s until the test ends.
func runScheduler(t *testing.T, s *scheduler.Scheduler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("scheduler stopped with %v", err)
		}
	})
}

func createNode(t testing.TB, client kubernetes.Interface, name, cpu, mem string, change ...func(*corev1.Node)) {
	t.Helper()
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/hostname": name}},
		Status: corev1.NodeStatus{
			Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu),
				corev1.ResourceMemory: resource.MustParse(mem), corev1.ResourcePods: resource.MustParse("110")},
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}},
		},
	}
	n.Status.Capacity = n.Status.Allocatable
	for _, f := range change {
		f(n)
	}
	if _, err := client.CoreV1().Nodes().Create(context.Background(), n, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating node %s: %v", name, err)
	}
}

func createPod(t testing.TB, client kubernetes.Interface, name, cpu string, change ...func(*corev1.Pod)) {
	t.Helper()
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}}}}},
	}
	for _, f := range change {
		f(p)
	}
	if _, err := client.CoreV1().Pods("default").Create(context.Background(), p, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating pod %s: %v", name, err)
	}
}

// eventually polls check until it returns nil or the deadline passes.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func nodeOf(client kubernetes.Interface, name string) (string, error) {
	p, err := client.CoreV1().Pods("default").Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		return "", err
	}
	if p.Spec.NodeName == "" {
		return "", errors.New(name + " is not bound")
	}
	return p.Spec.NodeName, nil
}

func waitBound(t *testing.T, client kubernetes.Interface, name string) string {
	t.Helper()
	var node string
	eventually(t, "waiting for "+name+" to be bound", func() (err error) {
		node, err = nodeOf(client, name)
		return err
	})
	return node
}

// waitUnschedulable waits for the PodScheduled=False condition and returns its message.
func waitUnschedulable(t *testing.T, client kubernetes.Interface, name string) string {
	t.Helper()
	var msg string
	eventually(t, "waiting for "+name+" to be marked unschedulable", func() error {
		p, err := client.CoreV1().Pods("default").Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
				msg = c.Message
				return nil
			}
		}
		return fmt.Errorf("conditions %+v", p.Status.Conditions)
	})
	return msg
}

func findEvent(client kubernetes.Interface, pod, reason string) (*corev1.Event, error) {
	list, err := client.CoreV1().Events("default").List(context.Background(), metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for i, e := range list.Items {
		if e.InvolvedObject.Name == pod && e.Reason == reason {
			return &list.Items[i], nil
		}
	}
	return nil, fmt.Errorf("no %s event for %s among %d events", reason, pod, len(list.Items))
}

func TestSchedulerBindsPodsAndSpreadsThemByLeastAllocated(t *testing.T) {
	c := testcluster.Start(t)
	admin := c.Client("admin")
	for i := 1; i <= 3; i++ {
		createNode(t, admin, fmt.Sprintf("node-%d", i), "4", "8Gi")
	}
	startScheduler(t, c, scheduler.Options{})
	perNode := map[string]int{}
	for i := 1; i <= 6; i++ {
		createPod(t, admin, fmt.Sprintf("pod-%d", i), "1")
	}
	for i := 1; i <= 6; i++ {
		perNode[waitBound(t, admin, fmt.Sprintf("pod-%d", i))]++
	}
	for node, n := range perNode {
		if n != 2 {
			t.Errorf("pods per node = %v, want 2 on each of 3 nodes (%s has %d)", perNode, node, n)
		}
	}
	node, _ := nodeOf(admin, "pod-1")
	eventually(t, "Scheduled event", func() error {
		e, err := findEvent(admin, "pod-1", "Scheduled")
		if err != nil {
			return err
		}
		want := "Successfully assigned default/pod-1 to " + node
		if e.Message != want || e.Type != corev1.EventTypeNormal || e.ReportingController != "default-scheduler" {
			return fmt.Errorf("event %q %s from %q, want %q", e.Message, e.Type, e.ReportingController, want)
		}
		return nil
	})
}

func TestSchedulerLeavesPodPendingWhenNoNodeFitsAndRetriesWhenANodeIsAdded(t *testing.T) {
	c := testcluster.Start(t)
	admin := c.Client("admin")
	for i := 1; i <= 3; i++ {
		createNode(t, admin, fmt.Sprintf("node-%d", i), "4", "8Gi")
	}
	startScheduler(t, c, scheduler.Options{FlushInterval: time.Hour})
	createPod(t, admin, "huge", "100")

	const want = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
	if got := waitUnschedulable(t, admin, "huge"); got != want {
		t.Fatalf("condition message\n got: %s\nwant: %s", got, want)
	}
	eventually(t, "FailedScheduling event", func() error {
		e, err := findEvent(admin, "huge", "FailedScheduling")
		if err != nil {
			return err
		}
		if e.Message != want || e.Type != corev1.EventTypeWarning || e.Source.Component != "default-scheduler" {
			return fmt.Errorf("event %q %s from %q", e.Message, e.Type, e.Source.Component)
		}
		return nil
	})
	if _, err := nodeOf(admin, "huge"); err == nil {
		t.Fatal("the huge pod was bound")
	}

	createNode(t, admin, "node-big", "128", "256Gi")
	if node := waitBound(t, admin, "huge"); node != "node-big" {
		t.Fatalf("bound to %s, want node-big", node)
	}
}

func TestSchedulerHonoursNodeSelectorsTaintsAndTolerations(t *testing.T) {
	c := testcluster.Start(t)
	admin := c.Client("admin")
	createNode(t, admin, "node-gpu", "4", "8Gi", func(n *corev1.Node) {
		n.Spec.Taints = []corev1.Taint{{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule}}
	})
	createNode(t, admin, "node-plain", "4", "8Gi")
	createNode(t, admin, "node-ssd", "4", "8Gi", func(n *corev1.Node) { n.Labels["disk"] = "ssd" })
	startScheduler(t, c, scheduler.Options{FlushInterval: time.Hour})

	createPod(t, admin, "wants-ssd", "1", func(p *corev1.Pod) { p.Spec.NodeSelector = map[string]string{"disk": "ssd"} })
	if node := waitBound(t, admin, "wants-ssd"); node != "node-ssd" {
		t.Errorf("wants-ssd bound to %s", node)
	}

	onGPU := func(p *corev1.Pod) { p.Spec.NodeSelector = map[string]string{"kubernetes.io/hostname": "node-gpu"} }
	createPod(t, admin, "gpu-intolerant", "1", onGPU)
	const want = "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 node(s) didn't match Pod's node affinity/selector. " +
		"preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
	if got := waitUnschedulable(t, admin, "gpu-intolerant"); got != want {
		t.Errorf("message\n got: %s\nwant: %s", got, want)
	}

	createPod(t, admin, "gpu-tolerant", "1", onGPU, func(p *corev1.Pod) {
		p.Spec.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "gpu", Effect: corev1.TaintEffectNoSchedule}}
	})
	if node := waitBound(t, admin, "gpu-tolerant"); node != "node-gpu" {
		t.Errorf("gpu-tolerant bound to %s", node)
	}
}

func TestSchedulerSkipsCordonedNodes(t *testing.T) {
	c := testcluster.Start(t)
	admin := c.Client("admin")
	// node-a sorts first and would win every tie, were it not cordoned.
	createNode(t, admin, "node-a", "8", "16Gi", func(n *corev1.Node) { n.Spec.Unschedulable = true })
	createNode(t, admin, "node-b", "4", "8Gi")
	startScheduler(t, c, scheduler.Options{})
	for i := 1; i <= 3; i++ {
		createPod(t, admin, fmt.Sprintf("pod-%d", i), "500m")
	}
	for i := 1; i <= 3; i++ {
		if node := waitBound(t, admin, fmt.Sprintf("pod-%d", i)); node != "node-b" {
			t.Errorf("pod-%d bound to cordoned %s", i, node)
		}
	}
}

func TestFilterStepShowsEveryNodeWithEveryFilterVerdict(t *testing.T) {
	c := testcluster.Start(t)
	admin := c.Client("admin")
	createNode(t, admin, "node-1", "4", "8Gi")
	createNode(t, admin, "node-2", "4", "8Gi", func(n *corev1.Node) {
		n.Spec.Taints = []corev1.Taint{{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule}}
	})
	createNode(t, admin, "node-3", "1", "8Gi")
	startScheduler(t, c, scheduler.Options{})
	createPod(t, admin, "pod-x", "2")
	if node := waitBound(t, admin, "pod-x"); node != "node-1" {
		t.Fatalf("bound to %s, want node-1 (the only one that fits)", node)
	}

	stages := map[string]steps.Step{}
	for _, s := range c.Steps.Since(0, 0) {
		if s.Component == steps.Scheduler && s.Object.Name == "pod-x" {
			stages[s.Stage] = s
		}
	}
	for _, stage := range []string{steps.Watch, steps.Filter, steps.Score, steps.Bind} {
		if _, ok := stages[stage]; !ok {
			t.Errorf("no %s step for pod-x", stage)
		}
	}
	if b := stages[steps.Bind]; b.Outcome != steps.OK || b.Detail.(scheduler.BindDetail).Node != "node-1" {
		t.Errorf("bind step %+v", b)
	}
	filter := stages[steps.Filter]
	detail, ok := filter.Detail.(scheduler.FilterDetail)
	if !ok || len(detail.Nodes) != 3 {
		t.Fatalf("filter detail = %#v, want 3 nodes", filter.Detail)
	}
	wantFailures := map[string]string{"node-1": "", "node-2": "TaintToleration: node(s) had untolerated taint(s)", "node-3": "NodeResourcesFit: Insufficient cpu"}
	for _, n := range detail.Nodes {
		if len(n.Filters) != 7 {
			t.Errorf("%s has %d filter verdicts, want 7 (one per filter plugin)", n.Name, len(n.Filters))
		}
		var failures []string
		for _, f := range n.Filters {
			if f.Status != "Success" {
				failures = append(failures, f.Plugin+": "+f.Reason)
			}
		}
		if got := strings.Join(failures, "; "); got != wantFailures[n.Name] {
			t.Errorf("%s failures = %q, want %q", n.Name, got, wantFailures[n.Name])
		}
		if n.Feasible != (n.Name == "node-1") || (n.Name == "node-1") != (n.Total > 0) {
			t.Errorf("%s feasible=%v total=%d", n.Name, n.Feasible, n.Total)
		}
	}
	if filter.Trace == "" {
		t.Fatal("the filter step is not part of any trace")
	}
	for _, s := range c.Steps.Since(0, 0) {
		if s.Trace == filter.Trace && s.Component == steps.APIServer {
			return // the pod's creation and its scheduling are one trace
		}
	}
	t.Error("the filter step's trace has no API server step: the scheduler did not join the pod's trace")
}
