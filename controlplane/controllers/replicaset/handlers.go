package replicaset

// What wakes the ReplicaSet controller. A change to a ReplicaSet enqueues it.
// A change to a pod enqueues the ReplicaSet that controls it — or, for an
// orphan, every ReplicaSet whose selector matches, since one of them may
// adopt it. A pod's creation or deletion also settles an expectation.

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

func (c *Controller) handleReplicaSets(informer cache.SharedIndexInformer) {
	resource, kind := c.kind.resource, c.kind.gvk.Kind
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			c.watched(resource, kind, trace.Added, obj)
			c.enqueue(obj)
		},
		UpdateFunc: func(old, cur any) {
			if old.(metav1.Object).GetResourceVersion() == cur.(metav1.Object).GetResourceVersion() {
				return // a resync, nothing new
			}
			c.watched(resource, kind, trace.Modified, cur)
			if key, err := cache.MetaNamespaceKeyFunc(cur); err == nil {
				c.causes.NoteUpdate(key, c.rec, old, cur)
				c.queue.Add(key)
			}
		},
		DeleteFunc: func(obj any) {
			c.watched(resource, kind, trace.Deleted, trace.Tombstone(obj))
			if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
				c.expectations.Forget(key)
				c.queue.Add(key)
			}
		},
	})
}

func (c *Controller) handlePods(informer coreinformers.PodInformer) {
	_, _ = informer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    c.addPod,
		UpdateFunc: c.updatePod,
		DeleteFunc: c.deletePod,
	})
}

func (c *Controller) enqueue(obj any) {
	c.enqueueBecause(obj, obj)
}

// enqueueBecause enqueues rs's key, noting that trigger (the ReplicaSet
// itself or one of its pods) is why, so the sync joins trigger's trace.
func (c *Controller) enqueueBecause(rs, trigger any) {
	if key, err := cache.MetaNamespaceKeyFunc(rs); err == nil {
		c.causes.Note(key, c.rec, trigger)
		c.queue.Add(key)
	}
}

func (c *Controller) addPod(obj any) {
	pod := obj.(*corev1.Pod)
	if pod.DeletionTimestamp != nil {
		c.deletePod(pod) // a restarted controller may first see a pod as it goes
		return
	}
	if rs := c.resolveControllerRef(pod.Namespace, metav1.GetControllerOfNoCopy(pod)); rs != nil {
		c.watched("pods", "Pod", trace.Added, pod)
		key, _ := cache.MetaNamespaceKeyFunc(rs)
		c.expectations.CreationObserved(key)
		c.enqueueBecause(rs, pod)
		return
	}
	c.enqueueMatching(pod, trace.Added)
}

func (c *Controller) updatePod(old, cur any) {
	oldPod, pod := old.(*corev1.Pod), cur.(*corev1.Pod)
	if oldPod.ResourceVersion == pod.ResourceVersion {
		return
	}
	if pod.DeletionTimestamp != nil {
		// Deleting gracefully: count it as deleted now, so a replacement is
		// made while the old one shuts down.
		c.deletePod(pod)
		return
	}
	oldRef, ref := metav1.GetControllerOfNoCopy(oldPod), metav1.GetControllerOfNoCopy(pod)
	if oldRef != nil && (ref == nil || oldRef.UID != ref.UID) {
		if rs := c.resolveControllerRef(oldPod.Namespace, oldRef); rs != nil {
			c.enqueue(rs) // released: the old owner must replace it
		}
	}
	if rs := c.resolveControllerRef(pod.Namespace, ref); rs != nil {
		c.watched("pods", "Pod", trace.Modified, pod)
		c.enqueueBecause(rs, pod)
		return
	}
	if ref == nil && (!equality.Semantic.DeepEqual(oldPod.Labels, pod.Labels) || oldRef != nil) {
		c.enqueueMatching(pod, trace.Modified)
	}
}

func (c *Controller) deletePod(obj any) {
	pod, ok := trace.Tombstone(obj).(*corev1.Pod)
	if !ok {
		return
	}
	rs := c.resolveControllerRef(pod.Namespace, metav1.GetControllerOfNoCopy(pod))
	if rs == nil {
		return
	}
	c.watched("pods", "Pod", trace.Deleted, pod)
	key, _ := cache.MetaNamespaceKeyFunc(rs)
	podKey, _ := cache.MetaNamespaceKeyFunc(pod)
	c.expectations.DeletionObserved(key, podKey)
	c.enqueueBecause(rs, pod)
}

// enqueueMatching enqueues every ReplicaSet whose selector matches an orphan.
func (c *Controller) enqueueMatching(pod *corev1.Pod, event string) {
	all, err := c.kind.list(pod.Namespace)
	if err != nil {
		return
	}
	watched := false
	for _, rs := range all {
		sel, err := metav1.LabelSelectorAsSelector(rs.Spec.Selector)
		if err != nil || sel.Empty() || !sel.Matches(labels.Set(pod.Labels)) {
			continue
		}
		if !watched {
			c.watched("pods", "Pod", event, pod)
			watched = true
		}
		c.enqueue(rs)
	}
}

// resolveControllerRef returns the ReplicaSet ref names, if it is one we know
// (the same name and the same uid).
func (c *Controller) resolveControllerRef(namespace string, ref *metav1.OwnerReference) *appsv1.ReplicaSet {
	if ref == nil || ref.Kind != c.kind.gvk.Kind {
		return nil
	}
	rs, err := c.kind.get(namespace, ref.Name)
	if err != nil || rs.UID != ref.UID {
		return nil
	}
	return rs
}
