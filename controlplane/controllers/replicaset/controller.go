// Package replicaset is the ReplicaSet controller: it keeps the number of
// pods a ReplicaSet owns equal to spec.replicas.
//
// In Kubernetes a ReplicaSet is a promise — "three pods like this template
// exist" — and this controller keeps it. It watches ReplicaSets and pods.
// Each sync of one ReplicaSet claims the pods that are its own (adopting
// matching orphans, releasing pods that no longer match; see
// controllers/controllerref), compares their number with spec.replicas,
// creates or deletes the difference, and reports what it counted in status.
//
// Interface rules (as kubernetes/sample-controller): informer handlers only
// enqueue "namespace/name" keys; workers take a key, run syncReplicaSet, and
// on error requeue it rate-limited. Objects from the listers are shared with
// the cache and are never modified (DeepCopy first). Creates and deletes are
// expected before they are made (expectations.go), so a second sync, started
// before the informer has seen the first sync's new pods, does not create
// them twice.
//
// The same controller keeps ReplicationControllers, each read as the
// ReplicaSet it means (replicationcontroller.go), as kube's does.
package replicaset

import (
	"context"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"

	"github.com/glassplane/glassplane/controlplane/controllers/expectations"
	"github.com/glassplane/glassplane/controlplane/controllers/trace"
	"github.com/glassplane/glassplane/controlplane/controllers/workloop"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Name is the controller's name, and the component of its Events.
const Name = "replicaset-controller"

// controllerKind is the kind a pod's owner reference names.
var controllerKind = appsv1.SchemeGroupVersion.WithKind("ReplicaSet")

// Event reasons.
const (
	SuccessfulCreate = "SuccessfulCreate"
	SuccessfulDelete = "SuccessfulDelete"
	FailedCreate     = "FailedCreate"
	FailedDelete     = "FailedDelete"
)

// burstReplicas bounds the pods created or deleted in one sync, as in kube.
const burstReplicas = 500

// Controller is the ReplicaSet controller.
type Controller struct {
	client        kubernetes.Interface
	rec           *steps.Recorder
	causes        trace.Causes // why each key was last enqueued
	broadcaster   record.EventBroadcaster
	eventRecorder record.EventRecorder

	kind      workload // ReplicaSets, or ReplicationControllers read as ReplicaSets
	rsSynced  cache.InformerSynced
	podLister corelisters.PodLister
	podSynced cache.InformerSynced

	queue        workqueue.TypedRateLimitingInterface[string]
	expectations *expectations.Expectations
}

// New returns a ReplicaSet controller fed by factory's informers.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder) *Controller {
	return newController(client, factory, rec, replicaSets(client, factory), Name)
}

// newController returns a controller of the workload kind, whose Events come
// from component.
func newController(client kubernetes.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder, kind workload, component string) *Controller {
	podInformer := factory.Core().V1().Pods()
	b := record.NewBroadcaster()
	c := &Controller{
		client: client, rec: rec, broadcaster: b,
		eventRecorder: b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: component}),
		kind:          kind, rsSynced: kind.informer.HasSynced,
		podLister: podInformer.Lister(), podSynced: podInformer.Informer().HasSynced,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: strings.TrimSuffix(kind.resource, "s")}),
		expectations: expectations.New(),
	}
	c.handleReplicaSets(kind.informer)
	c.handlePods(podInformer)
	return c
}

// Run starts workers that sync ReplicaSets until ctx ends, and blocks.
func (c *Controller) Run(ctx context.Context, workers int) {
	defer utilruntime.HandleCrash()
	c.broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.client.CoreV1().Events("")})
	defer c.broadcaster.Shutdown()
	workloop.Run(ctx, c.kind.name, c.queue, []cache.InformerSynced{c.rsSynced, c.podSynced}, workers, c.syncReplicaSet)
}

// syncReplicaSet brings the pods of one ReplicaSet to spec.replicas and
// reports what it found in status.
func (c *Controller) syncReplicaSet(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil // a malformed key will never sync
	}
	rs, err := c.kind.get(namespace, name)
	if apierrors.IsNotFound(err) {
		c.expectations.Forget(key)
		return nil
	}
	if err != nil {
		return err
	}
	ctx = c.causes.Context(ctx, key, c.rec, rs)
	pods, leaving, err := c.claimPods(ctx, rs)
	if err != nil {
		return err
	}
	var manageErr error
	if rs.DeletionTimestamp == nil {
		manageErr = c.manageReplicas(ctx, key, rs, pods, leaving)
	}
	now := time.Now()
	status := calculateStatus(rs, pods, now)
	replicaFailure(&status, rs, manageErr, now)
	updated, err := c.updateStatus(ctx, rs, status)
	if err != nil {
		return err
	}
	if manageErr == nil && rs.Spec.MinReadySeconds > 0 && updated.Status.ReadyReplicas == replicas(rs) &&
		updated.Status.AvailableReplicas != replicas(rs) {
		// Pods become available with time alone: look again then.
		c.queue.AddAfter(key, time.Duration(rs.Spec.MinReadySeconds)*time.Second)
	}
	return manageErr
}

func replicas(rs *appsv1.ReplicaSet) int32 {
	if rs.Spec.Replicas == nil {
		return 1
	}
	return *rs.Spec.Replicas
}

// reconciled records the reconcile step for rs and returns a context whose
// writes are filed under it. It is the one place this controller shows a
// decision (and where a pacer will hold it).
func (c *Controller) reconciled(ctx context.Context, rs *appsv1.ReplicaSet, d trace.Reconcile) context.Context {
	d.Controller = c.kind.name
	s := trace.Paced(ctx, c.rec, trace.ReconcileStep(c.kind.gvk.GroupVersion().String(), c.kind.gvk.Kind, rs, d))
	if s.Trace == "" {
		return ctx
	}
	return steps.WithCause(ctx, steps.Cause{Trace: s.Trace, Parent: s.Seq})
}

// watched records that an informer delivered event for obj.
func (c *Controller) watched(informer, kind, event string, obj any) {
	apiVersion := "v1"
	if kind == c.kind.gvk.Kind {
		apiVersion = c.kind.gvk.GroupVersion().String()
	}
	ctx := c.rec.ContextFor(context.Background(), obj)
	c.rec.Record(ctx, trace.WatchStep(apiVersion, kind, obj, trace.Watch{Controller: c.kind.name, Informer: informer, Event: event}))
}

func podsAsAny(pods []*corev1.Pod) []any {
	out := make([]any, len(pods))
	for i, p := range pods {
		out[i] = p
	}
	return out
}
