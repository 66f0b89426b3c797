package daemonset

// What wakes the DaemonSet controller. A change to a DaemonSet enqueues it.
// A change to a pod enqueues the DaemonSet that controls it, and a pod's
// creation or deletion settles an expectation. A node added, removed, or
// changed in what placement reads (labels, taints, unschedulable) enqueues
// every DaemonSet: any of them may now want, or no longer want, a pod there.

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/cache"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

func (c *Controller) handleDaemonSets(informer cache.SharedIndexInformer) {
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			c.watched("daemonsets", "DaemonSet", trace.Added, obj)
			c.enqueue(obj)
		},
		UpdateFunc: func(old, cur any) {
			if old.(*appsv1.DaemonSet).ResourceVersion == cur.(*appsv1.DaemonSet).ResourceVersion {
				return // a resync, nothing new
			}
			c.watched("daemonsets", "DaemonSet", trace.Modified, cur)
			c.enqueue(cur)
		},
		DeleteFunc: func(obj any) {
			c.watched("daemonsets", "DaemonSet", trace.Deleted, trace.Tombstone(obj))
			c.enqueue(obj)
		},
	})
}

func (c *Controller) handlePods(informer cache.SharedIndexInformer) {
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			pod := obj.(*corev1.Pod)
			if ds := c.resolveControllerRef(pod); ds != nil {
				c.watched("pods", "Pod", trace.Added, pod)
				c.settle(ds, pod, true)
				c.enqueue(ds)
			}
		},
		UpdateFunc: func(old, cur any) {
			oldPod, pod := old.(*corev1.Pod), cur.(*corev1.Pod)
			if oldPod.ResourceVersion == pod.ResourceVersion {
				return
			}
			if ds := c.resolveControllerRef(oldPod); ds != nil && c.resolveControllerRef(pod) == nil {
				c.enqueue(ds) // released: its owner must replace it
			}
			if ds := c.resolveControllerRef(pod); ds != nil {
				c.watched("pods", "Pod", trace.Modified, pod)
				if oldPod.DeletionTimestamp == nil && pod.DeletionTimestamp != nil {
					c.settle(ds, pod, false) // a graceful deletion counts when it starts
				}
				c.enqueue(ds)
			}
		},
		DeleteFunc: func(obj any) {
			pod, ok := trace.Tombstone(obj).(*corev1.Pod)
			if !ok {
				return
			}
			if ds := c.resolveControllerRef(pod); ds != nil {
				c.watched("pods", "Pod", trace.Deleted, pod)
				if pod.DeletionTimestamp == nil {
					c.settle(ds, pod, false) // deleted at once, never seen going
				}
				c.enqueue(ds)
			}
		},
	})
}

func (c *Controller) handleNodes(informer cache.SharedIndexInformer) {
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { c.enqueueAll() },
		UpdateFunc: func(old, cur any) {
			o, n := old.(*corev1.Node), cur.(*corev1.Node)
			if !equality.Semantic.DeepEqual(o.Labels, n.Labels) || !equality.Semantic.DeepEqual(o.Spec.Taints, n.Spec.Taints) ||
				o.Spec.Unschedulable != n.Spec.Unschedulable {
				c.enqueueAll()
			}
		},
		DeleteFunc: func(obj any) { c.enqueueAll() },
	})
}

func (c *Controller) enqueue(obj any) {
	if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
		c.queue.Add(key)
	}
}

func (c *Controller) enqueueAll() {
	all, err := c.dsLister.List(labels.Everything())
	if err != nil {
		return
	}
	for _, ds := range all {
		c.enqueue(ds)
	}
}

// settle ticks off ds's expected creation (add) or deletion of pod.
func (c *Controller) settle(ds *appsv1.DaemonSet, pod *corev1.Pod, add bool) {
	key, err := cache.MetaNamespaceKeyFunc(ds)
	if err != nil {
		return
	}
	if add {
		c.expectations.CreationObserved(key)
		return
	}
	podKey, _ := cache.MetaNamespaceKeyFunc(pod)
	c.expectations.DeletionObserved(key, podKey)
}

// resolveControllerRef returns the DaemonSet that controls pod, if it is one
// we know (the same name and the same uid).
func (c *Controller) resolveControllerRef(pod *corev1.Pod) *appsv1.DaemonSet {
	ref := metav1.GetControllerOfNoCopy(pod)
	if ref == nil || ref.Kind != controllerKind.Kind {
		return nil
	}
	ds, err := c.dsLister.DaemonSets(pod.Namespace).Get(ref.Name)
	if err != nil || ds.UID != ref.UID {
		return nil
	}
	return ds
}

// watched records that an informer delivered event for obj.
func (c *Controller) watched(informer, kind, event string, obj any) {
	apiVersion := "v1"
	if kind == "DaemonSet" {
		apiVersion = "apps/v1"
	}
	trace.Watched(c.rec, apiVersion, kind, obj, trace.Watch{Controller: Name, Informer: informer, Event: event})
}
