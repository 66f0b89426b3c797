package tainttoleration

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

func taint(key, value string, effect corev1.TaintEffect) corev1.Taint {
	return corev1.Taint{Key: key, Value: value, Effect: effect}
}

func TestFilterRefusesNodesWithUntoleratedHardTaints(t *testing.T) {
	gpu := taint("dedicated", "gpu", corev1.TaintEffectNoSchedule)
	tests := []struct {
		name        string
		taints      []corev1.Taint
		tolerations []corev1.Toleration
		want        bool
	}{
		{"no taints", nil, nil, true},
		{"NoSchedule taint, no toleration", []corev1.Taint{gpu}, nil, false},
		{"NoExecute taint, no toleration", []corev1.Taint{taint("k", "v", corev1.TaintEffectNoExecute)}, nil, false},
		{"PreferNoSchedule taint only", []corev1.Taint{taint("k", "v", corev1.TaintEffectPreferNoSchedule)}, nil, true},
		{"toleration with Equal", []corev1.Taint{gpu},
			[]corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "gpu", Effect: corev1.TaintEffectNoSchedule}}, true},
		{"toleration with the wrong value", []corev1.Taint{gpu},
			[]corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "cpu", Effect: corev1.TaintEffectNoSchedule}}, false},
		{"toleration with Exists and no effect", []corev1.Taint{gpu},
			[]corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpExists}}, true},
		{"one of two taints tolerated", []corev1.Taint{gpu, taint("zone", "a", corev1.TaintEffectNoExecute)},
			[]corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpExists}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := &corev1.Pod{Spec: corev1.PodSpec{Tolerations: tt.tolerations}}
			node := &corev1.Node{Spec: corev1.NodeSpec{Taints: tt.taints}}
			st := New().Filter(framework.NewPodInfo(pod), framework.NewNodeInfo(node))
			if st.IsSuccess() != tt.want {
				t.Fatalf("success = %v, want %v", st.IsSuccess(), tt.want)
			}
			if !tt.want && (st.Message() != "node(s) had untolerated taint(s)" || st.Code() != framework.UnschedulableAndUnresolvable) {
				t.Errorf("status = %v %q", st.Code(), st.Message())
			}
		})
	}
}

func TestScorePrefersNodesWithFewerUntoleratedPreferNoScheduleTaints(t *testing.T) {
	soft := func(key string) corev1.Taint { return taint(key, "x", corev1.TaintEffectPreferNoSchedule) }
	nodes := [][]corev1.Taint{
		nil,
		{soft("a")},
		{soft("a"), soft("b")},
		{soft("a"), taint("c", "x", corev1.TaintEffectNoSchedule)}, // NoSchedule is not counted
	}
	tests := []struct {
		name        string
		tolerations []corev1.Toleration
		want        []int64
	}{
		{"no tolerations", nil, []int64{100, 50, 0, 50}},
		{"tolerates a", []corev1.Toleration{{Key: "a", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectPreferNoSchedule}}, []int64{100, 100, 0, 100}},
		{"a NoSchedule toleration does not count", []corev1.Toleration{{Key: "a", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}, []int64{100, 50, 0, 50}},
		{"tolerates everything", []corev1.Toleration{{Operator: corev1.TolerationOpExists}}, []int64{100, 100, 100, 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl := New()
			pod := &corev1.Pod{Spec: corev1.PodSpec{Tolerations: tt.tolerations}}
			scores := make([]int64, len(nodes))
			for i, taints := range nodes {
				scores[i] = pl.Score(framework.NewPodInfo(pod), framework.NewNodeInfo(&corev1.Node{Spec: corev1.NodeSpec{Taints: taints}}))
			}
			pl.NormalizeScore(scores)
			for i := range scores {
				if scores[i] != tt.want[i] {
					t.Fatalf("scores = %v, want %v", scores, tt.want)
				}
			}
		})
	}
}
