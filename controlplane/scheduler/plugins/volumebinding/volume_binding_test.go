package volumebinding

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

func claim(name, volume string, deleting bool) *corev1.PersistentVolumeClaim {
	c := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: corev1.PersistentVolumeClaimSpec{VolumeName: volume}}
	if deleting {
		now := metav1.Now()
		c.DeletionTimestamp = &now
	}
	return c
}

func podWithClaims(names ...string) *corev1.Pod {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "default"}}
	pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: "scratch",
		VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	for _, n := range names {
		pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: n,
			VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: n}}})
	}
	return pod
}

func TestPreFilterStopsAPodWhoseClaimsAreNotReady(t *testing.T) {
	indexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	for _, c := range []*corev1.PersistentVolumeClaim{claim("bound", "pv-1", false), claim("unbound", "", false), claim("going", "pv-2", true)} {
		_ = indexer.Add(c)
	}
	pl := New(corelisters.NewPersistentVolumeClaimLister(indexer))
	tests := []struct {
		name   string
		pod    *corev1.Pod
		reason string // "" for Success
	}{
		{"no claims", podWithClaims(), ""},
		{"a bound claim", podWithClaims("bound"), ""},
		{"an unbound claim", podWithClaims("bound", "unbound"), ErrReasonUnboundImmediatePVC},
		{"a missing claim", podWithClaims("nope"), `persistentvolumeclaim "nope" not found`},
		{"a claim being deleted", podWithClaims("going"), `persistentvolumeclaim "going" is being deleted`},
	}
	for _, tt := range tests {
		st := pl.PreFilter(framework.NewPodInfo(tt.pod), nil)
		if tt.reason == "" {
			if !st.IsSuccess() {
				t.Errorf("%s: %v, want success", tt.name, st.Reasons())
			}
			continue
		}
		if st.Code() != framework.UnschedulableAndUnresolvable || st.Message() != tt.reason {
			t.Errorf("%s: %v %q, want UnschedulableAndUnresolvable %q", tt.name, st.Code(), st.Message(), tt.reason)
		}
	}
}
