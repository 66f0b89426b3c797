package podtopologyspread

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

func node(name, zone string, webPods int) *framework.NodeInfo {
	labels := map[string]string{corev1.LabelHostname: name}
	if zone != "" {
		labels[corev1.LabelTopologyZone] = zone
	}
	n := framework.NewNodeInfo(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}})
	for range webPods {
		n.AddPod(webPod(nil))
	}
	return n
}

func webPod(cs []corev1.TopologySpreadConstraint) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web", Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{TopologySpreadConstraints: cs}}
}

func spread(key string, maxSkew int32, when corev1.UnsatisfiableConstraintAction) corev1.TopologySpreadConstraint {
	return corev1.TopologySpreadConstraint{MaxSkew: maxSkew, TopologyKey: key, WhenUnsatisfiable: when,
		LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}
}

func filter(p *corev1.Pod, nodes ...*framework.NodeInfo) []string {
	pl, pi := New(), framework.NewPodInfo(p)
	pl.PreFilter(pi, nodes)
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = pl.Filter(pi, n).Message()
	}
	return out
}

func TestFilterRefusesNodesThatWouldSkewTheSpreadBeyondMaxSkew(t *testing.T) {
	byHost := func(maxSkew int32) *corev1.Pod {
		return webPod([]corev1.TopologySpreadConstraint{spread(corev1.LabelHostname, maxSkew, corev1.DoNotSchedule)})
	}
	withMinDomains := spread(corev1.LabelHostname, 1, corev1.DoNotSchedule)
	withMinDomains.MinDomains = ptr.To[int32](3)
	tests := []struct {
		name  string
		pod   *corev1.Pod
		nodes []*framework.NodeInfo
		want  []string
	}{
		{"no constraint", webPod(nil), []*framework.NodeInfo{node("a", "", 3), node("b", "", 0)}, []string{"", ""}},
		{"maxSkew 1 sends the pod to the emptier node", byHost(1),
			[]*framework.NodeInfo{node("a", "", 1), node("b", "", 0)}, []string{ErrReasonConstraintsNotMatch, ""}},
		{"balanced nodes all fit", byHost(1),
			[]*framework.NodeInfo{node("a", "", 1), node("b", "", 1)}, []string{"", ""}},
		{"maxSkew 2 tolerates one more", byHost(2),
			[]*framework.NodeInfo{node("a", "", 1), node("b", "", 0)}, []string{"", ""}},
		{"zones are domains of many nodes", webPod([]corev1.TopologySpreadConstraint{spread(corev1.LabelTopologyZone, 1, corev1.DoNotSchedule)}),
			[]*framework.NodeInfo{node("a", "z1", 1), node("b", "z1", 0), node("c", "z2", 0)},
			[]string{ErrReasonConstraintsNotMatch, ErrReasonConstraintsNotMatch, ""}},
		{"a node without the key is refused", webPod([]corev1.TopologySpreadConstraint{spread(corev1.LabelTopologyZone, 1, corev1.DoNotSchedule)}),
			[]*framework.NodeInfo{node("a", "z1", 0), node("b", "", 0)}, []string{"", ErrReasonNodeLabelNotMatch}},
		{"fewer domains than minDomains count the emptiest as 0", webPod([]corev1.TopologySpreadConstraint{withMinDomains}),
			[]*framework.NodeInfo{node("a", "", 1), node("b", "", 1)}, []string{ErrReasonConstraintsNotMatch, ErrReasonConstraintsNotMatch}},
		{"ScheduleAnyway never refuses", webPod([]corev1.TopologySpreadConstraint{spread(corev1.LabelHostname, 1, corev1.ScheduleAnyway)}),
			[]*framework.NodeInfo{node("a", "", 5), node("b", "", 0)}, []string{"", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := filter(tt.pod, tt.nodes...)
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("node %s: %q, want %q", tt.nodes[i].Node.Name, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestTheNodeWithTheMissingLabelIsUnresolvableAndTheSkewedOneNot(t *testing.T) {
	pl := New()
	pi := framework.NewPodInfo(webPod([]corev1.TopologySpreadConstraint{spread(corev1.LabelTopologyZone, 1, corev1.DoNotSchedule)}))
	nodes := []*framework.NodeInfo{node("a", "z1", 1), node("b", "z2", 0), node("c", "", 0)}
	pl.PreFilter(pi, nodes)
	if c := pl.Filter(pi, nodes[0]).Code(); c != framework.Unschedulable {
		t.Errorf("skewed node: %v, want Unschedulable", c)
	}
	if c := pl.Filter(pi, nodes[2]).Code(); c != framework.UnschedulableAndUnresolvable {
		t.Errorf("unlabelled node: %v, want UnschedulableAndUnresolvable", c)
	}
}

func TestScorePrefersTheDomainWithFewerMatchingPods(t *testing.T) {
	pl := New()
	pi := framework.NewPodInfo(webPod([]corev1.TopologySpreadConstraint{spread(corev1.LabelHostname, 1, corev1.ScheduleAnyway)}))
	nodes := []*framework.NodeInfo{node("a", "", 2), node("b", "", 1), node("c", "", 0)}
	if !pl.PreScore(pi, nodes, nodes) {
		t.Fatal("a pod with a ScheduleAnyway constraint should be scored")
	}
	scores := make([]int64, len(nodes))
	for i, n := range nodes {
		scores[i] = pl.Score(pi, n)
	}
	// log(3 + 2) ≈ 1.609 per pod: 2 pods → 3, 1 pod → 2, none → 0.
	if want := []int64{3, 2, 0}; !equal(scores, want) {
		t.Fatalf("raw scores %v, want %v", scores, want)
	}
	pl.NormalizeScore(scores)
	if want := []int64{0, 33, 100}; !equal(scores, want) {
		t.Fatalf("normalized %v, want %v", scores, want)
	}
	if pl.PreScore(framework.NewPodInfo(webPod(nil)), nodes, nodes) {
		t.Error("a pod without ScheduleAnyway constraints should not be scored")
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
