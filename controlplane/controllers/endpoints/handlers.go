package endpoints

// What wakes the Endpoints controller: any change to a Service, and any
// change to a pod that a Service selects (before or after the change). The
// EndpointSlice controller wakes the same way (ServicesSelecting).

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

func (c *Controller) handleServices(informer cache.SharedIndexInformer) {
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			c.watched("services", "Service", trace.Added, obj)
			c.enqueue(obj)
		},
		UpdateFunc: func(old, cur any) {
			if old.(*corev1.Service).ResourceVersion != cur.(*corev1.Service).ResourceVersion {
				c.watched("services", "Service", trace.Modified, cur)
				c.enqueue(cur)
			}
		},
		DeleteFunc: func(obj any) {
			c.watched("services", "Service", trace.Deleted, trace.Tombstone(obj))
			c.enqueue(obj)
		},
	})
}

func (c *Controller) handlePods(informer cache.SharedIndexInformer) {
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
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
}

// podChanged enqueues the Services that select pod, before or after.
func (c *Controller) podChanged(old, pod *corev1.Pod, event string) {
	services := ServicesSelecting(c.serviceLister, old, pod)
	if len(services) > 0 {
		c.watched("pods", "Pod", event, pod)
	}
	for _, svc := range services {
		c.enqueue(svc)
	}
}

// ServicesSelecting returns the Services in pod's namespace whose selector
// matches pod, or old (the pod before a change; may be nil).
func ServicesSelecting(lister corelisters.ServiceLister, old, pod *corev1.Pod) []*corev1.Service {
	services, err := lister.Services(pod.Namespace).List(labels.Everything())
	if err != nil {
		return nil
	}
	var out []*corev1.Service
	for _, svc := range services {
		if svc.Spec.Selector == nil {
			continue
		}
		sel := labels.SelectorFromSet(svc.Spec.Selector)
		if sel.Matches(labels.Set(pod.Labels)) || (old != nil && sel.Matches(labels.Set(old.Labels))) {
			out = append(out, svc)
		}
	}
	return out
}

func (c *Controller) enqueue(obj any) {
	if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
		c.queue.Add(key)
	}
}
