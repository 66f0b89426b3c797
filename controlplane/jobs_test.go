package controlplane_test

// Jobs and CronJobs through both real kubectls: a Job whose command ends
// completes and its log shows what the command printed; one whose command
// fails is retried until backoffLimit and then fails with kube's reason; a
// parallel Job runs no more pods at once than its parallelism; a finished
// Job with a TTL goes away with its pods; a deleted Job's pods are let go.
// A CronJob (on a clock that runs sixty times faster, so a minute is a
// second) starts a Job at each scheduled time, keeps only its history, and
// with Forbid skips a time while its Job still runs.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/controllers/cronjob"
	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

const failingJob = `apiVersion: batch/v1
kind: Job
metadata:
  name: fails
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: try
        image: busybox
        command: ["sh", "-c", "echo trying; false"]
`

const parallelJob = `apiVersion: batch/v1
kind: Job
metadata:
  name: batch
spec:
  completions: 4
  parallelism: 2
  ttlSecondsAfterFinished: 1
  template:
    spec:
      restartPolicy: OnFailure
      containers:
      - name: work
        image: busybox
        command: ["sh", "-c", "sleep 1; echo piece"]
`

// slowCronJob's Jobs run for an hour, and it forbids overlap.
const slowCronJob = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: slow
spec:
  schedule: "*/1 * * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: sleep
            image: busybox
            command: ["sleep", "3600"]
`

func getJob(t *testing.T, cs kubernetes.Interface, name string) *batchv1.Job {
	t.Helper()
	j, err := cs.BatchV1().Jobs("default").Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func jobPods(t *testing.T, cs kubernetes.Interface, job string) []corev1.Pod {
	t.Helper()
	pods, err := cs.CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{LabelSelector: "batch.kubernetes.io/job-name=" + job})
	if err != nil {
		t.Fatal(err)
	}
	return pods.Items
}

func TestJobsCompleteFailAndRunInParallelWithBothKubectls(t *testing.T) {
	t.Parallel()
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := testcluster.StartCascade(t)
			cs := c.Client("admin")
			must := kubectlRunner(t, c, bin)

			// A Job whose command ends completes, and its log is the command's output.
			must("", "create", "job", "done", "--image=busybox", "--", "sh", "-c", "echo done")
			must("", "wait", "--for=condition=complete", "job/done", "--timeout=60s")
			if out := must("", "get", "job", "done"); !strings.Contains(out, "Complete") || !strings.Contains(out, "1/1") {
				t.Errorf("kubectl get job done:\n%s", out)
			}
			if out := must("", "logs", "job/done"); strings.TrimSpace(out) != "done" {
				t.Errorf("kubectl logs job/done = %q, want done", out)
			}
			j := getJob(t, cs, "done")
			if j.Status.Succeeded != 1 || j.Status.CompletionTime == nil || j.Spec.Selector.MatchLabels[batchv1.ControllerUidLabel] != string(j.UID) {
				t.Errorf("job done: succeeded %d, completionTime %v, selector %v", j.Status.Succeeded, j.Status.CompletionTime, j.Spec.Selector)
			}
			for _, p := range jobPods(t, cs, "done") {
				if len(p.Finalizers) != 0 {
					t.Errorf("counted pod %s still has finalizers %v", p.Name, p.Finalizers)
				}
			}

			// A failing Job is retried backoffLimit times, then fails.
			must(failingJob, "apply", "-f", "-")
			must("", "wait", "--for=condition=failed", "job/fails", "--timeout=60s")
			j = getJob(t, cs, "fails")
			if j.Status.Failed != 3 || j.Status.Succeeded != 0 {
				t.Errorf("job fails: failed %d succeeded %d, want 3 failed (backoffLimit 2)", j.Status.Failed, j.Status.Succeeded)
			}
			if c := jobCondition(j, batchv1.JobFailed); c == nil || c.Reason != "BackoffLimitExceeded" || c.Message != "Job has reached the specified backoff limit" {
				t.Errorf("job fails: Failed condition %+v", c)
			}
			if out := must("", "describe", "job", "fails"); !strings.Contains(out, "BackoffLimitExceeded") || !strings.Contains(out, "3 Failed") {
				t.Errorf("kubectl describe job fails:\n%s", out)
			}

			// A parallel Job: 4 completions, at most 2 pods at once; its TTL then removes it and its pods.
			must(parallelJob, "apply", "-f", "-")
			most := 0
			waitFor(t, "job batch to complete", func() (bool, string) {
				j, err := cs.BatchV1().Jobs("default").Get(context.Background(), "batch", metav1.GetOptions{})
				if err != nil {
					return false, err.Error()
				}
				most = max(most, int(j.Status.Active))
				return j.Status.Succeeded == 4 && jobCondition(j, batchv1.JobComplete) != nil, fmt.Sprintf("%+v", j.Status)
			})
			if most > 2 {
				t.Errorf("job batch ran %d pods at once; parallelism is 2", most)
			}
			waitFor(t, "the finished job batch to be deleted after its TTL", func() (bool, string) {
				_, err := cs.BatchV1().Jobs("default").Get(context.Background(), "batch", metav1.GetOptions{})
				return apierrors.IsNotFound(err), fmt.Sprint(err)
			})

			// Deleting a Job deletes its pods: none is held by the tracking finalizer.
			must("", "delete", "job", "fails")
			waitFor(t, "the pods of job fails to go", func() (bool, string) {
				pods := jobPods(t, cs, "fails")
				return len(pods) == 0, fmt.Sprintf("%d pods left", len(pods))
			})
		})
	}
}

func jobCondition(j *batchv1.Job, t batchv1.JobConditionType) *batchv1.JobCondition {
	for i, c := range j.Status.Conditions {
		if c.Type == t && c.Status == corev1.ConditionTrue {
			return &j.Status.Conditions[i]
		}
	}
	return nil
}

func TestCronJobsFireKeepTheirHistoryAndForbidOverlapWithBothKubectls(t *testing.T) {
	t.Parallel()
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			timing := controlplane.TestTiming
			timing.CronJobClock = cronjob.Accelerated{Start: time.Now(), Speed: 60}
			c := testcluster.StartWith(t, controlplane.Config{Timing: &timing})
			cs := c.Client("admin")
			ctx := context.Background()
			must := kubectlRunner(t, c, bin)

			must("", "create", "cronjob", "tick", "--image=busybox", "--schedule=*/1 * * * *", "--", "echo", "tick")
			must("", "patch", "cronjob", "tick", "--type=merge", "-p", `{"spec":{"successfulJobsHistoryLimit":2}}`)
			waitFor(t, "cronjob tick to have run four Jobs", func() (bool, string) {
				cj, err := cs.BatchV1().CronJobs("default").Get(ctx, "tick", metav1.GetOptions{})
				if err != nil || cj.Status.LastSuccessfulTime == nil {
					return false, fmt.Sprint(err)
				}
				events, _ := cs.CoreV1().Events("default").List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=tick,reason=SuccessfulCreate"})
				return len(events.Items) > 0 && int(events.Items[0].Count)+len(events.Items)-1 >= 4, fmt.Sprintf("%d create events", len(events.Items))
			})
			jobs, err := cs.BatchV1().Jobs("default").List(ctx, metav1.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			finished := 0
			for _, j := range jobs.Items {
				if !strings.HasPrefix(j.Name, "tick-") || metav1.GetControllerOf(&j) == nil {
					t.Errorf("job %s is not a Job of cronjob tick", j.Name)
				}
				if jobCondition(&j, batchv1.JobComplete) != nil {
					finished++
				}
			}
			if finished > 3 { // 2 kept, and at most one finishing as this list was taken
				t.Errorf("%d finished Jobs kept; successfulJobsHistoryLimit is 2", finished)
			}
			if out := must("", "get", "cronjob", "tick"); !strings.Contains(out, "*/1 * * * *") || !strings.Contains(out, "False") {
				t.Errorf("kubectl get cronjob tick:\n%s", out)
			}
			must("", "create", "job", "by-hand", "--from=cronjob/tick")
			must("", "wait", "--for=condition=complete", "job/by-hand", "--timeout=60s")

			// Forbid: while a Job still runs, the next time is skipped.
			if out, err := c.Kubectl(bin, "admin", slowCronJob, "apply", "-f", "-"); err != nil {
				t.Fatalf("kubectl apply: %v\n%s", err, out)
			}
			waitFor(t, "cronjob slow to skip a time", func() (bool, string) {
				events, _ := cs.CoreV1().Events("default").List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=slow,reason=JobAlreadyActive"})
				return len(events.Items) > 0, "no JobAlreadyActive event"
			})
			cj, err := cs.BatchV1().CronJobs("default").Get(ctx, "slow", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(cj.Status.Active) != 1 {
				t.Errorf("cronjob slow with Forbid has %d active Jobs, want 1", len(cj.Status.Active))
			}
		})
	}
}

// A Job's whole life is one story: the pod the Job controller creates, its
// scheduling, its run and exit, and the controller counting it and marking
// the Job Complete all join the trace of the `kubectl create job` that
// started it.
func TestAJobsWholeLifeJoinsTheTraceOfItsCreate(t *testing.T) {
	t.Parallel()
	c := testcluster.StartCascade(t)
	cs := c.Client("admin")
	bin := []string{testcluster.GlassplaneBinary(t), "kubectl"}
	if out, err := c.Kubectl(bin, "admin", "", "create", "job", "once", "--image=busybox", "--", "echo", "once"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	waitFor(t, "job once to complete", func() (bool, string) {
		j, err := cs.BatchV1().Jobs("default").Get(context.Background(), "once", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return jobCondition(j, batchv1.JobComplete) != nil, fmt.Sprintf("%+v", j.Status)
	})
	var trace []steps.Step
	want := []string{"create 1 pods", "scheduler.bind", "kubelet.pod.started", "kubelet.pod.exited", "count 1 finished pods", "mark the Job Complete"}
	waitFor(t, "the trace to hold the Job's whole life", func() (bool, string) {
		trace = traceWith(c.Steps.Since(0, 0), "create", "jobs.batch", "201")
		var seen []string
		for _, s := range trace {
			seen = append(seen, s.Message.Key+" "+s.Message.Args["decision"])
		}
		text := strings.Join(seen, "\n")
		for _, w := range want {
			if !strings.Contains(text, w) {
				return false, "no " + w + " in\n" + text
			}
		}
		return true, ""
	})
	t.Logf("one `kubectl create job` of a one-pod Job: %d steps in its trace", len(trace))
}
