package daemonset

import (
	"reflect"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func node(name string, edits ...func(*corev1.Node)) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{}}}
	for _, e := range edits {
		e(n)
	}
	return n
}

func tainted(key string, effect corev1.TaintEffect) func(*corev1.Node) {
	return func(n *corev1.Node) { n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: key, Effect: effect}) }
}

func logs() *appsv1.DaemonSet {
	one := intstr.FromInt32(1)
	return &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "logs", Namespace: "default", UID: "ds-1"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "logs"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "logs"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "agent", Image: "fluentd"}}}},
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &one}},
		}}
}

// daemonPod is a pod of logs on node with template hash, ready or not,
// created age ago.
func daemonPod(name, node, hash string, ready bool, age time.Duration) *corev1.Pod {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	created := metav1.NewTime(time.Now().Add(-age))
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", CreationTimestamp: created,
			Labels: map[string]string{"app": "logs", appsv1.DefaultDaemonSetUniqueLabelKey: hash}},
		Spec: corev1.PodSpec{NodeName: node},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{
			{Type: corev1.PodReady, Status: status, LastTransitionTime: created}}},
	}
}

func TestDaemonPodsGoWhereTheTemplateFitsAndStayOnUnreachableNodes(t *testing.T) {
	ssd := func(n *corev1.Node) { n.Labels["disk"] = "ssd" }
	tests := []struct {
		name                         string
		node                         *corev1.Node
		nodeSelector                 map[string]string
		wantRun, wantContinueRunning bool
	}{
		{"a plain node", node("n"), nil, true, true},
		{"a node the selector picks", node("n", ssd), map[string]string{"disk": "ssd"}, true, true},
		{"a node the selector skips", node("n"), map[string]string{"disk": "ssd"}, false, false},
		{"an unreachable node keeps its pod but gets no new one", node("n",
			tainted(corev1.TaintNodeUnreachable, corev1.TaintEffectNoSchedule), tainted(corev1.TaintNodeUnreachable, corev1.TaintEffectNoExecute)),
			nil, false, true},
		{"a not-ready NoExecute taint is tolerated", node("n", tainted(corev1.TaintNodeNotReady, corev1.TaintEffectNoExecute)), nil, true, true},
		{"a cordoned node still runs daemon pods", node("n", tainted(corev1.TaintNodeUnschedulable, corev1.TaintEffectNoSchedule)), nil, true, true},
		{"a dedicated NoSchedule taint keeps new pods away", node("n", tainted("dedicated", corev1.TaintEffectNoSchedule)), nil, false, true},
		{"a dedicated NoExecute taint sends pods away", node("n", tainted("dedicated", corev1.TaintEffectNoExecute)), nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := logs()
			ds.Spec.Template.Spec.NodeSelector = tt.nodeSelector
			run, cont := nodeShouldRunDaemonPod(tt.node, &ds.Spec.Template)
			if run != tt.wantRun || cont != tt.wantContinueRunning {
				t.Errorf("shouldRun, shouldContinueRunning = %v, %v; want %v, %v", run, cont, tt.wantRun, tt.wantContinueRunning)
			}
		})
	}
}

func TestPlacementCreatesForNodesWithoutAPodAndDeletesExtrasFailedAndUnwanted(t *testing.T) {
	ds := logs()
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"run": "yes"}
	yes := func(n *corev1.Node) { n.Labels["run"] = "yes" }
	nodes := []*corev1.Node{node("node-1", yes), node("node-2", yes), node("node-3", yes), node("node-4")}
	failed := daemonPod("logs-failed", "node-3", "h", false, time.Minute)
	failed.Status.Phase = corev1.PodFailed
	byNode := podsByNode([]*corev1.Pod{
		daemonPod("logs-old", "node-2", "h", true, time.Hour),
		daemonPod("logs-extra", "node-2", "h", true, time.Minute),
		failed,
		daemonPod("logs-unwanted", "node-4", "h", true, time.Hour),
		daemonPod("logs-orphaned", "node-gone", "h", true, time.Hour),
	})
	p := planPlacement(ds, nodes, byNode)
	if want := []string{"node-1"}; !reflect.DeepEqual(p.create, want) {
		t.Errorf("create on %v, want %v", p.create, want)
	}
	var deleted []string
	for _, pod := range p.delete {
		deleted = append(deleted, pod.Name)
	}
	if want := []string{"logs-extra", "logs-failed", "logs-unwanted", "logs-orphaned"}; !reflect.DeepEqual(deleted, want) {
		t.Errorf("delete %v, want %v", deleted, want)
	}
	if len(p.failed) != 1 || p.failed[0] != failed {
		t.Errorf("failed pods = %v, want logs-failed", p.failed)
	}
}

func TestDaemonPodAffinityNamesExactlyItsNode(t *testing.T) {
	pod := &corev1.Pod{Spec: corev1.PodSpec{Affinity: affinityForNode(nil, "node-2")}}
	if got := nodeOfPod(pod); got != "node-2" {
		t.Errorf("nodeOfPod = %q, want node-2", got)
	}
	spec := corev1.PodSpec{Tolerations: []corev1.Toleration{{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute}}}
	addDaemonTolerations(&spec)
	if len(spec.Tolerations) != len(daemonTolerations) {
		t.Errorf("tolerations = %v: want each daemon toleration once", spec.Tolerations)
	}
}

func TestRollingUpdateReplacesOldPodsWithinMaxUnavailable(t *testing.T) {
	ds := logs()
	now := time.Now()
	tests := []struct {
		name            string
		pods            []*corev1.Pod
		wantDeleted     []string
		wantUnavailable int
	}{
		{"all old and ready: one at a time", []*corev1.Pod{
			daemonPod("a", "node-1", "old", true, time.Hour), daemonPod("b", "node-2", "old", true, time.Hour),
			daemonPod("c", "node-3", "old", true, time.Hour)}, []string{"a"}, 0},
		{"a new pod not yet ready uses the budget", []*corev1.Pod{
			daemonPod("a", "node-1", "new", false, time.Second), daemonPod("b", "node-2", "old", true, time.Hour),
			daemonPod("c", "node-3", "old", true, time.Hour)}, nil, 1},
		{"an old pod that is down anyway goes at once", []*corev1.Pod{
			daemonPod("a", "node-1", "new", false, time.Second), daemonPod("b", "node-2", "old", false, time.Hour),
			daemonPod("c", "node-3", "old", true, time.Hour)}, []string{"b"}, 1},
		{"all new: nothing to do", []*corev1.Pod{
			daemonPod("a", "node-1", "new", true, time.Hour), daemonPod("b", "node-2", "new", true, time.Hour)}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, unavailable := planRollingUpdate(ds, podsByNode(tt.pods), "new", 3, now)
			var names []string
			for _, p := range old {
				names = append(names, p.Name)
			}
			if !reflect.DeepEqual(names, tt.wantDeleted) || unavailable != tt.wantUnavailable {
				t.Errorf("delete %v with %d unavailable; want %v with %d", names, unavailable, tt.wantDeleted, tt.wantUnavailable)
			}
		})
	}
}

func TestStatusCountsNodesAndTheirPods(t *testing.T) {
	ds := logs()
	ds.Generation = 4
	unreachable := node("node-3", tainted(corev1.TaintNodeUnreachable, corev1.TaintEffectNoSchedule))
	nodes := []*corev1.Node{node("node-1"), node("node-2"), unreachable, node("node-4")}
	byNode := podsByNode([]*corev1.Pod{
		daemonPod("a", "node-1", "new", true, time.Hour),
		daemonPod("b", "node-2", "old", false, time.Hour),
		daemonPod("c", "node-3", "new", false, time.Hour),
	})
	got := calculateStatus(ds, nodes, byNode, "new", time.Now())
	want := appsv1.DaemonSetStatus{ObservedGeneration: 4, DesiredNumberScheduled: 3, CurrentNumberScheduled: 2,
		NumberMisscheduled: 1, NumberReady: 1, NumberAvailable: 1, UpdatedNumberScheduled: 1, NumberUnavailable: 2}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("status\n got %+v\nwant %+v", got, want)
	}
}
