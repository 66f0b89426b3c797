// Package garbagecollector is the garbage collector: it deletes objects
// whose owners are gone, following metadata.ownerReferences.
//
// In Kubernetes, ownership is how deletion cascades. A Pod names its
// ReplicaSet as owner, the ReplicaSet names its Deployment. Deleting the
// Deployment takes one of three forms (the propagationPolicy of the delete):
//
//   - Background (the default): the Deployment goes at once; the collector
//     then finds ReplicaSets whose owner no longer exists and deletes them,
//     and in turn their pods (attemptToDelete, delete.go).
//   - Foreground: the API server keeps the Deployment, with a
//     deletionTimestamp and the finalizer "foregroundDeletion"; the collector
//     deletes its dependents that block it (blockOwnerDeletion), waits for
//     them to go, then removes the finalizer (foreground.go).
//   - Orphan: the finalizer "orphan"; the collector removes the owner
//     reference from every dependent, leaving them ownerless, then removes
//     the finalizer (orphan.go).
//
// Kubernetes builds a graph of every object of every resource. Glassplane's
// collector is simpler: it watches a fixed set of resources (graph.go:
// deployments, replicasets, pods, services, configmaps), plus the
// resources of established CRDs (custom.go), and finds dependents through an
// informer index on owner uid. Dependents of other resources are not
// collected; owners of any resource are found, through the API.
//
// Interface rules: as kubernetes/sample-controller; the queue holds
// objects (resource, namespace, name, uid), not string keys.
package garbagecollector

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
	"github.com/glassplane/glassplane/controlplane/controllers/workloop"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Name is the controller's name.
const Name = "garbage-collector-controller"

// item is one object the collector looks at.
type item struct {
	Resource  schema.GroupVersionResource
	Namespace string
	Name      string
	UID       types.UID
}

// String names the item in logs: "replicasets default/web-5d8c9".
func (it item) String() string {
	if it.Namespace == "" {
		return it.Resource.Resource + " " + it.Name
	}
	return it.Resource.Resource + " " + it.Namespace + "/" + it.Name
}

// Controller is the garbage collector.
type Controller struct {
	dynamic dynamic.Interface
	mapper  meta.ResettableRESTMapper
	rec     *steps.Recorder
	graph   []*watched // the resources whose objects the collector knows; custom.mu guards it
	custom  customGraph
	queue   workqueue.TypedRateLimitingInterface[item]
}

// New returns a garbage collector fed by factory's informers. It deletes and
// patches through dyn, and maps owner kinds to resources with mapper.
func New(dyn dynamic.Interface, mapper meta.ResettableRESTMapper, factory informers.SharedInformerFactory, rec *steps.Recorder) *Controller {
	c := &Controller{
		dynamic: dyn, mapper: mapper, rec: rec,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[item](),
			workqueue.TypedRateLimitingQueueConfig[item]{Name: "garbage_collector"}),
	}
	c.graph = watchedResources(factory)
	for _, w := range c.graph {
		c.handle(w)
	}
	return c
}

// Run starts workers until ctx ends, and blocks until they have stopped.
func (c *Controller) Run(ctx context.Context, workers int) {
	graph := c.watchedNow()
	synced := make([]cache.InformerSynced, len(graph))
	for i, w := range graph {
		synced[i] = w.informer.HasSynced
	}
	c.watchCustomResources(ctx)
	workloop.Run(ctx, Name, c.queue, synced, workers, c.syncItem)
}

// syncItem decides what one object needs: an owner waiting on it in
// foreground or orphan deletion is finished; a dependent whose owners are
// gone is deleted.
func (c *Controller) syncItem(ctx context.Context, it item) error {
	w := c.watchedFor(it.Resource)
	if w == nil {
		return nil
	}
	obj, ok := w.get(it.Namespace, it.Name)
	if !ok || obj.GetUID() != it.UID {
		return nil // gone already; its dependents were enqueued when it went
	}
	ctx = c.rec.ContextFor(ctx, obj)
	if obj.GetDeletionTimestamp() != nil {
		switch {
		case hasFinalizer(obj, orphanFinalizer):
			return c.orphanDependents(ctx, w, obj)
		case hasFinalizer(obj, foregroundFinalizer):
			return c.processDeletingDependents(ctx, w, obj)
		}
		return nil
	}
	if len(obj.GetOwnerReferences()) == 0 {
		return nil
	}
	return c.attemptToDelete(ctx, w, obj)
}

// reconciled records the reconcile step for obj and returns the context its
// writes are filed under; the one place the collector shows a decision.
func (c *Controller) reconciled(ctx context.Context, w *watched, obj any, d trace.Reconcile) context.Context {
	d.Controller = Name
	s := trace.Paced(ctx, c.rec, trace.ReconcileStep(w.gvk.GroupVersion().String(), w.gvk.Kind, obj, d))
	if s.Trace == "" {
		return ctx
	}
	return steps.WithCause(ctx, steps.Cause{Trace: s.Trace, Parent: s.Seq})
}

// watched records that an informer delivered event for obj.
func (c *Controller) watchedStep(w *watched, event string, obj any) {
	ctx := c.rec.ContextFor(context.Background(), obj)
	c.rec.Record(ctx, trace.WatchStep(w.gvk.GroupVersion().String(), w.gvk.Kind, obj,
		trace.Watch{Controller: Name, Informer: w.gvr.Resource, Event: event}))
}
