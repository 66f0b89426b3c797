package nodeunschedulable

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

func TestFilterKeepsPodsOffCordonedNodesUnlessTolerated(t *testing.T) {
	cordonToleration := corev1.Toleration{Key: corev1.TaintNodeUnschedulable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}
	tests := []struct {
		name        string
		cordoned    bool
		tolerations []corev1.Toleration
		want        framework.Code
	}{
		{"schedulable node", false, nil, framework.Success},
		{"cordoned node", true, nil, framework.UnschedulableAndUnresolvable},
		{"cordoned node, pod tolerates the cordon", true, []corev1.Toleration{cordonToleration}, framework.Success},
		{"cordoned node, pod tolerates everything", true, []corev1.Toleration{{Operator: corev1.TolerationOpExists}}, framework.Success},
		{"cordoned node, pod tolerates another taint", true, []corev1.Toleration{{Key: "gpu", Operator: corev1.TolerationOpExists}}, framework.UnschedulableAndUnresolvable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := &corev1.Pod{Spec: corev1.PodSpec{Tolerations: tt.tolerations}}
			node := &corev1.Node{Spec: corev1.NodeSpec{Unschedulable: tt.cordoned}}
			st := New().Filter(framework.NewPodInfo(pod), framework.NewNodeInfo(node))
			if st.Code() != tt.want {
				t.Fatalf("code = %v, want %v", st.Code(), tt.want)
			}
			if !st.IsSuccess() && st.Message() != "node(s) were unschedulable" {
				t.Errorf("reason = %q", st.Message())
			}
		})
	}
}
