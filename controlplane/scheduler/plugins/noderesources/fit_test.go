package noderesources

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

func pod(cpu, mem string) *corev1.Pod {
	req := corev1.ResourceList{}
	if cpu != "" {
		req[corev1.ResourceCPU] = resource.MustParse(cpu)
	}
	if mem != "" {
		req[corev1.ResourceMemory] = resource.MustParse(mem)
	}
	return &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Resources: corev1.ResourceRequirements{Requests: req}}}}}
}

func node(cpu, mem, pods string, running ...*corev1.Pod) *framework.NodeInfo {
	n := &corev1.Node{Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem),
		corev1.ResourcePods: resource.MustParse(pods)}}}
	return framework.NewNodeInfo(n, running...)
}

func TestFitFilterComparesRequestsWithAllocatable(t *testing.T) {
	tests := []struct {
		name    string
		pod     *corev1.Pod
		node    *framework.NodeInfo
		want    framework.Code
		reasons []string
	}{
		{"fits on an empty node", pod("1", "1Gi"), node("2", "4Gi", "110"), framework.Success, nil},
		{"fits exactly", pod("1", "1Gi"), node("2", "4Gi", "110", pod("1", "3Gi")), framework.Success, nil},
		{"cpu already promised to other pods", pod("1", "1Gi"), node("2", "4Gi", "110", pod("1500m", "")),
			framework.Unschedulable, []string{"Insufficient cpu"}},
		{"cpu and memory both short", pod("1", "2Gi"), node("2", "4Gi", "110", pod("1500m", "3Gi")),
			framework.Unschedulable, []string{"Insufficient cpu", "Insufficient memory"}},
		{"more cpu than the whole node", pod("100", ""), node("4", "4Gi", "110"),
			framework.UnschedulableAndUnresolvable, []string{"Insufficient cpu"}},
		{"pod count full", pod("", ""), node("4", "4Gi", "1", pod("", "")),
			framework.Unschedulable, []string{"Too many pods"}},
		{"a pod that requests nothing still needs a pod slot", pod("", ""), node("4", "4Gi", "2", pod("", "")),
			framework.Success, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := NewFit().Filter(framework.NewPodInfo(tt.pod), tt.node)
			if st.Code() != tt.want || !reflect.DeepEqual(st.Reasons(), tt.reasons) {
				t.Fatalf("got %v %q, want %v %q", st.Code(), st.Reasons(), tt.want, tt.reasons)
			}
		})
	}
}

func TestFitFilterCountsExtendedResources(t *testing.T) {
	p := pod("100m", "")
	p.Spec.Containers[0].Resources.Requests["example.com/gpu"] = resource.MustParse("1")
	n := node("4", "4Gi", "110")
	if st := NewFit().Filter(framework.NewPodInfo(p), n); !reflect.DeepEqual(st.Reasons(), []string{"Insufficient example.com/gpu"}) {
		t.Fatalf("no gpu: reasons = %q", st.Reasons())
	}
	n.Node.Status.Allocatable["example.com/gpu"] = resource.MustParse("2")
	n.SetNode(n.Node)
	if st := NewFit().Filter(framework.NewPodInfo(p), n); !st.IsSuccess() {
		t.Fatalf("two gpus: reasons = %q", st.Reasons())
	}
}

func TestLeastAllocatedPrefersTheEmptierNode(t *testing.T) {
	tests := []struct {
		name string
		pod  *corev1.Pod
		node *framework.NodeInfo
		want int64
	}{
		// cpu (4000-1000)*100/4000 = 75, memory (8Gi-2Gi)/8Gi = 75
		{"empty node", pod("1", "2Gi"), node("4", "8Gi", "110"), 75},
		// cpu (4000-3000)/4000 = 25, memory (8-4)/8 = 50 → 37
		{"half-full node", pod("1", "2Gi"), node("4", "8Gi", "110", pod("2", "2Gi")), 37},
		// a pod without requests is charged 100m and 200Mi: cpu 97, memory 97
		{"request-less pod", pod("", ""), node("4", "8Gi", "110"), 97},
		{"over-committed resource scores 0", pod("8", "2Gi"), node("4", "8Gi", "110"), 37},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NewFit().Score(framework.NewPodInfo(tt.pod), tt.node); got != tt.want {
				t.Fatalf("score = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestBalancedAllocationPrefersEvenUse(t *testing.T) {
	tests := []struct {
		name string
		pod  *corev1.Pod
		node *framework.NodeInfo
		want int64
	}{
		// cpu 1/4 = .25, memory 2/8 = .25: perfectly balanced
		{"even", pod("1", "2Gi"), node("4", "8Gi", "110"), 100},
		// cpu 3/4 = .75, memory 2/8 = .25: std .25
		{"cpu-heavy", pod("3", "2Gi"), node("4", "8Gi", "110"), 75},
		// existing pods count: cpu (2+1)/4 = .75, memory (0+2)/8 = .25
		{"cpu-heavy with a pod already there", pod("1", "2Gi"), node("4", "8Gi", "110", pod("2", "")), 75},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NewBalancedAllocation().Score(framework.NewPodInfo(tt.pod), tt.node); got != tt.want {
				t.Fatalf("score = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestBalancedAllocationSitsOutBestEffortPods(t *testing.T) {
	if NewBalancedAllocation().PreScore(framework.NewPodInfo(pod("", "")), nil, nil) {
		t.Error("a pod with no requests should not be scored")
	}
	if !NewBalancedAllocation().PreScore(framework.NewPodInfo(pod("100m", "")), nil, nil) {
		t.Error("a pod with requests should be scored")
	}
}
