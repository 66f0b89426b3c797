// Package namespace is the Namespace controller: it empties a namespace
// being deleted, then lets it go.
//
// In Kubernetes, `kubectl delete namespace x` does not delete x at once. The
// API server marks it (deletionTimestamp, phase Terminating) and keeps it
// while its spec.finalizers list "kubernetes". This controller sees the mark,
// deletes every object of every namespaced resource the API server serves in
// it (found through discovery, deleter.go), looks again until nothing is
// left, and then removes the "kubernetes" finalizer through the
// namespaces/{name}/finalize subresource — whereupon the API server deletes
// the namespace for good.
//
// Interface rules: as kubernetes/sample-controller. The key is the
// namespace's name; a namespace with content left is looked at again after
// remainingDelay.
package namespace

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
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
const Name = "namespace-controller"

// remainingDelay is how long to wait before looking again at a namespace
// whose content is still going (pods stopping gracefully, say).
const remainingDelay = 500 * time.Millisecond

// Controller is the Namespace controller.
type Controller struct {
	client   kubernetes.Interface
	dynamic  dynamic.Interface
	rec      *steps.Recorder
	nsLister corelisters.NamespaceLister
	nsSynced cache.InformerSynced
	queue    workqueue.TypedRateLimitingInterface[string]
}

// New returns a Namespace controller. It deletes content through dyn, since
// it must reach every resource, not only those client-go has types for.
func New(client kubernetes.Interface, dyn dynamic.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder) *Controller {
	ns := factory.Core().V1().Namespaces()
	c := &Controller{
		client: client, dynamic: dyn, rec: rec, nsLister: ns.Lister(), nsSynced: ns.Informer().HasSynced,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "namespace"}),
	}
	_, _ = ns.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { c.namespaceChanged(obj.(*corev1.Namespace), trace.Added) },
		UpdateFunc: func(old, cur any) {
			if old.(*corev1.Namespace).ResourceVersion != cur.(*corev1.Namespace).ResourceVersion {
				c.namespaceChanged(cur.(*corev1.Namespace), trace.Modified)
			}
		},
	})
	return c
}

// namespaceChanged enqueues a namespace that is being deleted.
func (c *Controller) namespaceChanged(ns *corev1.Namespace, event string) {
	if ns.DeletionTimestamp == nil {
		return
	}
	c.watched(event, ns)
	c.queue.Add(ns.Name)
}

// Run starts workers until ctx ends, and blocks until they have stopped.
func (c *Controller) Run(ctx context.Context, workers int) {
	workloop.Run(ctx, Name, c.queue, []cache.InformerSynced{c.nsSynced}, workers, c.syncNamespace)
}

// syncNamespace empties a namespace being deleted and finalizes it.
func (c *Controller) syncNamespace(ctx context.Context, name string) error {
	cached, err := c.nsLister.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if cached.DeletionTimestamp == nil || !hasFinalizer(cached) {
		return nil
	}
	ctx = c.rec.ContextFor(ctx, cached)
	left, err := c.deleteContent(ctx, cached)
	if err != nil {
		return err
	}
	d := trace.Reconcile{Desired: "namespace " + name + " empty, then gone", Actual: describe(left)}
	if len(left) > 0 {
		d.Decision = "wait for the remaining objects to go"
		c.reconciled(ctx, cached, d)
		return &contentRemainingError{left: left}
	}
	d.Decision = "remove the kubernetes finalizer"
	ns := cached.DeepCopy()
	ns.Spec.Finalizers = withoutKubernetes(ns.Spec.Finalizers)
	_, err = c.client.CoreV1().Namespaces().Finalize(c.reconciled(ctx, cached, d), ns, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

func hasFinalizer(ns *corev1.Namespace) bool {
	for _, f := range ns.Spec.Finalizers {
		if f == corev1.FinalizerKubernetes {
			return true
		}
	}
	return false
}

func withoutKubernetes(fins []corev1.FinalizerName) []corev1.FinalizerName {
	var out []corev1.FinalizerName
	for _, f := range fins {
		if f != corev1.FinalizerKubernetes {
			out = append(out, f)
		}
	}
	return out
}

// reconciled records the reconcile step for ns and returns the context its
// writes are filed under; the one place this controller shows a decision.
func (c *Controller) reconciled(ctx context.Context, ns *corev1.Namespace, d trace.Reconcile) context.Context {
	d.Controller = Name
	s := trace.Paced(ctx, c.rec, trace.ReconcileStep("v1", "Namespace", ns, d))
	if s.Trace == "" {
		return ctx
	}
	return steps.WithCause(ctx, steps.Cause{Trace: s.Trace, Parent: s.Seq})
}

// watched records that the namespaces informer delivered event for ns.
func (c *Controller) watched(event string, ns *corev1.Namespace) {
	ctx := c.rec.ContextFor(context.Background(), ns)
	c.rec.Record(ctx, trace.WatchStep("v1", "Namespace", ns, trace.Watch{Controller: Name, Informer: "namespaces", Event: event}))
}
