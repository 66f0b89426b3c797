package statefulset

import (
	"reflect"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func web(replicas int32, edits ...func(*appsv1.StatefulSet)) *appsv1.StatefulSet {
	set := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", UID: "sts-1"},
		Spec: appsv1.StatefulSetSpec{Replicas: ptr.To(replicas), ServiceName: "nginx",
			Selector:            &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			PodManagementPolicy: appsv1.OrderedReadyPodManagement,
			UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptr.To[int32](0)}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "nginx", Image: "nginx"}}}}}}
	for _, e := range edits {
		e(set)
	}
	return set
}

type podState int

const (
	ready podState = iota
	pending
	terminating
	failed
)

// pods are web-<i> at revision rev, in the given states.
func pods(rev string, states ...podState) []*corev1.Pod {
	var out []*corev1.Pod
	for i, st := range states {
		p := newStatefulSetPod(web(0), &web(0).Spec.Template, rev, i)
		p.Status.Phase = corev1.PodRunning
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
		switch st {
		case pending:
			p.Status = corev1.PodStatus{Phase: corev1.PodPending}
		case terminating:
			p.DeletionTimestamp = &metav1.Time{Time: time.Now()}
		case failed:
			p.Status = corev1.PodStatus{Phase: corev1.PodFailed}
		}
		out = append(out, p)
	}
	return out
}

func TestOrderedReadyTakesOneStepAtATimeInOrdinalOrder(t *testing.T) {
	parallel := func(s *appsv1.StatefulSet) { s.Spec.PodManagementPolicy = appsv1.ParallelPodManagement }
	partition2 := func(s *appsv1.StatefulSet) { s.Spec.UpdateStrategy.RollingUpdate.Partition = ptr.To[int32](2) }
	tests := []struct {
		name string
		set  *appsv1.StatefulSet
		pods []*corev1.Pod
		want string
	}{
		{"scaled from 0 to 3: web-0 first", web(3), nil, "create pod web-0"},
		{"web-1 waits for web-0 to be ready", web(3), pods("r1", pending), "wait for web-0 to be Running and Ready"},
		{"web-1 once web-0 is ready", web(3), pods("r1", ready), "create pod web-1"},
		{"Parallel creates them all at once", web(3, parallel), nil, "create web-0, web-1, web-2 at once"},
		{"a failed pod is deleted to be made again", web(2), pods("r1", ready, failed), "delete failed pod web-1 to create it again"},
		{"scaled from 3 to 1: web-2 goes first", web(1), pods("r1", ready, ready, ready), "delete pod web-2"},
		{"then web-1, only once web-2 is gone", web(1), pods("r1", ready, ready, terminating), "wait for web-2 to terminate"},
		{"Parallel deletes them all at once", web(1, parallel), pods("r1", ready, ready, ready), "delete web-2, web-1 at once"},
		{"in sync", web(2), pods("r1", ready, ready), ""},
		{"a new template replaces the highest ordinal first", web(3), pods("r0", ready, ready, ready),
			"RollingUpdate: delete web-2 to create it again at revision r1"},
		{"and waits for it to be healthy before the next", web(3), append(pods("r0", ready, ready), pods("r1", ready, ready, pending)[2]),
			"wait for web-2 to be Running and Ready"},
		{"then the next", web(3), append(pods("r0", ready, ready), pods("r1", ready, ready, ready)[2]),
			"RollingUpdate: delete web-1 to create it again at revision r1"},
		{"a partition keeps the ordinals below it", web(3, partition2), append(pods("r0", ready, ready), pods("r1", ready, ready, ready)[2]), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decision(tt.set, planStep(tt.set, tt.pods, "r1")); got != tt.want {
				t.Errorf("decision = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStatefulPodsHaveStableIdentities(t *testing.T) {
	set := web(3)
	p := newStatefulSetPod(set, &set.Spec.Template, "web-abc", 2)
	if p.Name != "web-2" || p.Spec.Hostname != "web-2" || p.Spec.Subdomain != "nginx" {
		t.Errorf("pod %s has hostname %q and subdomain %q", p.Name, p.Spec.Hostname, p.Spec.Subdomain)
	}
	want := map[string]string{"app": "web", "statefulset.kubernetes.io/pod-name": "web-2",
		"apps.kubernetes.io/pod-index": "2", "controller-revision-hash": "web-abc"}
	if !reflect.DeepEqual(p.Labels, want) {
		t.Errorf("labels = %v, want %v", p.Labels, want)
	}
	if ref := metav1.GetControllerOf(p); ref == nil || ref.Kind != "StatefulSet" || ref.Name != "web" {
		t.Errorf("controller = %+v", ref)
	}
	for _, name := range []string{"web-x", "webby-2", "web"} {
		if isMemberOf(set, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}}) {
			t.Errorf("%s counted as a member of web", name)
		}
	}
}

func TestStatusCountsRevisionsAndCompletesTheRollout(t *testing.T) {
	set := web(3)
	set.Generation = 5
	mixed := append(pods("r0", ready, ready), pods("r1", ready, ready, pending)[2])
	got := calculateStatus(set, mixed, "r0", "r1")
	want := appsv1.StatefulSetStatus{ObservedGeneration: 5, Replicas: 3, ReadyReplicas: 2, AvailableReplicas: 2,
		CurrentReplicas: 2, UpdatedReplicas: 1, CurrentRevision: "r0", UpdateRevision: "r1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("mid-rollout status\n got %+v\nwant %+v", got, want)
	}
	got = calculateStatus(set, pods("r1", ready, ready, ready), "r0", "r1")
	if got.CurrentRevision != "r1" || got.CurrentReplicas != 3 || got.UpdatedReplicas != 3 {
		t.Errorf("a finished rollout did not make r1 current: %+v", got)
	}
}
