package interpodaffinity

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

const hostname = "kubernetes.io/hostname"

func node(name, zone string, pods ...*corev1.Pod) *framework.NodeInfo {
	labels := map[string]string{hostname: name}
	if zone != "" {
		labels["zone"] = zone
	}
	return framework.NewNodeInfo(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}, pods...)
}

func pod(name, app string, affinity *corev1.Affinity) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, Labels: map[string]string{"app": app}},
		Spec: corev1.PodSpec{Affinity: affinity}}
}

func termFor(app, key string) corev1.PodAffinityTerm {
	return corev1.PodAffinityTerm{LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}, TopologyKey: key}
}

func with(app, key string) *corev1.Affinity {
	return &corev1.Affinity{PodAffinity: &corev1.PodAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{termFor(app, key)}}}
}

func away(app, key string) *corev1.Affinity {
	return &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{termFor(app, key)}}}
}

// filter runs PreFilter over nodes and then Filter on each, as a cycle does.
func filter(p *corev1.Pod, nodes ...*framework.NodeInfo) []string {
	pl, pi := New(), framework.NewPodInfo(p)
	pl.PreFilter(pi, nodes)
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = pl.Filter(pi, n).Message()
	}
	return out
}

func TestFilterKeepsRequiredAffinityAndAntiAffinityBothWays(t *testing.T) {
	cache := pod("cache", "cache", nil)
	web := pod("web-1", "web", away("web", hostname))
	tests := []struct {
		name  string
		pod   *corev1.Pod
		nodes []*framework.NodeInfo
		want  []string
	}{
		{"no affinity goes anywhere", pod("p", "x", nil),
			[]*framework.NodeInfo{node("a", "", cache), node("b", "")}, []string{"", ""}},
		{"affinity wants the node of the cache", pod("p", "x", with("cache", hostname)),
			[]*framework.NodeInfo{node("a", "", cache), node("b", "")}, []string{"", ErrReasonAffinityRulesNotMatch}},
		{"affinity by zone takes every node of the zone", pod("p", "x", with("cache", "zone")),
			[]*framework.NodeInfo{node("a", "z1", cache), node("b", "z1"), node("c", "z2")},
			[]string{"", "", ErrReasonAffinityRulesNotMatch}},
		{"a node without the topology key fails affinity", pod("p", "x", with("cache", "zone")),
			[]*framework.NodeInfo{node("a", "z1", cache), node("b", "")}, []string{"", ErrReasonAffinityRulesNotMatch}},
		{"the first pod affine to itself goes anywhere", pod("p", "cache", with("cache", hostname)),
			[]*framework.NodeInfo{node("a", ""), node("b", "")}, []string{"", ""}},
		{"anti-affinity keeps away from its own kind", pod("web-2", "web", away("web", hostname)),
			[]*framework.NodeInfo{node("a", "", web), node("b", "")}, []string{ErrReasonAntiAffinityRulesNotMatch, ""}},
		{"an existing pod's anti-affinity keeps the newcomer away", pod("p", "web", nil),
			[]*framework.NodeInfo{node("a", "", web), node("b", "")}, []string{ErrReasonExistingAntiAffinityRulesNotMatch, ""}},
		{"a pod in another namespace does not count", pod("web-2", "web", away("web", hostname)),
			[]*framework.NodeInfo{node("a", "", func() *corev1.Pod { p := pod("w", "web", nil); p.Namespace = "other"; return p }())},
			[]string{""}},
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

func TestAffinityFailsUnresolvableAndAntiAffinityResolvable(t *testing.T) {
	web := pod("web-1", "web", nil)
	pl := New()
	pi := framework.NewPodInfo(pod("p", "x", with("cache", hostname)))
	pl.PreFilter(pi, []*framework.NodeInfo{node("a", "", web)})
	if c := pl.Filter(pi, node("a", "", web)).Code(); c != framework.UnschedulableAndUnresolvable {
		t.Errorf("affinity: %v, want UnschedulableAndUnresolvable (evicting pods brings no cache)", c)
	}
	pi = framework.NewPodInfo(pod("p", "x", away("web", hostname)))
	pl.PreFilter(pi, []*framework.NodeInfo{node("a", "", web)})
	if c := pl.Filter(pi, node("a", "", web)).Code(); c != framework.Unschedulable {
		t.Errorf("anti-affinity: %v, want Unschedulable (evicting web-1 would make room)", c)
	}
}

func TestScorePrefersTheDomainOfPreferredPodsAndAvoidsTheRepelled(t *testing.T) {
	prefer := &corev1.Affinity{
		PodAffinity: &corev1.PodAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{
			{Weight: 80, PodAffinityTerm: termFor("cache", hostname)}}},
		PodAntiAffinity: &corev1.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{
			{Weight: 20, PodAffinityTerm: termFor("batch", hostname)}}},
	}
	nodes := []*framework.NodeInfo{node("a", "", pod("c", "cache", nil)), node("b", ""), node("c", "", pod("j", "batch", nil))}
	pl, pi := New(), framework.NewPodInfo(pod("p", "web", prefer))
	if !pl.PreScore(pi, nodes, nodes) {
		t.Fatal("a pod with preferred terms that match pods should be scored")
	}
	scores := make([]int64, len(nodes))
	for i, n := range nodes {
		scores[i] = pl.Score(pi, n)
	}
	if want := []int64{80, 0, -20}; !equal(scores, want) {
		t.Fatalf("raw scores %v, want %v", scores, want)
	}
	pl.NormalizeScore(scores)
	if want := []int64{100, 20, 0}; !equal(scores, want) {
		t.Fatalf("normalized %v, want %v", scores, want)
	}
}

func TestScoreCountsTheRequiredAffinityOfExistingPodsAndSitsOutWhenNothingCounts(t *testing.T) {
	nodes := []*framework.NodeInfo{node("a", ""), node("b", "", pod("f", "follower", with("leader", hostname)))}
	pl, pi := New(), framework.NewPodInfo(pod("l", "leader", nil))
	if !pl.PreScore(pi, nodes, nodes) {
		t.Fatal("an existing pod that wants the incoming one should count")
	}
	if a, b := pl.Score(pi, nodes[0]), pl.Score(pi, nodes[1]); a != 0 || b != hardPodAffinityWeight {
		t.Errorf("scores a=%d b=%d, want 0 and %d", a, b, hardPodAffinityWeight)
	}
	plain := []*framework.NodeInfo{node("a", "", pod("x", "x", nil))}
	if pl.PreScore(framework.NewPodInfo(pod("p", "web", nil)), plain, plain) {
		t.Error("a pod for which no term counts should not be scored")
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
