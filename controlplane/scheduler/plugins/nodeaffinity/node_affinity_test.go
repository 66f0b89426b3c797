package nodeaffinity

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

func labelled(labels map[string]string) *framework.NodeInfo {
	return framework.NewNodeInfo(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n", Labels: labels}})
}

func required(key string, op corev1.NodeSelectorOperator, values ...string) *corev1.Affinity {
	return &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
			MatchExpressions: []corev1.NodeSelectorRequirement{{Key: key, Operator: op, Values: values}}}}}}}
}

func TestFilterMatchesNodeSelectorAndRequiredAffinity(t *testing.T) {
	ssd := map[string]string{"disk": "ssd", "zone": "a"}
	tests := []struct {
		name     string
		selector map[string]string
		affinity *corev1.Affinity
		labels   map[string]string
		want     bool
	}{
		{"no wishes", nil, nil, nil, true},
		{"nodeSelector matches", map[string]string{"disk": "ssd"}, nil, ssd, true},
		{"nodeSelector does not match", map[string]string{"disk": "hdd"}, nil, ssd, false},
		{"nodeSelector label missing", map[string]string{"gpu": "true"}, nil, ssd, false},
		{"affinity In matches", nil, required("zone", corev1.NodeSelectorOpIn, "a", "b"), ssd, true},
		{"affinity NotIn refuses", nil, required("zone", corev1.NodeSelectorOpNotIn, "a"), ssd, false},
		{"affinity Exists", nil, required("disk", corev1.NodeSelectorOpExists), ssd, true},
		{"both must match", map[string]string{"disk": "ssd"}, required("zone", corev1.NodeSelectorOpIn, "b"), ssd, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := &corev1.Pod{Spec: corev1.PodSpec{NodeSelector: tt.selector, Affinity: tt.affinity}}
			st := New().Filter(framework.NewPodInfo(pod), labelled(tt.labels))
			if st.IsSuccess() != tt.want {
				t.Fatalf("success = %v, want %v", st.IsSuccess(), tt.want)
			}
			if !tt.want && (st.Message() != ErrReasonPod || st.Code() != framework.UnschedulableAndUnresolvable) {
				t.Errorf("status = %v %q", st.Code(), st.Message())
			}
		})
	}
}

func TestScoreAddsMatchingPreferredWeightsAndNormalizes(t *testing.T) {
	prefer := func(weight int32, key, value string) corev1.PreferredSchedulingTerm {
		return corev1.PreferredSchedulingTerm{Weight: weight, Preference: corev1.NodeSelectorTerm{
			MatchExpressions: []corev1.NodeSelectorRequirement{{Key: key, Operator: corev1.NodeSelectorOpIn, Values: []string{value}}}}}
	}
	pod := &corev1.Pod{Spec: corev1.PodSpec{Affinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
		PreferredDuringSchedulingIgnoredDuringExecution: []corev1.PreferredSchedulingTerm{prefer(10, "zone", "a"), prefer(30, "disk", "ssd")}}}}}
	nodes := []map[string]string{{"zone": "a", "disk": "ssd"}, {"disk": "ssd"}, {"zone": "a"}, nil}
	pl := New()
	scores := make([]int64, len(nodes))
	for i, l := range nodes {
		scores[i] = pl.Score(framework.NewPodInfo(pod), labelled(l))
	}
	if want := []int64{40, 30, 10, 0}; !equal(scores, want) {
		t.Fatalf("raw scores = %v, want %v", scores, want)
	}
	pl.NormalizeScore(scores)
	if want := []int64{100, 75, 25, 0}; !equal(scores, want) {
		t.Fatalf("normalized = %v, want %v", scores, want)
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
