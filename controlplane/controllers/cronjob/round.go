package cronjob

// One round of a CronJob: reconcile status.active, start the Job the
// schedule asks for (if any, and if the concurrency policy allows), prune
// the history. All of it is decided first and shown as one reconcile step;
// then the writes follow: Jobs deleted, the Job created, the status.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/reference"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

// tooManyMissed is how many missed times kube tolerates silently.
const tooManyMissed = 100

// round is one sync's CronJob, its Jobs and the time.
type round struct {
	cj   *batchv1.CronJob
	jobs []*batchv1.Job
	now  time.Time

	status   *batchv1.CronJobStatus
	start    *time.Time     // the scheduled time to start a Job for
	remove   []*batchv1.Job // Jobs to delete (Replace, history)
	events   []event
	decision string
}

type event struct{ eventType, reason, message string }

func (c *Controller) jobsOf(cj *batchv1.CronJob) ([]*batchv1.Job, error) {
	all, err := c.jobLister.Jobs(cj.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	var out []*batchv1.Job
	for _, j := range all {
		if ref := ownerOf(j); ref != nil && ref.UID == cj.UID {
			out = append(out, j)
		}
	}
	return out, nil
}

// runRound decides r and carries it out; it returns how long (in the
// controller's clock) until the schedule's next time.
func (c *Controller) runRound(ctx context.Context, r *round) (time.Duration, error) {
	sched, err := cron.ParseStandard(schedule(r.cj))
	if err != nil {
		c.events.Eventf(r.cj, corev1.EventTypeWarning, "UnparseableSchedule", "unparseable schedule: %q : %s", r.cj.Spec.Schedule, err)
		return 0, nil
	}
	r.decide(sched)
	if r.noop() {
		return untilNext(sched, r.now), nil
	}
	ctx = trace.Decided(ctx, c.rec, "batch/v1", "CronJob", r.cj, trace.Reconcile{
		Controller: Name, Desired: "a Job at each time of " + r.cj.Spec.Schedule,
		Actual:   fmt.Sprintf("%d active, last scheduled %s", len(r.cj.Status.Active), lastText(r.cj.Status.LastScheduleTime)),
		Decision: r.decision})
	for _, j := range r.remove {
		err := c.client.BatchV1().Jobs(j.Namespace).Delete(ctx, j.Name, metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationBackground)})
		if err != nil && !apierrors.IsNotFound(err) {
			return 0, err
		}
		c.events.Eventf(r.cj, corev1.EventTypeNormal, "SuccessfulDelete", "Deleted job %v", j.Name)
		r.status.Active = slices.DeleteFunc(r.status.Active, func(ref corev1.ObjectReference) bool { return ref.UID == j.UID })
	}
	if r.start != nil {
		job, err := c.client.BatchV1().Jobs(r.cj.Namespace).Create(ctx, jobFor(r.cj, *r.start), metav1.CreateOptions{})
		switch {
		case apierrors.IsAlreadyExists(err):
			// started by an earlier round whose status write was lost
		case err != nil:
			c.events.Eventf(r.cj, corev1.EventTypeWarning, "FailedCreate", "Error creating job: %v", err)
			return 0, err
		default:
			c.events.Eventf(r.cj, corev1.EventTypeNormal, "SuccessfulCreate", "Created job %v", job.Name)
			if ref, err := reference.GetReference(nil, job); err == nil {
				ref.APIVersion, ref.Kind = "batch/v1", "Job"
				r.status.Active = append(r.status.Active, *ref)
			}
		}
		r.status.LastScheduleTime = &metav1.Time{Time: *r.start}
	}
	if !equality.Semantic.DeepEqual(*r.status, r.cj.Status) {
		next := r.cj.DeepCopy()
		next.Status = *r.status
		if _, err := c.client.BatchV1().CronJobs(r.cj.Namespace).UpdateStatus(ctx, next, metav1.UpdateOptions{}); err != nil {
			return 0, err
		}
	}
	for _, e := range r.events {
		c.events.Event(r.cj, e.eventType, e.reason, e.message)
	}
	return untilNext(sched, r.now), nil
}

// untilNext is how long until sched's next time, or 0 (no wake-up) for a
// schedule that names no time in the next five years.
func untilNext(sched cron.Schedule, now time.Time) time.Duration {
	next := sched.Next(now)
	if next.IsZero() {
		return 0
	}
	return next.Sub(now)
}

func (r *round) noop() bool {
	return r.start == nil && len(r.remove) == 0 && len(r.events) == 0 && equality.Semantic.DeepEqual(*r.status, r.cj.Status)
}

// decide fills in what this round does.
func (r *round) decide(sched cron.Schedule) {
	r.status = r.cj.Status.DeepCopy()
	r.reconcileActive()
	var doing []string
	if r.cj.DeletionTimestamp == nil && !ptr.Deref(r.cj.Spec.Suspend, false) {
		if t, missed := r.scheduledTime(sched); t != nil && !r.started(*t) {
			doing = append(doing, r.startOrSkip(*t, missed)...)
		}
	}
	if n := r.pruneHistory(); n > 0 {
		doing = append(doing, fmt.Sprintf("delete the %d oldest finished Jobs", n))
	}
	r.decision = strings.Join(doing, "; ")
	if r.decision == "" {
		r.decision = fmt.Sprintf("update the CronJob's status: %d active", len(r.status.Active))
	}
}

// reconcileActive drops finished and vanished Jobs from status.active.
func (r *round) reconcileActive() {
	byUID := map[string]*batchv1.Job{}
	for _, j := range r.jobs {
		byUID[string(j.UID)] = j
		if !finished(j) && !slices.ContainsFunc(r.status.Active, func(ref corev1.ObjectReference) bool { return ref.UID == j.UID }) {
			r.status.Active = append(r.status.Active, corev1.ObjectReference{Kind: "Job", APIVersion: "batch/v1",
				Namespace: j.Namespace, Name: j.Name, UID: j.UID, ResourceVersion: j.ResourceVersion})
		}
	}
	r.status.Active = slices.DeleteFunc(r.status.Active, func(ref corev1.ObjectReference) bool {
		j, ok := byUID[string(ref.UID)]
		switch {
		case !ok:
			r.events = append(r.events, event{corev1.EventTypeNormal, "MissingJob", "Active job went missing: " + ref.Name})
			return true
		case finished(j):
			cond := finishedCondition(j)
			r.events = append(r.events, event{corev1.EventTypeNormal, "SawCompletedJob",
				fmt.Sprintf("Saw completed job: %s, condition: %s", j.Name, cond)})
			if cond == batchv1.JobComplete && j.Status.CompletionTime != nil &&
				(r.status.LastSuccessfulTime == nil || r.status.LastSuccessfulTime.Before(j.Status.CompletionTime)) {
				r.status.LastSuccessfulTime = j.Status.CompletionTime
			}
			return true
		}
		return false
	})
}

// scheduledTime is the most recent time sched named after the last start
// (or the creation) and no later than now, and how many times were missed.
func (r *round) scheduledTime(sched cron.Schedule) (*time.Time, int) {
	earliest := r.cj.CreationTimestamp.Time
	if t := r.status.LastScheduleTime; t != nil {
		earliest = t.Time
	}
	if d := r.cj.Spec.StartingDeadlineSeconds; d != nil {
		if from := r.now.Add(-time.Duration(*d) * time.Second); from.After(earliest) {
			earliest = from
		}
	}
	var last *time.Time
	missed := 0
	// Next answers the zero time for a schedule with no time in the next five
	// years (as "59 23 31 2 *", February 31st): nothing is missed then.
	for t := sched.Next(earliest); !t.IsZero() && !t.After(r.now); t = sched.Next(t) {
		last = &t
		missed++
	}
	return last, missed
}

// started: a Job for scheduled time t exists already.
func (r *round) started(t time.Time) bool {
	name := jobName(r.cj, t)
	return slices.ContainsFunc(r.jobs, func(j *batchv1.Job) bool { return j.Name == name })
}

// startOrSkip applies the concurrency policy to starting a Job for t.
func (r *round) startOrSkip(t time.Time, missed int) []string {
	if missed > tooManyMissed {
		r.events = append(r.events, event{corev1.EventTypeWarning, "TooManyMissedTimes",
			"too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew"})
	}
	var running []*batchv1.Job
	for _, j := range r.jobs {
		if !finished(j) {
			running = append(running, j)
		}
	}
	switch {
	case len(running) > 0 && r.cj.Spec.ConcurrencyPolicy == batchv1.ForbidConcurrent:
		r.events = append(r.events, event{corev1.EventTypeNormal, "JobAlreadyActive",
			"Not starting job because prior execution is running and concurrency policy is Forbid"})
		return []string{"skip this run: Forbid, and a Job still runs"}
	case len(running) > 0 && r.cj.Spec.ConcurrencyPolicy == batchv1.ReplaceConcurrent:
		r.remove = append(r.remove, running...)
		r.start = &t
		return []string{fmt.Sprintf("Replace: delete %d running Jobs, create Job %s", len(running), jobName(r.cj, t))}
	}
	r.start = &t
	return []string{"create Job " + jobName(r.cj, t)}
}

// pruneHistory marks the oldest finished Jobs beyond the history limits.
func (r *round) pruneHistory() int {
	var succeeded, failed []*batchv1.Job
	for _, j := range r.jobs {
		switch finishedCondition(j) {
		case batchv1.JobComplete:
			succeeded = append(succeeded, j)
		case batchv1.JobFailed:
			failed = append(failed, j)
		}
	}
	n := 0
	for _, h := range []struct {
		jobs  []*batchv1.Job
		limit *int32
	}{{succeeded, r.cj.Spec.SuccessfulJobsHistoryLimit}, {failed, r.cj.Spec.FailedJobsHistoryLimit}} {
		if h.limit == nil || len(h.jobs) <= int(*h.limit) {
			continue
		}
		slices.SortFunc(h.jobs, func(a, b *batchv1.Job) int { return scheduledAt(a).Compare(scheduledAt(b)) })
		extra := h.jobs[:len(h.jobs)-int(*h.limit)]
		r.remove = append(r.remove, extra...)
		n += len(extra)
	}
	return n
}

// jobFor is the Job cj starts for scheduled time t.
func jobFor(cj *batchv1.CronJob, t time.Time) *batchv1.Job {
	tmpl := cj.Spec.JobTemplate.DeepCopy()
	annotations := tmpl.Annotations
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[batchv1.CronJobScheduledTimestampAnnotation] = t.Format(time.RFC3339)
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{
			Name: jobName(cj, t), Namespace: cj.Namespace, Labels: tmpl.Labels, Annotations: annotations,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(cj, controllerKind)},
		},
		Spec: tmpl.Spec,
	}
}

// jobName is "<cronjob>-<minutes since 1970>", as kube names them.
func jobName(cj *batchv1.CronJob, t time.Time) string {
	return fmt.Sprintf("%s-%d", cj.Name, t.Unix()/60)
}

// schedule is the CronJob's schedule in its time zone.
func schedule(cj *batchv1.CronJob) string {
	if tz := cj.Spec.TimeZone; tz != nil {
		return "CRON_TZ=" + *tz + " " + cj.Spec.Schedule
	}
	return cj.Spec.Schedule
}

func scheduledAt(j *batchv1.Job) time.Time {
	if t, err := time.Parse(time.RFC3339, j.Annotations[batchv1.CronJobScheduledTimestampAnnotation]); err == nil {
		return t
	}
	return j.CreationTimestamp.Time
}

func ownerOf(j *batchv1.Job) *metav1.OwnerReference {
	ref := metav1.GetControllerOfNoCopy(j)
	if ref == nil || ref.Kind != controllerKind.Kind || ref.APIVersion != controllerKind.GroupVersion().String() {
		return nil
	}
	return ref
}

func finished(j *batchv1.Job) bool { return finishedCondition(j) != "" }

// finishedCondition is Complete or Failed once the Job has ended, else "".
func finishedCondition(j *batchv1.Job) batchv1.JobConditionType {
	for _, c := range j.Status.Conditions {
		if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
			return c.Type
		}
	}
	return ""
}

func lastText(t *metav1.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}
