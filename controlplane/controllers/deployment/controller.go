// Package deployment is the Deployment controller: it turns a Deployment's
// pod template and replica count into ReplicaSets, and rolls from one
// template to the next.
//
// In Kubernetes a Deployment never creates pods. It owns ReplicaSets, one per
// pod template it has ever run (named "<deployment>-<pod-template-hash>",
// hash.go), and moves replicas between them: the ReplicaSet of the current
// template is "new", all others are "old". A sync of one Deployment
//
//  1. claims its ReplicaSets (adopting matching orphans, releasing others);
//  2. if only spec.replicas changed, scales (scale.go);
//  3. otherwise rolls out: RollingUpdate grows the new ReplicaSet and
//     shrinks the old ones within maxSurge and maxUnavailable (rolling.go);
//     Recreate scales the old ones to zero first (recreate.go);
//  4. deletes old, empty ReplicaSets beyond revisionHistoryLimit (history.go);
//  5. writes status and the Available and Progressing conditions
//     (status.go), which is what `kubectl rollout status` waits on.
//
// Every ReplicaSet carries the revision it was made for in the annotation
// deployment.kubernetes.io/revision (revision.go); `kubectl rollout history`
// lists them, and `kubectl rollout undo` copies an old ReplicaSet's template
// back into the Deployment — which makes that old ReplicaSet new again.
//
// Interface rules: as kubernetes/sample-controller (handlers enqueue keys,
// workers sync them, lister objects are never modified).
package deployment

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
	"github.com/glassplane/glassplane/controlplane/controllers/workloop"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Name is the controller's name, and the component of its Events.
const Name = "deployment-controller"

// controllerKind is the kind a ReplicaSet's owner reference names.
var controllerKind = appsv1.SchemeGroupVersion.WithKind("Deployment")

// Event reasons.
const (
	ScalingReplicaSet = "ScalingReplicaSet"
	SelectingAll      = "SelectingAll"
	FailedCreate      = "FailedCreate"
)

// Controller is the Deployment controller.
type Controller struct {
	client        kubernetes.Interface
	rec           *steps.Recorder
	causes        trace.Causes // why each key was last enqueued
	broadcaster   record.EventBroadcaster
	eventRecorder record.EventRecorder

	dLister   appslisters.DeploymentLister
	rsLister  appslisters.ReplicaSetLister
	podLister corelisters.PodLister
	synced    []cache.InformerSynced

	queue workqueue.TypedRateLimitingInterface[string]
}

// New returns a Deployment controller fed by factory's informers.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder) *Controller {
	dInformer := factory.Apps().V1().Deployments()
	rsInformer := factory.Apps().V1().ReplicaSets()
	podInformer := factory.Core().V1().Pods()
	b := record.NewBroadcaster()
	c := &Controller{
		client: client, rec: rec, broadcaster: b,
		eventRecorder: b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: Name}),
		dLister:       dInformer.Lister(), rsLister: rsInformer.Lister(), podLister: podInformer.Lister(),
		synced: []cache.InformerSynced{dInformer.Informer().HasSynced, rsInformer.Informer().HasSynced,
			podInformer.Informer().HasSynced},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "deployment"}),
	}
	c.handleDeployments(dInformer.Informer())
	c.handleReplicaSets(rsInformer.Informer())
	c.handlePods(podInformer.Informer())
	return c
}

// Run starts workers that sync Deployments until ctx ends, and blocks.
func (c *Controller) Run(ctx context.Context, workers int) {
	defer utilruntime.HandleCrash()
	c.broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.client.CoreV1().Events("")})
	defer c.broadcaster.Shutdown()
	workloop.Run(ctx, Name, c.queue, c.synced, workers, c.syncDeployment)
}

// syncDeployment reconciles one Deployment with its ReplicaSets.
func (c *Controller) syncDeployment(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	cached, err := c.dLister.Deployments(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		return nil // deleted: the garbage collector removes its ReplicaSets
	}
	if err != nil {
		return err
	}
	ctx = c.causes.Context(ctx, key, c.rec, cached)
	d := cached.DeepCopy()
	if selectsEverything(d) {
		c.eventRecorder.Eventf(d, corev1.EventTypeWarning, SelectingAll, "This deployment is selecting all pods. A non-empty selector is required.")
		return nil
	}
	rsList, err := c.claimReplicaSets(ctx, d)
	if err != nil {
		return err
	}
	plan := c.plan(d, rsList)
	ctx = c.reconciled(ctx, d, trace.Reconcile{Desired: plan.desired, Actual: plan.actual, Decision: plan.decision})
	switch plan.action {
	case actionStatusOnly:
		return c.syncStatusOnly(ctx, d, rsList)
	case actionScale:
		return c.sync(ctx, d, rsList)
	case actionRecreate:
		return c.rolloutRecreate(ctx, d, rsList)
	}
	return c.rolloutRolling(ctx, d, rsList)
}

func selectsEverything(d *appsv1.Deployment) bool {
	return d.Spec.Selector == nil || (len(d.Spec.Selector.MatchLabels) == 0 && len(d.Spec.Selector.MatchExpressions) == 0)
}

// reconciled records the reconcile step for d and returns a context whose
// writes are filed under it: the one place this controller shows a decision
// (and where a pacer will hold it).
func (c *Controller) reconciled(ctx context.Context, d *appsv1.Deployment, r trace.Reconcile) context.Context {
	r.Controller = Name
	s := trace.Paced(ctx, c.rec, trace.ReconcileStep("apps/v1", "Deployment", d, r))
	if s.Trace == "" {
		return ctx
	}
	return steps.WithCause(ctx, steps.Cause{Trace: s.Trace, Parent: s.Seq})
}

// watched records that an informer delivered event for obj.
func (c *Controller) watched(informer, kind, event string, obj any) {
	ctx := c.rec.ContextFor(context.Background(), obj)
	c.rec.Record(ctx, trace.WatchStep("apps/v1", kind, obj, trace.Watch{Controller: Name, Informer: informer, Event: event}))
}

// updateStatus writes d's status (d is the controller's own copy).
func (c *Controller) updateStatus(ctx context.Context, d *appsv1.Deployment) (*appsv1.Deployment, error) {
	return c.client.AppsV1().Deployments(d.Namespace).UpdateStatus(ctx, d, metav1.UpdateOptions{})
}
