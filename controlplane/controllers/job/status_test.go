package job

import (
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

var opts = Options{BackOff: 10 * time.Second, MaxBackOff: 6 * time.Minute}

func testJob(completions, parallelism, backoffLimit int32) *batchv1.Job {
	return &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "j", Namespace: "default", UID: "job-uid"},
		Spec: batchv1.JobSpec{Completions: ptr.To(completions), Parallelism: ptr.To(parallelism), BackoffLimit: ptr.To(backoffLimit),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever}}}}
}

func testPod(uid string, phase corev1.PodPhase, tracked bool, finishedAt time.Time) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: uid, UID: types.UID(uid)}, Status: corev1.PodStatus{Phase: phase}}
	if tracked {
		p.Finalizers = []string{batchv1.JobTrackingFinalizer}
	}
	if !finishedAt.IsZero() {
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{State: corev1.ContainerState{
			Terminated: &corev1.ContainerStateTerminated{FinishedAt: metav1.NewTime(finishedAt)}}}}
	}
	return p
}

// Each finished pod is counted once, across the three writes of the
// finalizer protocol, however often a sync runs in between.
func TestAFinishedPodIsPromisedThenCountedOnceItIsLetGo(t *testing.T) {
	now := time.Now()
	job := testJob(2, 1, 6)
	done := testPod("a", corev1.PodSucceeded, true, now)

	// 1: the finished pod is promised and let go; nothing counted yet.
	p := newSnapshot(job, []*corev1.Pod{done}, now).plan(opts)
	if p.status == nil || p.status.Succeeded != 0 || len(p.status.UncountedTerminatedPods.Succeeded) != 1 || len(p.release) != 1 {
		t.Fatalf("first sync: status %+v, release %d", p.status, len(p.release))
	}
	job.Status = *p.status

	// A sync that still sees the pod with its finalizer (a stale cache)
	// neither counts it nor promises it twice.
	p = newSnapshot(job, []*corev1.Pod{done}, now).plan(opts)
	if p.status != nil && (p.status.Succeeded != 0 || len(p.status.UncountedTerminatedPods.Succeeded) != 1) {
		t.Fatalf("stale sync: status %+v", p.status)
	}

	// 2: once the finalizer is off, the promise becomes a count.
	letGo := testPod("a", corev1.PodSucceeded, false, now)
	p = newSnapshot(job, []*corev1.Pod{letGo}, now).plan(opts)
	if p.status == nil || p.status.Succeeded != 1 || len(p.status.UncountedTerminatedPods.Succeeded) != 0 {
		t.Fatalf("after the finalizer came off: status %+v", p.status)
	}
	job.Status = *p.status

	// And it stays one.
	p = newSnapshot(job, []*corev1.Pod{letGo}, now).plan(opts)
	st := job.Status
	if p.status != nil {
		st = *p.status
	}
	if st.Succeeded != 1 || p.create != 1 {
		t.Fatalf("later: succeeded %d, creates %d; want 1 and 1 (the second completion)", st.Succeeded, p.create)
	}
}

func TestAFailedPodIsReplacedAfterADoublingBackOffAndTheJobFailsPastItsLimit(t *testing.T) {
	now := time.Now()
	job := testJob(1, 1, 2)
	job.Status = batchv1.JobStatus{Failed: 2, StartTime: &metav1.Time{Time: now.Add(-time.Minute)}}
	failedAt := now.Add(-15 * time.Second)
	pods := []*corev1.Pod{testPod("a", corev1.PodFailed, false, failedAt.Add(-time.Minute)), testPod("b", corev1.PodFailed, false, failedAt)}

	// Two failures: the back-off is 20 s from the last; 5 s are left.
	p := newSnapshot(job, pods, now).plan(opts)
	if p.create != 0 || p.retryAfter != 5*time.Second {
		t.Fatalf("two failures: create %d, retry after %v; want 0 and 5s", p.create, p.retryAfter)
	}
	p = newSnapshot(job, pods, now.Add(6*time.Second)).plan(opts)
	if p.create != 1 {
		t.Fatalf("after the back-off: create %d, want 1", p.create)
	}

	// A third failure is more than backoffLimit 2: FailureTarget first
	// (its running pods are stopped), then, with none left, Failed.
	job.Status.Failed = 3
	p = newSnapshot(job, pods, now).plan(opts)
	if p.status == nil || !hasCondition(p.status, batchv1.JobFailureTarget) || hasCondition(p.status, batchv1.JobFailed) {
		t.Fatalf("three failures: status %+v", p.status)
	}
	job.Status = *p.status
	p = newSnapshot(job, pods, now).plan(opts)
	if p.status == nil || !hasCondition(p.status, batchv1.JobFailed) || condition(p.status, batchv1.JobFailed).Reason != reasonBackoffLimit {
		t.Fatalf("then: status %+v", p.status)
	}
	if len(p.events) != 1 || p.events[0].reason != reasonBackoffLimit {
		t.Fatalf("then: events %+v", p.events)
	}
}

func TestTheJobRunsAtMostParallelismPodsAndNoMoreThanTheCompletionsLeft(t *testing.T) {
	for _, tc := range []struct {
		completions, parallelism, succeeded int32
		want                                int
	}{{4, 2, 0, 2}, {4, 2, 3, 1}, {4, 8, 0, 4}, {1, 1, 1, 0}} {
		if got := want(ptr.To(tc.completions), tc.parallelism, tc.succeeded, 0); got != tc.want {
			t.Errorf("completions %d parallelism %d succeeded %d: want %d pods, got %d", tc.completions, tc.parallelism, tc.succeeded, tc.want, got)
		}
	}
	if got := want(nil, 3, 1, 2); got != 2 {
		t.Errorf("a work queue with one success creates no more pods: want 2 (the running ones), got %d", got)
	}
}
