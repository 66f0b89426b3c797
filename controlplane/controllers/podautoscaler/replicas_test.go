package podautoscaler

import (
	"fmt"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// readyPods returns n Ready, Running pods requesting 100m of CPU each.
func readyPods(n int) []*corev1.Pod {
	var pods []*corev1.Pod
	for i := range n {
		pods = append(pods, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("p%d", i)},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")}}}}},
			Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}})
	}
	return pods
}

func TestReplicaCountFollowsUtilizationOutsideTheTolerance(t *testing.T) {
	for _, tc := range []struct {
		name        string
		pods        int
		usage       []int64 // millicores per pod; fewer than pods: the rest have no figures
		target      int32
		want        int32
		utilization int32
	}{
		{"twice the target doubles the pods", 2, []int64{100, 100}, 50, 4, 100},
		{"within 10% of the target nothing changes", 3, []int64{54, 54, 54}, 50, 3, 54},
		{"just outside the tolerance it moves", 3, []int64{56, 56, 56}, 50, 4, 56},
		{"idle pods shrink to what the load needs", 5, []int64{2, 2, 2, 2, 2}, 50, 1, 2},
		{"a pod without figures counts as fully used when scaling down", 2, []int64{10}, 50, 2, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pods := readyPods(tc.pods)
			m := podMetrics{}
			for i, u := range tc.usage {
				m[pods[i].Name] = u
			}
			got, util, _, err := resourceReplicas(int32(tc.pods), pods, m, corev1.ResourceCPU, tc.target, nil)
			if err != nil || got != tc.want || util != tc.utilization {
				t.Errorf("replicas %d at %d%% (%v); want %d at %d%%", got, util, err, tc.want, tc.utilization)
			}
		})
	}
}

func TestScaleDownWaitsOutTheStabilizationWindow(t *testing.T) {
	m := newMemory()
	b := &autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleUp: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr.To[int32](0), SelectPolicy: ptr.To(autoscalingv2.MaxChangePolicySelect),
			Policies: []autoscalingv2.HPAScalingPolicy{{Type: autoscalingv2.PodsScalingPolicy, Value: 4, PeriodSeconds: 15},
				{Type: autoscalingv2.PercentScalingPolicy, Value: 100, PeriodSeconds: 15}}},
		ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr.To[int32](300), SelectPolicy: ptr.To(autoscalingv2.MaxChangePolicySelect),
			Policies: []autoscalingv2.HPAScalingPolicy{{Type: autoscalingv2.PercentScalingPolicy, Value: 100, PeriodSeconds: 15}}},
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if l := m.normalize("k", b, 1, 10, 5, 5, start, time.Second); l.replicas != 5 {
		t.Fatalf("steady: %d", l.replicas)
	}
	l := m.normalize("k", b, 1, 10, 5, 1, start.Add(time.Minute), time.Second)
	if l.replicas != 5 || l.stabilizedReason != "ScaleDownStabilized" {
		t.Errorf("a minute after recommending 5, a drop to 1 gives %d (%s); want 5, ScaleDownStabilized", l.replicas, l.stabilizedReason)
	}
	l = m.normalize("k", b, 1, 10, 5, 1, start.Add(301*time.Second), time.Second)
	if l.replicas != 1 {
		t.Errorf("after the 300 s window, a drop to 1 gives %d", l.replicas)
	}
	l = m.normalize("k", b, 1, 10, 1, 20, start.Add(302*time.Second), time.Second)
	if l.replicas != 5 || l.limitedReason != "ScaleUpLimit" {
		t.Errorf("scaling 1 up to 20 gives %d (%s); want 5 (up by 4 pods per period), ScaleUpLimit", l.replicas, l.limitedReason)
	}
}
