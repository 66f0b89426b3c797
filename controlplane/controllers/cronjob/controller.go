// Package cronjob is the CronJob controller: at each time a CronJob's
// schedule names, it creates a Job from the CronJob's jobTemplate.
//
// Each sync of a CronJob:
//
//  1. reconciles status.active with the Jobs it owns: a Job that finished
//     leaves the list (event SawCompletedJob), and a successful one moves
//     status.lastSuccessfulTime;
//  2. finds the most recent time the schedule named since it last started a
//     Job (or since it was created). None: it sleeps until the next one. A
//     time older than startingDeadlineSeconds is missed, not run late;
//  3. applies concurrencyPolicy when an earlier Job still runs: Allow starts
//     another, Forbid skips this time (event JobAlreadyActive), Replace
//     deletes the running Jobs first;
//  4. creates the Job, named <cronjob>-<scheduled time in minutes since
//     1970> — so a second sync for the same time finds it exists instead of
//     starting it twice — and records lastScheduleTime;
//  5. deletes the oldest finished Jobs beyond successfulJobsHistoryLimit and
//     failedJobsHistoryLimit (their pods go with them: the garbage
//     collector follows the owner references).
//
// The schedule is a standard five-field cron line, parsed by
// github.com/robfig/cron/v3 as kube does, in spec.timeZone if set (else the
// controller's local time zone).
//
// Interface rules: as kubernetes/sample-controller, with the shared work
// loop. The key is the CronJob's.
package cronjob

import (
	"context"
	"slices"
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
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
	"github.com/glassplane/glassplane/controlplane/controllers/workloop"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Name is the controller's name.
const Name = "cronjob-controller"

var controllerKind = batchv1.SchemeGroupVersion.WithKind("CronJob")

// Clock is the controller's time. The real one is Real; a test may run
// time faster, so that a schedule of every minute fires every second.
type Clock interface {
	Now() time.Time
	// Wait is the real time to wait for d of this clock's time to pass.
	Wait(d time.Duration) time.Duration
}

// Real is the wall clock.
type Real struct{}

func (Real) Now() time.Time                     { return time.Now() }
func (Real) Wait(d time.Duration) time.Duration { return d }

// Accelerated runs Speed times faster than the wall clock from Start: at
// Speed 60 a schedule of every minute fires every second.
type Accelerated struct {
	Start time.Time
	Speed float64
}

func (a Accelerated) Now() time.Time {
	return a.Start.Add(time.Duration(float64(time.Since(a.Start)) * a.Speed))
}

func (a Accelerated) Wait(d time.Duration) time.Duration { return time.Duration(float64(d) / a.Speed) }

// Controller is the CronJob controller.
type Controller struct {
	client      kubernetes.Interface
	rec         *steps.Recorder
	clock       Clock
	causes      trace.Causes
	broadcaster record.EventBroadcaster
	events      record.EventRecorder
	cjLister    batchlisters.CronJobLister
	jobLister   batchlisters.JobLister
	synced      []cache.InformerSynced
	queue       workqueue.TypedRateLimitingInterface[string]
}

// New returns a CronJob controller fed by factory's informers; clock nil is Real.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder, clock Clock) *Controller {
	if clock == nil {
		clock = Real{}
	}
	cjs, jobs := factory.Batch().V1().CronJobs(), factory.Batch().V1().Jobs()
	b := record.NewBroadcaster()
	c := &Controller{
		client: client, rec: rec, clock: clock, broadcaster: b,
		events:   b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: Name}),
		cjLister: cjs.Lister(), jobLister: jobs.Lister(),
		synced: []cache.InformerSynced{cjs.Informer().HasSynced, jobs.Informer().HasSynced},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "cronjob"}),
	}
	_, _ = cjs.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { c.watched("CronJob", "cronjobs", trace.Added, obj); c.enqueue(obj, obj) },
		UpdateFunc: func(old, cur any) {
			if old.(*batchv1.CronJob).ResourceVersion != cur.(*batchv1.CronJob).ResourceVersion {
				c.watched("CronJob", "cronjobs", trace.Modified, cur)
				if key, err := cache.MetaNamespaceKeyFunc(cur); err == nil {
					c.causes.NoteUpdate(key, c.rec, old, cur)
					c.queue.Add(key)
				}
			}
		},
	})
	_, _ = jobs.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { c.jobChanged(obj, trace.Added) },
		UpdateFunc: func(_, cur any) { c.jobChanged(cur, trace.Modified) },
		DeleteFunc: func(obj any) { c.jobChanged(trace.Tombstone(obj), trace.Deleted) },
	})
	return c
}

// Run starts workers until ctx ends, and blocks until they have stopped.
func (c *Controller) Run(ctx context.Context, workers int) {
	c.broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.client.CoreV1().Events("")})
	defer c.broadcaster.Shutdown()
	workloop.Run(ctx, Name, c.queue, c.synced, workers, c.syncCronJob)
}

// jobChanged enqueues the CronJob that owns a Job, when the Job started or finished.
func (c *Controller) jobChanged(obj any, event string) {
	job, ok := obj.(*batchv1.Job)
	if !ok {
		return
	}
	ref := ownerOf(job)
	if ref == nil {
		return
	}
	if event == trace.Modified && !finished(job) {
		return // only its start and its end matter here
	}
	cj, err := c.cjLister.CronJobs(job.Namespace).Get(ref.Name)
	if err != nil || cj.UID != ref.UID {
		return
	}
	c.watched("Job", "jobs", event, job)
	c.enqueue(cj, job)
}

func (c *Controller) enqueue(cj, trigger any) {
	if key, err := cache.MetaNamespaceKeyFunc(cj); err == nil {
		c.causes.Note(key, c.rec, trigger)
		c.queue.Add(key)
	}
}

// syncCronJob does one round of the CronJob's schedule.
func (c *Controller) syncCronJob(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	cj, err := c.cjLister.CronJobs(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	ctx = c.causes.Context(ctx, key, c.rec, cj)
	jobs, err := c.jobsOf(cj)
	if err != nil {
		return err
	}
	if jobs, err = c.confirmActive(ctx, cj, jobs); err != nil {
		return err
	}
	r := round{cj: cj, jobs: jobs, now: c.clock.Now()}
	next, err := c.runRound(ctx, &r)
	if next > 0 {
		c.queue.AddAfter(key, c.clock.Wait(next)+100*time.Millisecond)
	}
	return err
}

// confirmActive adds to jobs the Jobs of status.active that the informer has
// not delivered yet, asking the API server (as kube does before it calls an
// active Job missing): a Job created a moment ago still runs, and Forbid
// must see it.
func (c *Controller) confirmActive(ctx context.Context, cj *batchv1.CronJob, jobs []*batchv1.Job) ([]*batchv1.Job, error) {
	for _, ref := range cj.Status.Active {
		if slices.ContainsFunc(jobs, func(j *batchv1.Job) bool { return j.UID == ref.UID }) {
			continue
		}
		j, err := c.client.BatchV1().Jobs(cj.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
		case err != nil:
			return nil, err
		case j.UID == ref.UID:
			jobs = append(jobs, j)
		}
	}
	return jobs, nil
}

// watched records that an informer delivered event for obj.
func (c *Controller) watched(kind, informer, event string, obj any) {
	trace.Watched(c.rec, "batch/v1", kind, obj, trace.Watch{Controller: Name, Informer: informer, Event: event})
}
