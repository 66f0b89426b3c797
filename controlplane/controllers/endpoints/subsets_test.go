package endpoints

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func pod(name, ip string, ready bool, ports ...corev1.ContainerPort) *corev1.Pod {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Ports: ports}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: ip,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}},
	}
}

func TestSubsetsListReadyAndNotReadyPodsWithResolvedPorts(t *testing.T) {
	named := corev1.ContainerPort{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}
	tests := []struct {
		name            string
		target          intstr.IntOrString
		pods            []*corev1.Pod
		ready, notReady []string
		port            int32
		subsets         int
	}{
		{"numeric target port", intstr.FromInt32(9090), []*corev1.Pod{pod("a", "10.0.0.1", true)}, []string{"10.0.0.1"}, nil, 9090, 1},
		{"named target port", intstr.FromString("http"), []*corev1.Pod{pod("a", "10.0.0.1", true, named)}, []string{"10.0.0.1"}, nil, 8080, 1},
		{"no target port means the service port", intstr.IntOrString{}, []*corev1.Pod{pod("a", "10.0.0.1", true)}, []string{"10.0.0.1"}, nil, 80, 1},
		{"not ready pods are notReadyAddresses", intstr.FromInt32(80),
			[]*corev1.Pod{pod("a", "10.0.0.2", true), pod("b", "10.0.0.1", false)}, []string{"10.0.0.2"}, []string{"10.0.0.1"}, 80, 1},
		{"pods without an IP are left out", intstr.FromInt32(80), []*corev1.Pod{pod("a", "", true)}, nil, nil, 0, 0},
		{"a pod without the named port is left out", intstr.FromString("http"), []*corev1.Pod{pod("a", "10.0.0.1", true)}, nil, nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &corev1.Service{Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{
				{Name: "web", Port: 80, TargetPort: tt.target, Protocol: corev1.ProtocolTCP}}}}
			got := SubsetsFor(svc, tt.pods)
			if len(got) != tt.subsets {
				t.Fatalf("%d subsets, want %d: %+v", len(got), tt.subsets, got)
			}
			if tt.subsets == 0 {
				return
			}
			s := got[0]
			if ips(s.Addresses) != join(tt.ready) || ips(s.NotReadyAddresses) != join(tt.notReady) || s.Ports[0].Port != tt.port {
				t.Errorf("subset %+v", s)
			}
		})
	}
}

func ips(a []corev1.EndpointAddress) string {
	var s []string
	for _, x := range a {
		s = append(s, x.IP)
	}
	return join(s)
}

func join(s []string) string {
	out := ""
	for _, x := range s {
		out += x + ";"
	}
	return out
}
