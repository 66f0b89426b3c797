package nodelifecycle

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestEvictionTimeFollowsTolerations(t *testing.T) {
	added := time.Now().Add(-time.Minute).Truncate(time.Second)
	taints := []corev1.Taint{{Key: corev1.TaintNodeUnreachable, Effect: corev1.TaintEffectNoExecute, TimeAdded: &metav1.Time{Time: added}}}
	tolerate := func(seconds *int64) []corev1.Toleration {
		return []corev1.Toleration{{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists,
			Effect: corev1.TaintEffectNoExecute, TolerationSeconds: seconds}}
	}
	cases := []struct {
		name        string
		tolerations []corev1.Toleration
		limit       time.Duration
		evict       bool
		at          time.Time
	}{
		{"no toleration: at once", nil, 0, true, time.Time{}},
		{"300s from when the taint was added", tolerate(ptr.To[int64](300)), 0, true, added.Add(300 * time.Second)},
		{"a lesson's limit shortens it", tolerate(ptr.To[int64](300)), 5 * time.Second, true, added.Add(5 * time.Second)},
		{"no seconds: tolerated for good", tolerate(nil), 5 * time.Second, false, time.Time{}},
		{"another key does not tolerate it", []corev1.Toleration{{Key: "other", Operator: corev1.TolerationOpExists}}, 0, true, time.Time{}},
	}
	for _, tc := range cases {
		pod := &corev1.Pod{Spec: corev1.PodSpec{Tolerations: tc.tolerations}}
		at, evict := evictionTime(pod, taints, tc.limit)
		if evict != tc.evict || !at.Equal(tc.at) {
			t.Errorf("%s: got evict=%v at=%v, want %v at %v", tc.name, evict, at, tc.evict, tc.at)
		}
	}
}
