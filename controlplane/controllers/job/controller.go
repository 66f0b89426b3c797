// Package job is the Job controller: it runs a Job's pods until enough of
// them have succeeded, or until the Job has failed too often to go on.
//
// A ReplicaSet keeps pods running forever; a Job wants pods to finish. So
// its controller counts. spec.completions says how many pods must succeed
// (one, if unset), spec.parallelism how many may run at once, and
// spec.backoffLimit how many failures the Job tolerates. Each sync looks at
// the Job's pods and:
//
//  1. counts the pods that finished, the way kube does since 1.26: a Job's
//     pods carry the finalizer batch.kubernetes.io/job-tracking, so a pod
//     cannot vanish before the controller has counted it. A finished pod's
//     uid first goes into status.uncountedTerminatedPods (one status write),
//     then its finalizer comes off, and the next sync moves it into
//     status.succeeded or status.failed. A crash between any two of these
//     writes neither loses nor doubles a count (status.go);
//  2. decides whether the Job is over: enough successes (Complete), more
//     failures than backoffLimit or longer than activeDeadlineSeconds
//     (Failed, after its running pods are stopped), or suspended;
//  3. creates pods to reach min(parallelism, completions − succeeded) at
//     once, or deletes the extra. After a failure it waits before making the
//     replacement: 10 s, doubled for each failure, at most 6 minutes (kube's
//     pod failure back-off; a cluster may shorten it).
//
// Unlike kube, the controller only looks at the pods it created (their
// controller reference): the selector the API server generates for a Job
// selects its uid, so no other pod could match it anyway.
//
// Interface rules: as kubernetes/sample-controller, with the shared work
// loop (workloop) and pod expectations (expectations). The key is the Job's.
package job

import (
	"context"
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	batchlisters "k8s.io/client-go/listers/batch/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"

	"github.com/glassplane/glassplane/controlplane/controllers/expectations"
	"github.com/glassplane/glassplane/controlplane/controllers/trace"
	"github.com/glassplane/glassplane/controlplane/controllers/workloop"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Name is the controller's name.
const Name = "job-controller"

var controllerKind = batchv1.SchemeGroupVersion.WithKind("Job")

// Event reasons, as kube's job controller writes them.
const (
	SuccessfulCreate = "SuccessfulCreate"
	SuccessfulDelete = "SuccessfulDelete"
	FailedCreate     = "FailedCreate"
	Completed        = "Completed"
	Suspended        = "Suspended"
	Resumed          = "Resumed"
)

// Options tune the controller; the zero value is kube's.
type Options struct {
	// BackOff is the wait before replacing a Job's first failed pod,
	// doubled for each further failure (default 10 s).
	BackOff time.Duration
	// MaxBackOff caps it (default 6 minutes).
	MaxBackOff time.Duration
}

// Controller is the Job controller.
type Controller struct {
	client       kubernetes.Interface
	rec          *steps.Recorder
	opts         Options
	causes       trace.Causes
	broadcaster  record.EventBroadcaster
	events       record.EventRecorder
	jobLister    batchlisters.JobLister
	podLister    corelisters.PodLister
	synced       []cache.InformerSynced
	queue        workqueue.TypedRateLimitingInterface[string]
	expectations *expectations.Expectations
}

// New returns a Job controller fed by factory's informers.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder, opts Options) *Controller {
	if opts.BackOff <= 0 {
		opts.BackOff = 10 * time.Second
	}
	if opts.MaxBackOff <= 0 {
		opts.MaxBackOff = 6 * time.Minute
	}
	jobs, pods := factory.Batch().V1().Jobs(), factory.Core().V1().Pods()
	b := record.NewBroadcaster()
	c := &Controller{
		client: client, rec: rec, opts: opts, broadcaster: b,
		events:    b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: Name}),
		jobLister: jobs.Lister(), podLister: pods.Lister(),
		synced: []cache.InformerSynced{jobs.Informer().HasSynced, pods.Informer().HasSynced},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "job"}),
		expectations: expectations.New(),
	}
	c.handleJobs(jobs.Informer())
	c.handlePods(pods.Informer())
	return c
}

// Run starts workers until ctx ends, and blocks until they have stopped.
func (c *Controller) Run(ctx context.Context, workers int) {
	c.broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.client.CoreV1().Events("")})
	defer c.broadcaster.Shutdown()
	workloop.Run(ctx, Name, c.queue, c.synced, workers, c.syncJob)
}

// syncJob brings one Job's pods and status in line with its spec.
func (c *Controller) syncJob(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	job, err := c.jobLister.Jobs(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		c.expectations.Forget(key)
		return c.releaseOrphans(ctx, namespace, name)
	}
	if err != nil {
		return err
	}
	ctx = c.causes.Context(ctx, key, c.rec, job)
	pods, err := c.podsOf(job)
	if err != nil {
		return err
	}
	now := time.Now()
	s := newSnapshot(job, pods, now)
	if !c.expectations.Satisfied(key) {
		// Pods it created or deleted are not all seen yet: count, but do
		// not manage.
		s.waiting = true
	}
	plan := s.plan(c.opts)
	if plan.retryAfter > 0 {
		c.queue.AddAfter(key, plan.retryAfter)
	}
	if plan.noop() {
		return nil
	}
	ctx = trace.Decided(ctx, c.rec, "batch/v1", "Job", job, plan.reconcile())
	return c.carryOut(ctx, key, job, plan)
}

// carryOut writes what plan decided: the status first (so counts are safe
// before finalizers come off), then the pods.
func (c *Controller) carryOut(ctx context.Context, key string, job *batchv1.Job, p plan) error {
	if p.status != nil {
		next := job.DeepCopy()
		next.Status = *p.status
		if _, err := c.client.BatchV1().Jobs(job.Namespace).UpdateStatus(ctx, next, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("updating the status: %w", err)
		}
		for _, e := range p.events {
			c.events.Event(job, e.eventType, e.reason, e.message)
		}
	}
	if err := c.removeFinalizers(ctx, p.release); err != nil {
		return fmt.Errorf("letting finished pods go: %w", err)
	}
	if err := c.deletePods(ctx, key, job, p.remove); err != nil {
		return fmt.Errorf("deleting pods: %w", err)
	}
	if err := c.createPods(ctx, key, job, p.create); err != nil {
		return fmt.Errorf("creating pods: %w", err)
	}
	return nil
}

// watched records that an informer delivered event for obj.
func (c *Controller) watched(kind, informer, event string, obj any) {
	apiVersion := "v1"
	if kind == "Job" {
		apiVersion = "batch/v1"
	}
	trace.Watched(c.rec, apiVersion, kind, obj, trace.Watch{Controller: Name, Informer: informer, Event: event})
}
