// Package endpoints is the Endpoints controller: for every Service with a
// selector it keeps an Endpoints object of the same name listing the pods
// that serve it.
//
// In Kubernetes a Service is a stable name and virtual IP; the pods behind it
// come and go. This controller watches Services and pods and, for each
// Service, writes the IP of every matching pod that has one: ready pods under
// addresses, the rest under notReadyAddresses (kube-proxy sends traffic only
// to the first). Each Service port becomes an endpoint port, its targetPort
// resolved against the pod — a number as it is, a name looked up among the
// pod's container ports.
//
// Interface rules: as kubernetes/sample-controller. The key is the Service's;
// a pod change enqueues every Service in its namespace whose selector
// matches the pod before or after the change.
package endpoints

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
	"github.com/glassplane/glassplane/controlplane/controllers/workloop"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Name is the controller's name.
const Name = "endpoint-controller"

// Controller is the Endpoints controller.
type Controller struct {
	client kubernetes.Interface
	rec    *steps.Recorder

	serviceLister   corelisters.ServiceLister
	podLister       corelisters.PodLister
	endpointsLister corelisters.EndpointsLister
	synced          []cache.InformerSynced

	queue workqueue.TypedRateLimitingInterface[string]
}

// New returns an Endpoints controller fed by factory's informers.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder) *Controller {
	svc := factory.Core().V1().Services()
	pods := factory.Core().V1().Pods()
	eps := factory.Core().V1().Endpoints()
	c := &Controller{
		client: client, rec: rec,
		serviceLister: svc.Lister(), podLister: pods.Lister(), endpointsLister: eps.Lister(),
		synced: []cache.InformerSynced{svc.Informer().HasSynced, pods.Informer().HasSynced, eps.Informer().HasSynced},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "endpoint"}),
	}
	c.handleServices(svc.Informer())
	c.handlePods(pods.Informer())
	_, _ = eps.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		DeleteFunc: func(obj any) { c.enqueue(obj) }, // someone deleted it: write it again
	})
	return c
}

// Run starts workers that sync Services until ctx ends, and blocks until
// they have stopped.
func (c *Controller) Run(ctx context.Context, workers int) {
	workloop.Run(ctx, Name, c.queue, c.synced, workers, c.syncService)
}

// syncService writes the Endpoints of one Service.
func (c *Controller) syncService(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	svc, err := c.serviceLister.Services(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		// The Service is gone; so are its Endpoints.
		err := c.client.CoreV1().Endpoints(namespace).Delete(ctx, name, metav1.DeleteOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	}
	if err != nil {
		return err
	}
	if svc.Spec.Selector == nil {
		return nil // no selector: the user manages its Endpoints
	}
	ctx = c.rec.ContextFor(ctx, svc)
	pods, err := c.podLister.Pods(namespace).List(labels.SelectorFromSet(svc.Spec.Selector))
	if err != nil {
		return err
	}
	subsets := SubsetsFor(svc, pods)
	current, err := c.endpointsLister.Endpoints(namespace).Get(name)
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	want := endpointsFor(svc, subsets)
	d := trace.Reconcile{Desired: describe(want.Subsets), Actual: "no Endpoints"}
	if current != nil {
		d.Actual = describe(current.Subsets)
	}
	switch {
	case current == nil:
		d.Decision = "create Endpoints " + name
		_, err = c.client.CoreV1().Endpoints(namespace).Create(c.reconciled(ctx, svc, d), want, metav1.CreateOptions{})
	case equality.Semantic.DeepEqual(current.Subsets, want.Subsets) && equality.Semantic.DeepEqual(current.Labels, want.Labels):
		return nil // in sync: no step, no write
	default:
		d.Decision = "update Endpoints " + name
		update := current.DeepCopy()
		update.Subsets, update.Labels = want.Subsets, want.Labels
		_, err = c.client.CoreV1().Endpoints(namespace).Update(c.reconciled(ctx, svc, d), update, metav1.UpdateOptions{})
	}
	return err
}

// reconciled records the reconcile step for svc and returns the context its
// writes are filed under; the one place this controller shows a decision.
func (c *Controller) reconciled(ctx context.Context, svc *corev1.Service, d trace.Reconcile) context.Context {
	d.Controller = Name
	return trace.Decided(ctx, c.rec, "v1", "Service", svc, d)
}

// watched records that an informer delivered event for obj.
func (c *Controller) watched(informer, kind, event string, obj any) {
	trace.Watched(c.rec, "v1", kind, obj, trace.Watch{Controller: Name, Informer: informer, Event: event})
}
