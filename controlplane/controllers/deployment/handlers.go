package deployment

// What wakes the Deployment controller: a change to a Deployment; a change to
// a ReplicaSet (enqueueing the Deployment that controls it, or for an orphan
// every Deployment that could adopt it); and, for the Recreate strategy, a
// pod's deletion, since the new ReplicaSet may start only when the old pods
// are gone.

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/cache"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

func (c *Controller) handleDeployments(informer cache.SharedIndexInformer) {
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			c.watched("deployments", "Deployment", trace.Added, obj)
			c.enqueue(obj)
		},
		UpdateFunc: func(old, cur any) {
			if old.(*appsv1.Deployment).ResourceVersion == cur.(*appsv1.Deployment).ResourceVersion {
				return
			}
			c.watched("deployments", "Deployment", trace.Modified, cur)
			if key, err := cache.MetaNamespaceKeyFunc(cur); err == nil {
				c.causes.NoteUpdate(key, c.rec, old, cur)
				c.queue.Add(key)
			}
		},
		DeleteFunc: func(obj any) {
			c.watched("deployments", "Deployment", trace.Deleted, trace.Tombstone(obj))
		},
	})
}

func (c *Controller) handleReplicaSets(informer cache.SharedIndexInformer) {
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { c.replicaSetChanged(nil, obj.(*appsv1.ReplicaSet), trace.Added) },
		UpdateFunc: func(old, cur any) {
			oldRS, rs := old.(*appsv1.ReplicaSet), cur.(*appsv1.ReplicaSet)
			if oldRS.ResourceVersion != rs.ResourceVersion {
				c.replicaSetChanged(oldRS, rs, trace.Modified)
			}
		},
		DeleteFunc: func(obj any) {
			if rs, ok := trace.Tombstone(obj).(*appsv1.ReplicaSet); ok {
				c.replicaSetChanged(nil, rs, trace.Deleted)
			}
		},
	})
}

// replicaSetChanged enqueues the Deployments rs matters to.
func (c *Controller) replicaSetChanged(old, rs *appsv1.ReplicaSet, event string) {
	ref := metav1.GetControllerOfNoCopy(rs)
	if old != nil {
		if oldRef := metav1.GetControllerOfNoCopy(old); oldRef != nil && (ref == nil || oldRef.UID != ref.UID) {
			if d := c.resolveControllerRef(old.Namespace, oldRef); d != nil {
				c.enqueue(d)
			}
		}
	}
	if d := c.resolveControllerRef(rs.Namespace, ref); d != nil {
		c.watched("replicasets", "ReplicaSet", event, rs)
		if old == nil {
			c.enqueueBecause(d, rs)
		} else if key, err := cache.MetaNamespaceKeyFunc(d); err == nil {
			c.causes.NoteUpdate(key, c.rec, old, rs)
			c.queue.Add(key)
		}
		return
	}
	if ref != nil || event == trace.Deleted {
		return
	}
	for _, d := range c.deploymentsMatching(rs) {
		c.enqueue(d)
	}
}

func (c *Controller) handlePods(informer cache.SharedIndexInformer) {
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		DeleteFunc: func(obj any) {
			pod, ok := trace.Tombstone(obj).(*corev1.Pod)
			if !ok {
				return
			}
			ref := metav1.GetControllerOfNoCopy(pod)
			if ref == nil || ref.Kind != "ReplicaSet" {
				return
			}
			rs, err := c.rsLister.ReplicaSets(pod.Namespace).Get(ref.Name)
			if err != nil || rs.UID != ref.UID {
				return
			}
			d := c.resolveControllerRef(rs.Namespace, metav1.GetControllerOfNoCopy(rs))
			if d != nil && d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType {
				c.enqueue(d)
			}
		},
	})
}

func (c *Controller) enqueue(obj any) {
	c.enqueueBecause(obj, obj)
}

// enqueueBecause enqueues d's key, noting that trigger (the Deployment or
// one of its ReplicaSets) is why, so the sync joins trigger's trace.
func (c *Controller) enqueueBecause(d, trigger any) {
	if key, err := cache.MetaNamespaceKeyFunc(d); err == nil {
		c.causes.Note(key, c.rec, trigger)
		c.queue.Add(key)
	}
}

// deploymentsMatching lists the Deployments whose selector matches rs.
func (c *Controller) deploymentsMatching(rs *appsv1.ReplicaSet) []*appsv1.Deployment {
	all, err := c.dLister.Deployments(rs.Namespace).List(labels.Everything())
	if err != nil {
		return nil
	}
	var out []*appsv1.Deployment
	for _, d := range all {
		sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
		if err == nil && !sel.Empty() && sel.Matches(labels.Set(rs.Labels)) {
			out = append(out, d)
		}
	}
	return out
}

// resolveControllerRef returns the Deployment ref names, if we know it.
func (c *Controller) resolveControllerRef(namespace string, ref *metav1.OwnerReference) *appsv1.Deployment {
	if ref == nil || ref.Kind != controllerKind.Kind {
		return nil
	}
	d, err := c.dLister.Deployments(namespace).Get(ref.Name)
	if err != nil || d.UID != ref.UID {
		return nil
	}
	return d
}
