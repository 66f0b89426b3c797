package job

// What wakes the Job controller: a change to a Job enqueues it; a change to
// one of its pods enqueues the Job that controls it, and settles the
// controller's expectation when the pod is one it created or deleted. A pod
// whose Job is gone is enqueued under the Job's key too, so the sync can take
// its tracking finalizer off and let it go.

import (
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

func (c *Controller) handleJobs(informer cache.SharedIndexInformer) {
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			c.watched("Job", "jobs", trace.Added, obj)
			c.enqueueBecause(obj, obj)
		},
		UpdateFunc: func(old, cur any) {
			if old.(*batchv1.Job).ResourceVersion == cur.(*batchv1.Job).ResourceVersion {
				return
			}
			c.watched("Job", "jobs", trace.Modified, cur)
			if key, err := cache.MetaNamespaceKeyFunc(cur); err == nil {
				c.causes.NoteUpdate(key, c.rec, old, cur)
				c.queue.Add(key)
			}
		},
		DeleteFunc: func(obj any) {
			c.watched("Job", "jobs", trace.Deleted, trace.Tombstone(obj))
			if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
				c.queue.Add(key)
			}
		},
	})
}

func (c *Controller) handlePods(informer cache.SharedIndexInformer) {
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { c.podChanged(obj, trace.Added, true, false) },
		UpdateFunc: func(old, cur any) {
			o, n := old.(*corev1.Pod), cur.(*corev1.Pod)
			if o.ResourceVersion == n.ResourceVersion {
				return
			}
			c.podChanged(cur, trace.Modified, false, o.DeletionTimestamp == nil && n.DeletionTimestamp != nil)
		},
		DeleteFunc: func(obj any) { c.podChanged(trace.Tombstone(obj), trace.Deleted, false, true) },
	})
}

// podChanged enqueues the Job controlling obj. created and gone say
// whether the event settles a creation or a deletion the controller expects.
func (c *Controller) podChanged(obj any, event string, created, gone bool) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	ref := metav1.GetControllerOfNoCopy(pod)
	if ref == nil || ref.Kind != controllerKind.Kind || ref.APIVersion != controllerKind.GroupVersion().String() {
		return
	}
	key := pod.Namespace + "/" + ref.Name
	switch {
	case created:
		c.expectations.CreationObserved(key)
	case gone:
		podKey, _ := cache.MetaNamespaceKeyFunc(pod)
		c.expectations.DeletionObserved(key, podKey)
	}
	c.watched("Pod", "pods", event, pod)
	c.causes.Note(key, c.rec, pod)
	c.queue.Add(key)
}

// enqueueBecause enqueues job's key, noting trigger as the reason.
func (c *Controller) enqueueBecause(job, trigger any) {
	if key, err := cache.MetaNamespaceKeyFunc(job); err == nil {
		c.causes.Note(key, c.rec, trigger)
		c.queue.Add(key)
	}
}
