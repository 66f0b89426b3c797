// Package serviceaccount is the ServiceAccount controller: every namespace
// has a ServiceAccount named "default".
//
// In Kubernetes a pod runs as a ServiceAccount, and a pod that names none
// runs as "default" — so every namespace must have one. This controller
// creates it when a namespace appears, and again if someone deletes it.
// Its key is the namespace's name.
//
// Interface rules: as kubernetes/sample-controller, with the shared work
// loop (workloop).
package serviceaccount

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
const Name = "serviceaccount-controller"

// DefaultName is the ServiceAccount every namespace gets.
const DefaultName = "default"

// Controller is the ServiceAccount controller.
type Controller struct {
	client   kubernetes.Interface
	rec      *steps.Recorder
	nsLister corelisters.NamespaceLister
	saLister corelisters.ServiceAccountLister
	synced   []cache.InformerSynced
	queue    workqueue.TypedRateLimitingInterface[string]
}

// New returns a ServiceAccount controller fed by factory's informers.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder) *Controller {
	ns := factory.Core().V1().Namespaces()
	sa := factory.Core().V1().ServiceAccounts()
	c := &Controller{
		client: client, rec: rec, nsLister: ns.Lister(), saLister: sa.Lister(),
		synced: []cache.InformerSynced{ns.Informer().HasSynced, sa.Informer().HasSynced},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "serviceaccount"}),
	}
	_, _ = ns.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			c.watched("namespaces", "Namespace", trace.Added, obj)
			c.queue.Add(obj.(*corev1.Namespace).Name)
		},
	})
	_, _ = sa.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		DeleteFunc: func(obj any) {
			if s, ok := trace.Tombstone(obj).(*corev1.ServiceAccount); ok && s.Name == DefaultName {
				c.watched("serviceaccounts", "ServiceAccount", trace.Deleted, s)
				c.queue.Add(s.Namespace)
			}
		},
	})
	return c
}

// Run starts workers until ctx ends, and blocks until they have stopped.
func (c *Controller) Run(ctx context.Context, workers int) {
	workloop.Run(ctx, Name, c.queue, c.synced, workers, c.syncNamespace)
}

// syncNamespace makes sure namespace name has its default ServiceAccount.
func (c *Controller) syncNamespace(ctx context.Context, name string) error {
	ns, err := c.nsLister.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if ns.Status.Phase != corev1.NamespaceActive || ns.DeletionTimestamp != nil {
		return nil // new content in a terminating namespace is refused anyway
	}
	if _, err := c.saLister.ServiceAccounts(name).Get(DefaultName); err == nil {
		return nil
	}
	ctx = c.reconciled(c.rec.ContextFor(ctx, ns), ns, trace.Reconcile{
		Desired: "ServiceAccount default", Actual: "none", Decision: "create ServiceAccount default",
	})
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: DefaultName, Namespace: name}}
	_, err = c.client.CoreV1().ServiceAccounts(name).Create(ctx, sa, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// reconciled records the reconcile step for ns and returns the context its
// writes are filed under; the one place this controller shows a decision.
func (c *Controller) reconciled(ctx context.Context, ns *corev1.Namespace, d trace.Reconcile) context.Context {
	d.Controller = Name
	return trace.Decided(ctx, c.rec, "v1", "Namespace", ns, d)
}

// watched records that an informer delivered event for obj.
func (c *Controller) watched(informer, kind, event string, obj any) {
	trace.Watched(c.rec, "v1", kind, obj, trace.Watch{Controller: Name, Informer: informer, Event: event})
}
