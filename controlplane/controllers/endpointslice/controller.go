// Package endpointslice is the EndpointSlice controller: for every Service
// with a selector it keeps EndpointSlices (discovery.k8s.io/v1) listing the
// pods that serve it.
//
// Endpoints (one object per Service, the endpoints controller) came first;
// EndpointSlices replaced them as what kube-proxy and `kubectl describe
// service` read, because one object of every pod IP behind a big Service
// was rewritten whole on every pod change. A slice holds at most a hundred
// endpoints, and a Service has as many slices as its pods need. Each
// endpoint is one pod: its address, whether it is ready (and so serving),
// the node it runs on and a reference to the pod. A slice is labelled
// kubernetes.io/service-name, marked as this controller's with
// endpointslice.kubernetes.io/managed-by, and owned by its Service, so the
// garbage collector deletes it with the Service. A Service no pod serves yet
// still has one empty slice, as in Kubernetes.
//
// The addresses are the endpoints controller's (endpoints.SubsetsFor): a
// pod with an IP that is not being deleted or finished; each group of pods
// with the same resolved ports becomes slices of its own.
//
// Interface rules: as kubernetes/sample-controller, with the shared work
// loop (workloop). The key is the Service's; what wakes it is what wakes the
// endpoints controller, and the deletion of one of its slices.
package endpointslice

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	discoverylisters "k8s.io/client-go/listers/discovery/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"

	"github.com/glassplane/glassplane/controlplane/controllers/endpoints"
	"github.com/glassplane/glassplane/controlplane/controllers/trace"
	"github.com/glassplane/glassplane/controlplane/controllers/workloop"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Name is the controller's name.
const Name = "endpointslice-controller"

// ManagedBy is the managed-by label's value on this controller's slices.
const ManagedBy = "endpointslice-controller.k8s.io"

// maxEndpointsPerSlice is kube-controller-manager's default
// (--max-endpoints-per-slice).
const maxEndpointsPerSlice = 100

// Controller is the EndpointSlice controller.
type Controller struct {
	client kubernetes.Interface
	rec    *steps.Recorder

	serviceLister corelisters.ServiceLister
	podLister     corelisters.PodLister
	sliceLister   discoverylisters.EndpointSliceLister
	synced        []cache.InformerSynced

	queue workqueue.TypedRateLimitingInterface[string]
}

// New returns an EndpointSlice controller fed by factory's informers.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder) *Controller {
	svc := factory.Core().V1().Services()
	pods := factory.Core().V1().Pods()
	slices := factory.Discovery().V1().EndpointSlices()
	c := &Controller{
		client: client, rec: rec,
		serviceLister: svc.Lister(), podLister: pods.Lister(), sliceLister: slices.Lister(),
		synced: []cache.InformerSynced{svc.Informer().HasSynced, pods.Informer().HasSynced, slices.Informer().HasSynced},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "endpointslice"}),
	}
	c.handle(svc.Informer(), pods.Informer(), slices.Informer())
	return c
}

// Run starts workers that sync Services until ctx ends, and blocks until
// they have stopped.
func (c *Controller) Run(ctx context.Context, workers int) {
	workloop.Run(ctx, Name, c.queue, c.synced, workers, c.syncService)
}

// syncService makes the slices of one Service list its pods.
func (c *Controller) syncService(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	svc, err := c.serviceLister.Services(namespace).Get(name)
	if apierrors.IsNotFound(err) || (err == nil && svc.Spec.Selector == nil) {
		return nil // gone: the garbage collector deletes its slices; no selector: not ours
	}
	if err != nil {
		return err
	}
	pods, err := c.podLister.Pods(namespace).List(labels.SelectorFromSet(svc.Spec.Selector))
	if err != nil {
		return err
	}
	have, err := c.sliceLister.EndpointSlices(namespace).List(labels.SelectorFromSet(labels.Set{
		discoveryv1.LabelServiceName: name, discoveryv1.LabelManagedBy: ManagedBy}))
	if err != nil {
		return err
	}
	sort.Slice(have, func(i, j int) bool { return have[i].Name < have[j].Name })
	want := slicesFor(svc, endpoints.SubsetsFor(svc, pods))
	ctx = c.rec.ContextFor(ctx, svc)
	// Pair what is there with what should be, in order: change what
	// differs, make what is missing, delete what is left over.
	for i, w := range want {
		if i < len(have) {
			if err := c.update(ctx, svc, have[i], w); err != nil {
				return err
			}
			continue
		}
		d := trace.Reconcile{Desired: describe(w), Actual: "no EndpointSlice", Decision: "create an EndpointSlice for Service " + name}
		if _, err := c.client.DiscoveryV1().EndpointSlices(namespace).Create(c.reconciled(ctx, svc, d), w, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	for _, extra := range have[min(len(want), len(have)):] {
		d := trace.Reconcile{Desired: "no more slices", Actual: describe(extra), Decision: "delete EndpointSlice " + extra.Name}
		err := c.client.DiscoveryV1().EndpointSlices(namespace).Delete(c.reconciled(ctx, svc, d), extra.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	return nil
}

// update writes want into the slice cur, when they differ.
func (c *Controller) update(ctx context.Context, svc *corev1.Service, cur, want *discoveryv1.EndpointSlice) error {
	if equality.Semantic.DeepEqual(cur.Endpoints, want.Endpoints) && equality.Semantic.DeepEqual(cur.Ports, want.Ports) &&
		equality.Semantic.DeepEqual(cur.Labels, want.Labels) {
		return nil // in sync: no step, no write
	}
	d := trace.Reconcile{Desired: describe(want), Actual: describe(cur), Decision: "update EndpointSlice " + cur.Name}
	next := cur.DeepCopy()
	next.Endpoints, next.Ports, next.Labels = want.Endpoints, want.Ports, want.Labels
	_, err := c.client.DiscoveryV1().EndpointSlices(cur.Namespace).Update(c.reconciled(ctx, svc, d), next, metav1.UpdateOptions{})
	return err
}

// reconciled records the reconcile step for svc and returns the context its
// writes are filed under.
func (c *Controller) reconciled(ctx context.Context, svc *corev1.Service, d trace.Reconcile) context.Context {
	d.Controller = Name
	return trace.Decided(ctx, c.rec, "v1", "Service", svc, d)
}

// describe summarises a slice for a reconcile step: "10.0.0.5 ready, …".
func describe(es *discoveryv1.EndpointSlice) string {
	var parts []string
	for _, ep := range es.Endpoints {
		state := "ready"
		if ep.Conditions.Ready == nil || !*ep.Conditions.Ready {
			state = "not ready"
		}
		parts = append(parts, strings.Join(ep.Addresses, ",")+" "+state)
	}
	if len(parts) == 0 {
		return "no endpoints"
	}
	return fmt.Sprintf("%d endpoints: %s", len(parts), strings.Join(parts, ", "))
}
