package nodename

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

func TestFilterAdmitsOnlyTheNamedNode(t *testing.T) {
	tests := []struct {
		name, podNodeName, node string
		want                    bool
	}{
		{"pod names no node", "", "node-1", true},
		{"pod names this node", "node-1", "node-1", true},
		{"pod names another node", "node-2", "node-1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := &corev1.Pod{Spec: corev1.PodSpec{NodeName: tt.podNodeName}}
			node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: tt.node}}
			st := New().Filter(framework.NewPodInfo(pod), framework.NewNodeInfo(node))
			if st.IsSuccess() != tt.want {
				t.Fatalf("success = %v, want %v (%s)", st.IsSuccess(), tt.want, st.Message())
			}
			if !tt.want && (st.Message() != ErrReason || st.Code() != framework.UnschedulableAndUnresolvable) {
				t.Errorf("status = %v %q", st.Code(), st.Message())
			}
		})
	}
}
