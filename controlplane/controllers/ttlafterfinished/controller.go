// Package ttlafterfinished is the TTL-after-finished controller: it deletes
// a finished Job once spec.ttlSecondsAfterFinished have passed since it
// completed or failed, and its pods go with it (the garbage collector
// follows their owner references). Without the field, a finished Job stays
// until someone deletes it — which is why `kubectl get jobs` fills up.
//
// A sync looks at one Job: not finished, or no TTL, nothing to do; expired,
// delete it (only if it is still the same Job: the delete carries its uid
// as a precondition); else look again when it expires.
//
// Interface rules: as kubernetes/sample-controller, with the shared work
// loop. The key is the Job's.
package ttlafterfinished

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
	batchlisters "k8s.io/client-go/listers/batch/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
	"github.com/glassplane/glassplane/controlplane/controllers/workloop"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Name is the controller's name.
const Name = "ttl-after-finished-controller"

// Controller is the TTL-after-finished controller.
type Controller struct {
	client    kubernetes.Interface
	rec       *steps.Recorder
	jobLister batchlisters.JobLister
	synced    []cache.InformerSynced
	queue     workqueue.TypedRateLimitingInterface[string]
}

// New returns the controller fed by factory's Job informer.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder) *Controller {
	jobs := factory.Batch().V1().Jobs()
	c := &Controller{client: client, rec: rec, jobLister: jobs.Lister(),
		synced: []cache.InformerSynced{jobs.Informer().HasSynced},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "ttl_jobs_to_delete"}),
	}
	enqueue := func(obj any) {
		if j, ok := obj.(*batchv1.Job); ok && j.Spec.TTLSecondsAfterFinished != nil && finishedAt(j) != nil {
			if key, err := cache.MetaNamespaceKeyFunc(j); err == nil {
				c.queue.Add(key)
			}
		}
	}
	_, _ = jobs.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: enqueue, UpdateFunc: func(_, cur any) { enqueue(cur) },
	})
	return c
}

// Run starts workers until ctx ends, and blocks until they have stopped.
func (c *Controller) Run(ctx context.Context, workers int) {
	workloop.Run(ctx, Name, c.queue, c.synced, workers, c.syncJob)
}

func (c *Controller) syncJob(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	j, err := c.jobLister.Jobs(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	done := finishedAt(j)
	if j.DeletionTimestamp != nil || j.Spec.TTLSecondsAfterFinished == nil || done == nil {
		return nil
	}
	ttl := time.Duration(*j.Spec.TTLSecondsAfterFinished) * time.Second
	if left := time.Until(done.Add(ttl)); left > 0 {
		c.queue.AddAfter(key, left)
		return nil
	}
	ctx = trace.Decided(c.rec.ContextFor(ctx, j), c.rec, "batch/v1", "Job", j, trace.Reconcile{Controller: Name,
		Desired:  fmt.Sprintf("deleted %ds after it finished", *j.Spec.TTLSecondsAfterFinished),
		Actual:   "finished at " + done.UTC().Format(time.RFC3339),
		Decision: fmt.Sprintf("delete Job %s: its ttlSecondsAfterFinished has passed", j.Name)})
	err = c.client.BatchV1().Jobs(namespace).Delete(ctx, name, metav1.DeleteOptions{
		PropagationPolicy: ptr.To(metav1.DeletePropagationForeground),
		Preconditions:     &metav1.Preconditions{UID: &j.UID, ResourceVersion: &j.ResourceVersion},
	})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err // a conflict: the Job changed since the cache saw it; look again
}

// finishedAt is when the Job's Complete or Failed condition became true.
func finishedAt(j *batchv1.Job) *time.Time {
	for _, c := range j.Status.Conditions {
		if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
			t := c.LastTransitionTime.Time
			return &t
		}
	}
	return nil
}
