package cronjob

import (
	"strconv"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

func testCronJob(created time.Time, policy batchv1.ConcurrencyPolicy) *batchv1.CronJob {
	return &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "tick", Namespace: "default", UID: "cj", CreationTimestamp: metav1.NewTime(created)},
		Spec: batchv1.CronJobSpec{Schedule: "*/5 * * * *", ConcurrencyPolicy: policy,
			SuccessfulJobsHistoryLimit: ptr.To[int32](1), FailedJobsHistoryLimit: ptr.To[int32](1)},
	}
}

func testJobAt(cj *batchv1.CronJob, t time.Time, done batchv1.JobConditionType) *batchv1.Job {
	j := jobFor(cj, t)
	j.UID = types.UID("uid-" + j.Name)
	if done != "" {
		j.Status.Conditions = []batchv1.JobCondition{{Type: done, Status: corev1.ConditionTrue}}
	}
	return j
}

func TestARoundStartsTheMostRecentMissedTimeOnce(t *testing.T) {
	created := time.Date(2026, 12, 6, 10, 1, 0, 0, time.UTC)
	cj := testCronJob(created, batchv1.AllowConcurrent)
	sched, _ := cron.ParseStandard(cj.Spec.Schedule)
	r := round{cj: cj, now: created.Add(12 * time.Minute)} // 10:13: 10:05 and 10:10 have passed
	r.decide(sched)
	if r.start == nil || !r.start.Equal(created.Add(9*time.Minute)) {
		t.Fatalf("start %v, want 10:10", r.start)
	}
	if r.decision != "create Job tick-"+itoa(created.Add(9*time.Minute).Unix()/60) {
		t.Errorf("decision %q", r.decision)
	}
	// The Job for 10:10 exists: nothing to start until 10:15.
	r = round{cj: cj, now: created.Add(12 * time.Minute), jobs: []*batchv1.Job{testJobAt(cj, *r.start, "")}}
	r.decide(sched)
	if r.start != nil {
		t.Errorf("started %v again", r.start)
	}
}

func TestForbidSkipsATimeWhileAJobRunsAndReplaceDeletesIt(t *testing.T) {
	created := time.Date(2026, 12, 6, 10, 1, 0, 0, time.UTC)
	sched, _ := cron.ParseStandard("*/5 * * * *")
	for _, tc := range []struct {
		policy  batchv1.ConcurrencyPolicy
		starts  bool
		removes int
	}{{batchv1.AllowConcurrent, true, 0}, {batchv1.ForbidConcurrent, false, 0}, {batchv1.ReplaceConcurrent, true, 1}} {
		cj := testCronJob(created, tc.policy)
		cj.Status.LastScheduleTime = &metav1.Time{Time: created.Add(4 * time.Minute)}
		running := testJobAt(cj, created.Add(4*time.Minute), "")
		r := round{cj: cj, now: created.Add(10 * time.Minute), jobs: []*batchv1.Job{running}}
		r.decide(sched)
		if (r.start != nil) != tc.starts || len(r.remove) != tc.removes {
			t.Errorf("%s: start %v, remove %d; want start %v, remove %d", tc.policy, r.start, len(r.remove), tc.starts, tc.removes)
		}
		if tc.policy == batchv1.ForbidConcurrent && (len(r.events) != 1 || r.events[0].reason != "JobAlreadyActive") {
			t.Errorf("Forbid: events %+v", r.events)
		}
	}
}

func TestOnlyTheNewestFinishedJobsAreKept(t *testing.T) {
	created := time.Date(2026, 12, 6, 10, 1, 0, 0, time.UTC)
	cj := testCronJob(created, batchv1.AllowConcurrent)
	old := testJobAt(cj, created.Add(4*time.Minute), batchv1.JobComplete)
	newer := testJobAt(cj, created.Add(9*time.Minute), batchv1.JobComplete)
	failed := testJobAt(cj, created.Add(14*time.Minute), batchv1.JobFailed)
	r := round{cj: cj, jobs: []*batchv1.Job{newer, failed, old}, status: &batchv1.CronJobStatus{}}
	if n := r.pruneHistory(); n != 1 || r.remove[0] != old {
		t.Fatalf("pruned %d (%v); want the oldest successful Job only", n, r.remove)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// kubectl's own command tests create a CronJob for February 31st: a
// schedule that never comes must leave the round with nothing to start,
// not loop on the zero time cron answers for it.
func TestAScheduleThatNeverComesStartsNothing(t *testing.T) {
	created := time.Date(2026, 12, 6, 10, 1, 0, 0, time.UTC)
	cj := testCronJob(created, batchv1.AllowConcurrent)
	cj.Spec.Schedule = "59 23 31 2 *"
	sched, err := cron.ParseStandard(cj.Spec.Schedule)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	r := round{cj: cj, now: created.Add(time.Hour)}
	go func() { r.decide(sched); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("deciding a round for February 31st does not return")
	}
	if r.start != nil {
		t.Errorf("started %v", r.start)
	}
	if d := untilNext(sched, r.now); d != 0 {
		t.Errorf("wakes up again after %v, want never", d)
	}
}
