// Package daemonset is the DaemonSet controller: it keeps one pod of each
// DaemonSet on every node that should run it.
//
// In Kubernetes a DaemonSet is for what every node needs — a log shipper, a
// network agent, a node exporter. It has no replica count: the nodes are the
// count. The controller watches DaemonSets, their pods and the nodes; each
// sync of one DaemonSet claims the pods that are its own, finds for every
// node whether it should run the pod (placement.go), creates a pod for each
// node that lacks one and deletes those on nodes that no longer want them
// (pods.go), replaces old pods a few at a time when the template changed
// (rolling.go), and reports the counts in status (status.go). Each template
// is kept as a ControllerRevision (controllers/history).
//
// Interface rules (as kubernetes/sample-controller, with the shared work
// loop): informer handlers only enqueue "namespace/name" keys; a change to
// any node enqueues every DaemonSet. Objects from the listers are shared
// with the cache and are never modified. Creates and deletes are expected
// before they are made (the shared expectations package).
package daemonset

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"

	"github.com/glassplane/glassplane/controlplane/controllers/deployment"
	"github.com/glassplane/glassplane/controlplane/controllers/expectations"
	"github.com/glassplane/glassplane/controlplane/controllers/history"
	"github.com/glassplane/glassplane/controlplane/controllers/trace"
	"github.com/glassplane/glassplane/controlplane/controllers/workloop"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Name is the controller's name, and the component of its Events.
const Name = "daemonset-controller"

// controllerKind is the kind a pod's owner reference names.
var controllerKind = appsv1.SchemeGroupVersion.WithKind("DaemonSet")

// Event reasons, as kube's.
const (
	SuccessfulCreate = "SuccessfulCreate"
	SuccessfulDelete = "SuccessfulDelete"
	FailedCreate     = "FailedCreate"
	FailedDelete     = "FailedDelete"
	FailedDaemonPod  = "FailedDaemonPod"
)

// Controller is the DaemonSet controller.
type Controller struct {
	client        kubernetes.Interface
	rec           *steps.Recorder
	broadcaster   record.EventBroadcaster
	eventRecorder record.EventRecorder

	dsLister       appslisters.DaemonSetLister
	podLister      corelisters.PodLister
	nodeLister     corelisters.NodeLister
	revisionLister appslisters.ControllerRevisionLister
	synced         []cache.InformerSynced

	queue        workqueue.TypedRateLimitingInterface[string]
	expectations *expectations.Expectations
}

// New returns a DaemonSet controller fed by factory's informers.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder) *Controller {
	dss := factory.Apps().V1().DaemonSets()
	pods := factory.Core().V1().Pods()
	nodes := factory.Core().V1().Nodes()
	revisions := factory.Apps().V1().ControllerRevisions()
	b := record.NewBroadcaster()
	c := &Controller{
		client: client, rec: rec, broadcaster: b,
		eventRecorder: b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: Name}),
		dsLister:      dss.Lister(), podLister: pods.Lister(), nodeLister: nodes.Lister(), revisionLister: revisions.Lister(),
		synced: []cache.InformerSynced{dss.Informer().HasSynced, pods.Informer().HasSynced, nodes.Informer().HasSynced,
			revisions.Informer().HasSynced},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "daemonset"}),
		expectations: expectations.New(),
	}
	c.handleDaemonSets(dss.Informer())
	c.handlePods(pods.Informer())
	c.handleNodes(nodes.Informer())
	return c
}

// Run starts workers that sync DaemonSets until ctx ends, and blocks.
func (c *Controller) Run(ctx context.Context, workers int) {
	c.broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.client.CoreV1().Events("")})
	defer c.broadcaster.Shutdown()
	workloop.Run(ctx, Name, c.queue, c.synced, workers, c.syncDaemonSet)
}

// syncDaemonSet places one DaemonSet's pods, rolls them to its template,
// and reports what it found in status.
func (c *Controller) syncDaemonSet(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil // a malformed key will never sync
	}
	ds, err := c.dsLister.DaemonSets(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		c.expectations.Forget(key)
		return nil
	}
	if err != nil {
		return err
	}
	nodes, err := c.nodeLister.List(labels.Everything())
	if err != nil {
		return err
	}
	pods, err := c.claimPods(ctx, ds)
	if err != nil {
		return err
	}
	ctx = c.rec.ContextFor(ctx, ds)
	hash := deployment.ComputeHash(&ds.Spec.Template, ds.Status.CollisionCount)
	if ds.DeletionTimestamp == nil {
		if err := c.keepHistory(ctx, ds, hash, pods); err != nil {
			return err
		}
	}
	byNode := podsByNode(pods)
	now := time.Now()
	status := calculateStatus(ds, nodes, byNode, hash, now) // what the pods are now; the writes below show later
	decided := false
	var syncErr error
	switch {
	case ds.DeletionTimestamp != nil:
	case !c.expectations.Satisfied(key):
		adds, dels := c.expectations.Outstanding(key)
		c.decide(ctx, ds, status, fmt.Sprintf("wait: %d creations and %d deletions not yet seen", adds, dels))
		decided = true
	default:
		decided, syncErr = c.placePods(ctx, key, ds, status, nodes, byNode, hash)
		if !decided && ds.Spec.UpdateStrategy.Type == appsv1.RollingUpdateDaemonSetStrategyType {
			decided, syncErr = c.rollingUpdate(ctx, key, ds, status, byNode, hash, now)
		}
	}
	if err := c.updateStatus(ctx, ds, status, decided); err != nil {
		return err
	}
	if syncErr == nil && ds.Spec.MinReadySeconds > 0 && status.NumberReady != status.NumberAvailable {
		// Pods become available with time alone: look again then.
		c.queue.AddAfter(key, time.Duration(ds.Spec.MinReadySeconds)*time.Second)
	}
	return syncErr
}

// keepHistory records the template as a ControllerRevision (for `kubectl
// rollout history` and `undo`) and drops old ones no pod runs.
func (c *Controller) keepHistory(ctx context.Context, ds *appsv1.DaemonSet, hash string, pods []*corev1.Pod) error {
	owned, err := history.Owned(c.revisionLister, ds)
	if err != nil {
		return err
	}
	revLabels := labels.Merge(ds.Spec.Template.Labels, labels.Set{appsv1.DefaultDaemonSetUniqueLabelKey: hash})
	if err := history.Ensure(ctx, c.client, ds, controllerKind, &ds.Spec.Template, ds.Name+"-"+hash, revLabels, owned); err != nil {
		return err
	}
	live := sets.New(ds.Name + "-" + hash)
	for _, p := range pods {
		live.Insert(ds.Name + "-" + p.Labels[appsv1.DefaultDaemonSetUniqueLabelKey])
	}
	return history.Truncate(ctx, c.client, owned, live, history.Limit(ds.Spec.RevisionHistoryLimit))
}

// updateStatus writes status if it changed; when the sync decided nothing
// else, the write is its decision.
func (c *Controller) updateStatus(ctx context.Context, ds *appsv1.DaemonSet, status appsv1.DaemonSetStatus, decided bool) error {
	if apiequality.Semantic.DeepEqual(ds.Status, status) {
		return nil
	}
	if !decided {
		ctx = c.decide(ctx, ds, status, fmt.Sprintf("report status: %d of %d pods ready, %d up to date",
			status.NumberReady, status.DesiredNumberScheduled, status.UpdatedNumberScheduled))
	}
	next := ds.DeepCopy()
	next.Status = status
	_, err := c.client.AppsV1().DaemonSets(ds.Namespace).UpdateStatus(ctx, next, metav1.UpdateOptions{})
	return err
}

// decide records the controller's decision for ds and returns a context
// whose writes are filed under it: the one place this controller shows a
// decision (and where a pacer holds it).
func (c *Controller) decide(ctx context.Context, ds *appsv1.DaemonSet, found appsv1.DaemonSetStatus, decision string) context.Context {
	d := trace.Reconcile{Controller: Name,
		Desired:  fmt.Sprintf("a pod on each of %d nodes", found.DesiredNumberScheduled),
		Actual:   fmt.Sprintf("%d pods scheduled, %d ready, %d up to date", found.CurrentNumberScheduled, found.NumberReady, found.UpdatedNumberScheduled),
		Decision: decision}
	return trace.Decided(ctx, c.rec, "apps/v1", "DaemonSet", ds, d)
}
