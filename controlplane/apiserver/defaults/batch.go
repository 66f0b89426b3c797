// Batch defaults (kubernetes/pkg/apis/batch/v1/defaults.go).
//
// A Job you create with only a pod template runs one pod to completion:
// completions and parallelism become 1, and up to six failed pods are
// replaced before the Job gives up (backoffLimit 6). A CronJob starts its
// Jobs even while earlier ones still run (concurrencyPolicy Allow) and keeps
// the last three that succeeded and the last one that failed. Only the
// pod template inside a CronJob's jobTemplate is defaulted: its Job gets the
// Job defaults when the CronJob controller creates it.
package defaults

import (
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/utils/ptr"
)

func job(j *batchv1.Job) {
	s := &j.Spec
	if s.Completions == nil && s.Parallelism == nil {
		s.Completions = ptr.To[int32](1)
	}
	if s.Parallelism == nil {
		s.Parallelism = ptr.To[int32](1)
	}
	if s.BackoffLimit == nil {
		s.BackoffLimit = ptr.To[int32](6)
	}
	if len(j.Labels) == 0 && len(s.Template.Labels) > 0 {
		j.Labels = s.Template.Labels
	}
	if s.CompletionMode == nil {
		s.CompletionMode = ptr.To(batchv1.NonIndexedCompletion)
	}
	if s.Suspend == nil {
		s.Suspend = ptr.To(false)
	}
	if s.PodReplacementPolicy == nil {
		s.PodReplacementPolicy = ptr.To(batchv1.TerminatingOrFailed)
		if s.PodFailurePolicy != nil {
			s.PodReplacementPolicy = ptr.To(batchv1.Failed)
		}
	}
	PodTemplate(&s.Template)
}

func cronJob(cj *batchv1.CronJob) {
	s := &cj.Spec
	if s.ConcurrencyPolicy == "" {
		s.ConcurrencyPolicy = batchv1.AllowConcurrent
	}
	if s.Suspend == nil {
		s.Suspend = ptr.To(false)
	}
	if s.SuccessfulJobsHistoryLimit == nil {
		s.SuccessfulJobsHistoryLimit = ptr.To[int32](3)
	}
	if s.FailedJobsHistoryLimit == nil {
		s.FailedJobsHistoryLimit = ptr.To[int32](1)
	}
	PodTemplate(&s.JobTemplate.Spec.Template)
}
