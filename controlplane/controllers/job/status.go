package job

// One sync's view of a Job (snapshot) and what it decides (plan). Both are
// plain values, so the counting and the conditions can be tested without a
// cluster.
//
// Counting follows kube's finalizer protocol. A uid in
// status.uncountedTerminatedPods is a finished pod the status has promised
// to count: once that pod has lost its finalizer (or is gone), the uid moves
// into status.succeeded or status.failed. A finished pod that still has the
// finalizer and is not yet promised gets promised. Promises are written
// before any finalizer comes off, so each pod is counted exactly once.
//
// A pod being deleted counts as failed unless it had succeeded: it will
// never finish on its own.

import (
	"fmt"
	"slices"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

// Condition reasons and messages, as kube writes them.
const (
	reasonBackoffLimit  = "BackoffLimitExceeded"
	messageBackoffLimit = "Job has reached the specified backoff limit"
	reasonDeadline      = "DeadlineExceeded"
	messageDeadline     = "Job was active longer than specified deadline"
	reasonCompletions   = "CompletionsReached"
	messageCompletions  = "Reached expected number of succeeded pods"
	reasonSuspended     = "JobSuspended"
	messageSuspended    = "Job suspended"
	reasonResumed       = "JobResumed"
	messageResumed      = "Job resumed"
)

// snapshot is a Job and its pods at one moment.
type snapshot struct {
	job     *batchv1.Job
	pods    []*corev1.Pod
	now     time.Time
	waiting bool // expectations unmet: count, but create or delete nothing
}

func newSnapshot(job *batchv1.Job, pods []*corev1.Pod, now time.Time) *snapshot {
	return &snapshot{job: job, pods: pods, now: now}
}

// event is an Event the plan posts about the Job once its status is written.
type event struct{ eventType, reason, message string }

// plan is what one sync does.
type plan struct {
	status     *batchv1.JobStatus // nil: unchanged
	release    []*corev1.Pod      // take the tracking finalizer off
	remove     []*corev1.Pod      // delete
	create     int                // pods to create
	retryAfter time.Duration      // look again then (back-off, deadline)
	events     []event
	decision   string
	desired    string
	actual     string
}

func (p plan) noop() bool {
	return p.status == nil && len(p.release) == 0 && len(p.remove) == 0 && p.create == 0
}

func (p plan) reconcile() trace.Reconcile {
	return trace.Reconcile{Controller: Name, Desired: p.desired, Actual: p.actual, Decision: p.decision}
}

// finished: the pod will not run again.
func finished(p *corev1.Pod) bool {
	return p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed || p.DeletionTimestamp != nil
}

func tracked(p *corev1.Pod) bool { return slices.Contains(p.Finalizers, batchv1.JobTrackingFinalizer) }

// plan decides the sync. opts gives the back-off.
func (s *snapshot) plan(opts Options) plan {
	job := s.job
	st := job.Status.DeepCopy()
	var p plan
	p.release = s.count(st)
	succeeded := st.Succeeded + int32(len(st.UncountedTerminatedPods.Succeeded))
	failed := st.Failed + int32(len(st.UncountedTerminatedPods.Failed))
	var active []*corev1.Pod
	var ready, terminating int32
	var restarts int32
	for _, pod := range s.pods {
		if pod.DeletionTimestamp != nil && pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed {
			terminating++
		}
		if finished(pod) {
			continue
		}
		active = append(active, pod)
		if podReady(pod) {
			ready++
		}
		for _, cs := range pod.Status.ContainerStatuses {
			restarts += cs.RestartCount
		}
	}
	st.Active, st.Ready, st.Terminating = int32(len(active)), &ready, &terminating
	completions, parallelism := job.Spec.Completions, int32(1)
	if job.Spec.Parallelism != nil {
		parallelism = *job.Spec.Parallelism
	}
	p.desired = fmt.Sprintf("%s completions, %d at a time", completionsText(completions), parallelism)
	p.actual = fmt.Sprintf("%d active, %d succeeded, %d failed", len(active), succeeded, failed)
	settled := len(st.UncountedTerminatedPods.Succeeded)+len(st.UncountedTerminatedPods.Failed) == 0 && len(p.release) == 0

	switch {
	case hasCondition(st, batchv1.JobComplete) || hasCondition(st, batchv1.JobFailed):
		p.decision = fmt.Sprintf("count %d finished pods, then let them go", len(p.release))
	case hasCondition(st, batchv1.JobFailureTarget):
		p.remove = active
		if len(active) == 0 && terminating == 0 && settled {
			c := condition(st, batchv1.JobFailureTarget)
			setCondition(st, batchv1.JobFailed, c.Reason, c.Message, s.now)
			p.events = append(p.events, event{corev1.EventTypeWarning, c.Reason, c.Message})
			p.decision = "mark the Job Failed: " + c.Reason
		} else {
			p.decision = fmt.Sprintf("stop the Job's %d pods: %s", len(active), condition(st, batchv1.JobFailureTarget).Reason)
		}
	case hasCondition(st, batchv1.JobSuccessCriteriaMet) || s.succeededEnough(succeeded, len(active)):
		setCondition(st, batchv1.JobSuccessCriteriaMet, reasonCompletions, messageCompletions, s.now)
		p.remove = active
		if len(active) == 0 && terminating == 0 && settled {
			setCondition(st, batchv1.JobComplete, reasonCompletions, messageCompletions, s.now)
			st.CompletionTime = &metav1.Time{Time: s.now.Truncate(time.Second)}
			p.events = append(p.events, event{corev1.EventTypeNormal, Completed, "Job completed"})
			p.decision = fmt.Sprintf("mark the Job Complete: %d pods succeeded", succeeded)
		} else if len(active) > 0 {
			p.decision = fmt.Sprintf("%d pods succeeded: stop the other %d", succeeded, len(active))
		} else {
			p.decision = fmt.Sprintf("count %d finished pods, then let them go", len(p.release))
		}
	case s.failedTooOften(failed+restartsIfOnFailure(job, restarts)) || s.pastDeadline(st):
		reason, message := reasonBackoffLimit, messageBackoffLimit
		if s.pastDeadline(st) {
			reason, message = reasonDeadline, messageDeadline
		}
		setCondition(st, batchv1.JobFailureTarget, reason, message, s.now)
		p.remove = active
		p.decision = fmt.Sprintf("stop the Job's %d pods: %s", len(active), reason)
	case job.Spec.Suspend != nil && *job.Spec.Suspend:
		if !hasCondition(st, batchv1.JobSuspended) {
			setCondition(st, batchv1.JobSuspended, reasonSuspended, messageSuspended, s.now)
			p.events = append(p.events, event{corev1.EventTypeNormal, Suspended, messageSuspended})
		}
		st.StartTime = nil
		p.remove = active
		p.decision = fmt.Sprintf("suspended: delete its %d running pods", len(active))
	default:
		if c := condition(st, batchv1.JobSuspended); c != nil && c.Status == corev1.ConditionTrue {
			at := metav1.Time{Time: s.now.Truncate(time.Second)}
			c.Status, c.Reason, c.Message, c.LastProbeTime, c.LastTransitionTime = corev1.ConditionFalse, reasonResumed, messageResumed, at, at
			p.events = append(p.events, event{corev1.EventTypeNormal, Resumed, messageResumed})
			st.StartTime = nil
		}
		if st.StartTime == nil {
			st.StartTime = &metav1.Time{Time: s.now.Truncate(time.Second)}
		}
		if d := job.Spec.ActiveDeadlineSeconds; d != nil {
			p.retryAfter = st.StartTime.Add(time.Duration(*d) * time.Second).Sub(s.now)
		}
		s.manage(&p, active, want(completions, parallelism, succeeded, len(active)), failed, opts)
	}
	if !equality.Semantic.DeepEqual(*st, job.Status) {
		p.status = st
	}
	if p.decision == "" {
		p.decision = fmt.Sprintf("update the Job's status: %d active, %d succeeded, %d failed", len(active), succeeded, failed)
	}
	return p
}

// count moves promised pods that have been let go into the counts, promises
// newly finished pods, and returns the pods to let go.
func (s *snapshot) count(st *batchv1.JobStatus) []*corev1.Pod {
	if st.UncountedTerminatedPods == nil {
		st.UncountedTerminatedPods = &batchv1.UncountedTerminatedPods{}
	}
	u := st.UncountedTerminatedPods
	byUID := map[types.UID]*corev1.Pod{}
	for _, p := range s.pods {
		byUID[p.UID] = p
	}
	letGo := func(uid types.UID) bool { p, ok := byUID[uid]; return !ok || !tracked(p) }
	n := len(u.Succeeded)
	u.Succeeded = slices.DeleteFunc(u.Succeeded, letGo)
	st.Succeeded += int32(n - len(u.Succeeded))
	n = len(u.Failed)
	u.Failed = slices.DeleteFunc(u.Failed, letGo)
	st.Failed += int32(n - len(u.Failed))
	var release []*corev1.Pod
	for _, p := range s.pods {
		if !tracked(p) || !finished(p) {
			continue
		}
		promised := slices.Contains(u.Succeeded, p.UID) || slices.Contains(u.Failed, p.UID)
		if !promised {
			if p.Status.Phase == corev1.PodSucceeded {
				u.Succeeded = append(u.Succeeded, p.UID)
			} else {
				u.Failed = append(u.Failed, p.UID)
			}
		}
		release = append(release, p)
	}
	return release
}

// manage sizes the active pods to want, waiting out the back-off after a failure.
func (s *snapshot) manage(p *plan, active []*corev1.Pod, want int, failed int32, opts Options) {
	if s.waiting {
		p.decision = "wait: pods created or deleted are not all seen yet"
		return
	}
	switch {
	case len(active) > want:
		p.remove = newest(active, len(active)-want)
		p.decision = fmt.Sprintf("delete %d pods", len(p.remove))
	case len(active) < want:
		if left := s.backOffLeft(failed, opts); left > 0 {
			p.retryAfter = left
			return
		}
		p.create = want - len(active)
		p.decision = fmt.Sprintf("create %d pods", p.create)
	}
}

// backOffLeft is how long the Job still waits before replacing a failed pod.
func (s *snapshot) backOffLeft(failed int32, opts Options) time.Duration {
	if failed == 0 {
		return 0
	}
	var last time.Time
	for _, p := range s.pods {
		if p.Status.Phase == corev1.PodFailed {
			last = later(last, finishedAt(p))
		}
	}
	if last.IsZero() {
		return 0
	}
	d := opts.BackOff
	for i := int32(1); i < failed && d < opts.MaxBackOff; i++ {
		d *= 2
	}
	return last.Add(min(d, opts.MaxBackOff)).Sub(s.now)
}

// finishedAt is when the pod's last container ended (or its last condition changed).
func finishedAt(p *corev1.Pod) time.Time {
	var t time.Time
	for _, cs := range p.Status.ContainerStatuses {
		if term := cs.State.Terminated; term != nil {
			t = later(t, term.FinishedAt.Time)
		}
	}
	for _, c := range p.Status.Conditions {
		t = later(t, c.LastTransitionTime.Time)
	}
	return t
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func (s *snapshot) succeededEnough(succeeded int32, active int) bool {
	if c := s.job.Spec.Completions; c != nil {
		return succeeded >= *c
	}
	return succeeded > 0 && active == 0
}

func (s *snapshot) failedTooOften(failures int32) bool {
	return s.job.Spec.BackoffLimit != nil && failures > *s.job.Spec.BackoffLimit
}

func (s *snapshot) pastDeadline(st *batchv1.JobStatus) bool {
	d := s.job.Spec.ActiveDeadlineSeconds
	return d != nil && st.StartTime != nil && !s.now.Before(st.StartTime.Add(time.Duration(*d)*time.Second))
}

// restartsIfOnFailure: with restartPolicy OnFailure a failure is a container
// restart in a running pod, and kube counts those against backoffLimit.
func restartsIfOnFailure(job *batchv1.Job, restarts int32) int32 {
	if job.Spec.Template.Spec.RestartPolicy == corev1.RestartPolicyOnFailure {
		return restarts
	}
	return 0
}

// want is how many pods should run now.
func want(completions *int32, parallelism, succeeded int32, active int) int {
	if completions == nil {
		if succeeded > 0 {
			return min(active, int(parallelism)) // no new pods once one succeeded
		}
		return int(parallelism)
	}
	return max(0, int(min(parallelism, *completions-succeeded)))
}

func completionsText(c *int32) string {
	if c == nil {
		return "any"
	}
	return fmt.Sprint(*c)
}

// newest returns the n most recently created of pods.
func newest(pods []*corev1.Pod, n int) []*corev1.Pod {
	sorted := slices.Clone(pods)
	slices.SortFunc(sorted, func(a, b *corev1.Pod) int {
		return b.CreationTimestamp.Compare(a.CreationTimestamp.Time)
	})
	return sorted[:n]
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func condition(st *batchv1.JobStatus, t batchv1.JobConditionType) *batchv1.JobCondition {
	for i := range st.Conditions {
		if st.Conditions[i].Type == t {
			return &st.Conditions[i]
		}
	}
	return nil
}

func hasCondition(st *batchv1.JobStatus, t batchv1.JobConditionType) bool {
	c := condition(st, t)
	return c != nil && c.Status == corev1.ConditionTrue
}

// setCondition makes condition t true with reason and message.
func setCondition(st *batchv1.JobStatus, t batchv1.JobConditionType, reason, message string, now time.Time) {
	at := metav1.Time{Time: now.Truncate(time.Second)}
	if c := condition(st, t); c != nil {
		if c.Status != corev1.ConditionTrue || c.Reason != reason {
			c.Status, c.Reason, c.Message, c.LastProbeTime, c.LastTransitionTime = corev1.ConditionTrue, reason, message, at, at
		}
		return
	}
	st.Conditions = append(st.Conditions, batchv1.JobCondition{Type: t, Status: corev1.ConditionTrue,
		Reason: reason, Message: message, LastProbeTime: at, LastTransitionTime: at})
}
