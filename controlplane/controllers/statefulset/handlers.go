package statefulset

// What wakes the StatefulSet controller: a change to a StatefulSet, or to a
// pod it controls (a pod becoming Ready is what lets the next ordinal be
// created; a pod gone is what lets the next one be deleted).

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

func (c *Controller) handleStatefulSets(informer cache.SharedIndexInformer) {
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			c.watched("statefulsets", "StatefulSet", trace.Added, obj)
			c.enqueue(obj)
		},
		UpdateFunc: func(old, cur any) {
			if old.(*appsv1.StatefulSet).ResourceVersion == cur.(*appsv1.StatefulSet).ResourceVersion {
				return // a resync, nothing new
			}
			c.watched("statefulsets", "StatefulSet", trace.Modified, cur)
			c.enqueue(cur)
		},
		DeleteFunc: func(obj any) {
			c.watched("statefulsets", "StatefulSet", trace.Deleted, trace.Tombstone(obj))
			c.enqueue(obj)
		},
	})
}

func (c *Controller) handlePods(informer cache.SharedIndexInformer) {
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { c.podChanged(obj.(*corev1.Pod), nil, trace.Added) },
		UpdateFunc: func(old, cur any) {
			if old.(*corev1.Pod).ResourceVersion != cur.(*corev1.Pod).ResourceVersion {
				c.podChanged(cur.(*corev1.Pod), old.(*corev1.Pod), trace.Modified)
			}
		},
		DeleteFunc: func(obj any) {
			if pod, ok := trace.Tombstone(obj).(*corev1.Pod); ok {
				c.podChanged(pod, nil, trace.Deleted)
			}
		},
	})
}

// podChanged enqueues the set that controls pod (and the one that did, if
// pod was released).
func (c *Controller) podChanged(pod, old *corev1.Pod, event string) {
	if old != nil {
		if set := c.resolveControllerRef(old); set != nil && c.resolveControllerRef(pod) == nil {
			c.enqueue(set)
		}
	}
	if set := c.resolveControllerRef(pod); set != nil {
		c.watched("pods", "Pod", event, pod)
		c.enqueue(set)
	}
}

func (c *Controller) enqueue(obj any) {
	if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
		c.queue.Add(key)
	}
}

// resolveControllerRef returns the StatefulSet that controls pod, if it is
// one we know (the same name and the same uid).
func (c *Controller) resolveControllerRef(pod *corev1.Pod) *appsv1.StatefulSet {
	ref := metav1.GetControllerOfNoCopy(pod)
	if ref == nil || ref.Kind != controllerKind.Kind {
		return nil
	}
	set, err := c.setLister.StatefulSets(pod.Namespace).Get(ref.Name)
	if err != nil || set.UID != ref.UID {
		return nil
	}
	return set
}

// watched records that an informer delivered event for obj.
func (c *Controller) watched(informer, kind, event string, obj any) {
	apiVersion := "v1"
	if kind == "StatefulSet" {
		apiVersion = "apps/v1"
	}
	trace.Watched(c.rec, apiVersion, kind, obj, trace.Watch{Controller: Name, Informer: informer, Event: event})
}
