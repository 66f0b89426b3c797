package endpointslice

// What wakes the EndpointSlice controller: any change to a Service, any
// change to a pod a Service selects (before or after the change), and any
// change to one of its slices (a deleted one is written again).

import (
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/glassplane/glassplane/controlplane/controllers/endpoints"
	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

func (c *Controller) handle(services, pods, slices cache.SharedIndexInformer) {
	_, _ = services.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { c.serviceChanged(trace.Added, obj) },
		UpdateFunc: func(old, cur any) {
			if old.(*corev1.Service).ResourceVersion != cur.(*corev1.Service).ResourceVersion {
				c.serviceChanged(trace.Modified, cur)
			}
		},
		DeleteFunc: func(obj any) { c.serviceChanged(trace.Deleted, obj) },
	})
	_, _ = pods.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { c.podChanged(nil, obj.(*corev1.Pod), trace.Added) },
		UpdateFunc: func(old, cur any) {
			o, p := old.(*corev1.Pod), cur.(*corev1.Pod)
			if o.ResourceVersion != p.ResourceVersion {
				c.podChanged(o, p, trace.Modified)
			}
		},
		DeleteFunc: func(obj any) {
			if pod, ok := trace.Tombstone(obj).(*corev1.Pod); ok {
				c.podChanged(nil, pod, trace.Deleted)
			}
		},
	})
	// Any change to one of its slices wakes the Service's sync: a sync
	// that ran on a cache that had not yet seen a slice it made may have
	// made another, and the next one, seeing both, deletes the extra.
	_, _ = slices.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { c.sliceChanged(obj) },
		UpdateFunc: func(_, cur any) { c.sliceChanged(cur) },
		DeleteFunc: func(obj any) { c.sliceChanged(trace.Tombstone(obj)) },
	})
}

// sliceChanged enqueues the Service of one of this controller's slices.
func (c *Controller) sliceChanged(obj any) {
	if es, ok := obj.(*discoveryv1.EndpointSlice); ok && es.Labels[discoveryv1.LabelManagedBy] == ManagedBy {
		c.queue.Add(es.Namespace + "/" + es.Labels[discoveryv1.LabelServiceName])
	}
}

func (c *Controller) serviceChanged(event string, obj any) {
	c.watched("services", "Service", event, trace.Tombstone(obj))
	if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
		c.queue.Add(key)
	}
}

// podChanged enqueues the Services that select pod, before or after.
func (c *Controller) podChanged(old, pod *corev1.Pod, event string) {
	services := endpoints.ServicesSelecting(c.serviceLister, old, pod)
	if len(services) > 0 {
		c.watched("pods", "Pod", event, pod)
	}
	for _, svc := range services {
		c.queue.Add(svc.Namespace + "/" + svc.Name)
	}
}

// watched records that an informer delivered event for obj.
func (c *Controller) watched(informer, kind, event string, obj any) {
	trace.Watched(c.rec, "v1", kind, obj, trace.Watch{Controller: Name, Informer: informer, Event: event})
}
