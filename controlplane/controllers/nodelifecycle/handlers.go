package nodelifecycle

// What the controller watches, and what it remembers of the Leases.
//
// A Lease's spec.renewTime is written by the kubelet with the kubelet's
// clock. Like kube's controller, this one does not trust another machine's
// clock: it remembers when *it* saw renewTime change (the probe), and
// measures silence from there. A node it has just met (at start-up) gets the
// benefit of the doubt: its silence starts now.

import (
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/cache"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

// probe is the last renewal of a node's Lease this controller saw.
type probe struct {
	renewTime time.Time // the Lease's spec.renewTime
	seen      time.Time // when this controller saw it
}

// observe notes a Lease version; it reports whether the Lease was renewed.
func (c *Controller) observe(lease *coordinationv1.Lease, now time.Time) bool {
	var renew time.Time
	if lease.Spec.RenewTime != nil {
		renew = lease.Spec.RenewTime.Time
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.probes[lease.Name]
	if ok && p.renewTime.Equal(renew) {
		return false
	}
	c.probes[lease.Name] = probe{renewTime: renew, seen: now}
	return true
}

// silence is how long the node's Lease has not moved, as this controller saw it.
func (c *Controller) silence(node string, now time.Time) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.probes[node]
	if !ok {
		p = probe{seen: now}
		c.probes[node] = p
	}
	return now.Sub(p.seen)
}

func (c *Controller) forget(node string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.probes, node)
}

func (c *Controller) handleNodes(inf cache.SharedIndexInformer) {
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { c.queue.Add(obj.(*corev1.Node).Name) },
		UpdateFunc: func(_, obj any) { c.queue.Add(obj.(*corev1.Node).Name) },
		DeleteFunc: func(obj any) {
			if node, ok := trace.Tombstone(obj).(*corev1.Node); ok {
				c.queue.Add(node.Name)
			}
		},
	})
}

// handleLeases enqueues a node when its Lease is renewed (in kube-node-lease only).
func (c *Controller) handleLeases(inf cache.SharedIndexInformer) {
	renewed := func(obj any) {
		lease, ok := obj.(*coordinationv1.Lease)
		if ok && lease.Namespace == corev1.NamespaceNodeLease && c.observe(lease, time.Now()) {
			c.queue.Add(lease.Name)
		}
	}
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    renewed,
		UpdateFunc: func(_, obj any) { renewed(obj) },
	})
}

// handlePods enqueues the node of a pod that lands on a node with a
// NoExecute taint, so the pod's toleration is checked.
func (c *Controller) handlePods(inf cache.SharedIndexInformer) {
	check := func(obj any) {
		pod, ok := obj.(*corev1.Pod)
		if !ok || pod.Spec.NodeName == "" || pod.DeletionTimestamp != nil {
			return
		}
		if node, err := c.nodeLister.Get(pod.Spec.NodeName); err == nil && len(noExecuteTaints(node)) > 0 {
			c.queue.Add(node.Name)
		}
	}
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    check,
		UpdateFunc: func(_, obj any) { check(obj) },
	})
}

var everything = labels.Everything()

// podsOn lists the pods bound to node.
func (c *Controller) podsOn(node string) ([]*corev1.Pod, error) {
	all, err := c.podLister.List(everything)
	if err != nil {
		return nil, err
	}
	var out []*corev1.Pod
	for _, p := range all {
		if p.Spec.NodeName == node {
			out = append(out, p)
		}
	}
	return out, nil
}
