package scheduler

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func pendingPod(name string, priority int32) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, UID: types.UID(name)},
		Spec: corev1.PodSpec{Priority: &priority, SchedulerName: SchedulerName}}
}

func popNames(t *testing.T, q *schedulingQueue, n int) []string {
	t.Helper()
	var names []string
	for range n {
		qp, err := q.Pop()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, qp.Pod.Name)
		q.Done(qp.Pod.UID)
	}
	return names
}

func TestQueuePopsHigherPriorityFirstThenFirstComeFirstServed(t *testing.T) {
	q := newSchedulingQueue(time.Minute)
	q.Add(pendingPod("low-1", 0))
	q.Add(pendingPod("high", 1000))
	q.Add(pendingPod("low-2", 0))
	q.Add(pendingPod("mid", 10))
	got := popNames(t, q, 4)
	want := []string{"high", "mid", "low-1", "low-2"}
	if !equalStrings(got, want) {
		t.Fatalf("popped %v, want %v", got, want)
	}
}

func TestQueueKeepsUnschedulablePodsUntilAClusterEvent(t *testing.T) {
	q := newSchedulingQueue(time.Hour)
	q.Add(pendingPod("big", 0))
	qp, _ := q.Pop()
	q.AddUnschedulable(qp)
	if active, waiting := q.Len(); active != 0 || waiting != 1 {
		t.Fatalf("active=%d unschedulable=%d, want 0 and 1", active, waiting)
	}
	q.MoveAllToActive()
	if got := popNames(t, q, 1); got[0] != "big" {
		t.Fatalf("popped %v", got)
	}
}

func TestQueueRetriesAPodThatFailedDuringAClusterEvent(t *testing.T) {
	q := newSchedulingQueue(time.Hour)
	q.Add(pendingPod("big", 0))
	qp, _ := q.Pop()
	q.MoveAllToActive() // a node was added while the pod was being scheduled
	q.AddUnschedulable(qp)
	if active, _ := q.Len(); active != 1 {
		t.Fatal("the pod should go straight back to active: the event may have made room")
	}
}

func TestQueueFlushRetriesPodsThatWaitedLongEnough(t *testing.T) {
	q := newSchedulingQueue(time.Minute)
	now := time.Unix(1000, 0)
	q.now = func() time.Time { return now }
	q.Add(pendingPod("big", 0))
	qp, _ := q.Pop()
	q.AddUnschedulable(qp)
	now = now.Add(30 * time.Second)
	q.flushUnschedulable()
	if active, _ := q.Len(); active != 0 {
		t.Fatal("flushed after half the interval")
	}
	now = now.Add(30 * time.Second)
	q.flushUnschedulable()
	if active, _ := q.Len(); active != 1 {
		t.Fatal("not flushed after the whole interval")
	}
}

func TestQueueRetriesAWaitingPodWhenItsSpecChangesButNotItsStatus(t *testing.T) {
	q := newSchedulingQueue(time.Hour)
	pod := pendingPod("picky", 0)
	q.Add(pod)
	qp, _ := q.Pop()
	q.AddUnschedulable(qp)

	statusOnly := pod.DeepCopy()
	statusOnly.ResourceVersion = "2"
	statusOnly.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse}}
	q.Update(pod, statusOnly)
	if active, _ := q.Len(); active != 0 {
		t.Fatal("the scheduler's own status write must not retry the pod")
	}
	relabelled := statusOnly.DeepCopy()
	relabelled.Spec.NodeSelector = map[string]string{"disk": "ssd"}
	q.Update(statusOnly, relabelled)
	if active, _ := q.Len(); active != 1 {
		t.Fatal("a changed spec should retry the pod")
	}
}

func TestQueueForgetsDeletedPods(t *testing.T) {
	q := newSchedulingQueue(time.Hour)
	q.Add(pendingPod("a", 0))
	q.Add(pendingPod("b", 0))
	q.Delete("a")
	if got := popNames(t, q, 1); got[0] != "b" {
		t.Fatalf("popped %v", got)
	}
	q.Add(pendingPod("c", 0))
	qp, _ := q.Pop()
	q.Delete("c") // deleted while being scheduled
	q.AddUnschedulable(qp)
	if active, waiting := q.Len(); active+waiting != 0 {
		t.Fatal("a pod deleted mid-cycle came back")
	}
}

func TestQueuePopReturnsWhenClosed(t *testing.T) {
	q := newSchedulingQueue(time.Hour)
	done := make(chan error)
	go func() { _, err := q.Pop(); done <- err }()
	q.Close()
	select {
	case err := <-done:
		if err != errQueueClosed {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Pop did not return after Close")
	}
}

func equalStrings(a, b []string) bool {
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

// A pod landing on a node moves only the waiting pods whose place depends on
// other pods; a pod waiting for CPU stays where it is.
func TestQueueRetriesOnlyPodsWaitingOnPodsWhenAPodLands(t *testing.T) {
	q := newSchedulingQueue(time.Hour)
	big := pendingPod("big", 0)
	spread := pendingPod("spread", 0)
	spread.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 1,
		TopologyKey: corev1.LabelHostname, WhenUnsatisfiable: corev1.DoNotSchedule}}
	friend := pendingPod("friend", 0)
	friend.Spec.Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
		LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "cache"}}, TopologyKey: corev1.LabelHostname}}}}
	for _, p := range []*corev1.Pod{big, spread, friend} {
		q.Add(p)
		qp, _ := q.Pop()
		q.AddUnschedulable(qp)
	}
	q.MoveWaitingOnPods()
	if active, waiting := q.Len(); active != 2 || waiting != 1 {
		t.Fatalf("active=%d unschedulable=%d, want spread and friend active and big waiting", active, waiting)
	}
	if got := popNames(t, q, 2); !equalStrings(got, []string{"spread", "friend"}) {
		t.Fatalf("popped %v", got)
	}
}

// A pod updated while its cycle runs (its own PodScheduled=False write,
// delivered late) keeps the version the cycle is reading, and waits as the
// newer one if it fitted nowhere.
func TestAnUpdateOfAPodBeingScheduledWaitsForItsCycleToEnd(t *testing.T) {
	q := newSchedulingQueue(time.Minute)
	pod := pendingPod("p", 0)
	q.Add(pod)
	qp, err := q.Pop()
	if err != nil {
		t.Fatal(err)
	}
	newer := pod.DeepCopy()
	newer.ResourceVersion = "2"
	q.Update(pod, newer)
	if qp.Pod != pod {
		t.Fatal("the pod changed under the cycle reading it")
	}
	q.AddUnschedulable(qp)
	if qp.Pod != newer {
		t.Fatal("the pod waits as its old version")
	}
}
