// Package nodelifecycle is the node lifecycle controller: the part of the
// controller manager that notices when a node dies.
//
// A kubelet proves its node is alive by renewing the node's Lease in
// kube-node-lease (every 10s). This controller watches the Leases. When a
// node's Lease has not moved for GracePeriod (40s in Kubernetes, the
// --node-monitor-grace-period), it concludes the kubelet is gone: it sets
// every node condition to Unknown ("Kubelet stopped posting node status."),
// taints the node node.kubernetes.io/unreachable with NoSchedule (the
// scheduler stops placing pods there) and NoExecute, and marks the node's
// pods not Ready (so Services stop sending them traffic). When the Lease
// moves again and the kubelet reports Ready, the taints come off.
//
// The NoExecute taint is what moves pods away, through taint-based eviction
// (eviction.go; kube runs it as its own taint-eviction-controller): a pod
// that does not tolerate the taint is deleted at once, one that tolerates it
// for tolerationSeconds (300s, added by the DefaultTolerationSeconds
// admission plugin) is deleted when that time is up. The ReplicaSet
// controller then creates replacements, which the scheduler puts on nodes
// that are alive.
//
// The controller has the shape of kubernetes/sample-controller: informer
// handlers enqueue node names, workers sync one node at a time, and a node
// is looked at again when its grace period or a toleration would run out
// (AddAfter), since nothing in the API changes when a node just goes quiet.
package nodelifecycle

import (
	"context"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	coordinationlisters "k8s.io/client-go/listers/coordination/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
	"github.com/glassplane/glassplane/controlplane/controllers/workloop"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Name is the controller's name in steps and events.
const Name = "node-controller"

// Options tune the controller.
type Options struct {
	// GracePeriod is how long a Lease may go unrenewed before the node is
	// considered unreachable (kube: 40s).
	GracePeriod time.Duration
	// EvictionTimeout, when set, shortens every finite tolerationSeconds
	// for the unreachable and not-ready taints to at most this, so a lesson
	// need not wait the default 300s. Tolerations without a time still
	// tolerate forever.
	EvictionTimeout time.Duration
}

// Controller is the node lifecycle controller.
type Controller struct {
	client      kubernetes.Interface
	rec         *steps.Recorder
	opts        Options
	broadcaster record.EventBroadcaster
	nodeEvents  record.EventRecorder // as node-controller
	podEvents   record.EventRecorder // as taint-eviction-controller

	nodeLister  corelisters.NodeLister
	nodeSynced  cache.InformerSynced
	leaseLister coordinationlisters.LeaseLister
	leaseSynced cache.InformerSynced
	podLister   corelisters.PodLister
	podSynced   cache.InformerSynced

	queue workqueue.TypedRateLimitingInterface[string]

	mu     sync.Mutex // guards probes
	probes map[string]probe
}

// New returns a node lifecycle controller fed by factory's informers.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder, opts Options) *Controller {
	if opts.GracePeriod <= 0 {
		opts.GracePeriod = 40 * time.Second
	}
	nodes := factory.Core().V1().Nodes()
	leases := factory.Coordination().V1().Leases()
	pods := factory.Core().V1().Pods()
	b := record.NewBroadcaster()
	c := &Controller{
		client: client, rec: rec, opts: opts, broadcaster: b,
		nodeEvents: b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: Name}),
		podEvents:  b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "taint-eviction-controller"}),
		nodeLister: nodes.Lister(), nodeSynced: nodes.Informer().HasSynced,
		leaseLister: leases.Lister(), leaseSynced: leases.Informer().HasSynced,
		podLister: pods.Lister(), podSynced: pods.Informer().HasSynced,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "nodelifecycle"}),
		probes: map[string]probe{},
	}
	c.handleNodes(nodes.Informer())
	c.handleLeases(leases.Informer())
	c.handlePods(pods.Informer())
	return c
}

// Run starts workers that sync nodes until ctx ends, and blocks.
func (c *Controller) Run(ctx context.Context, workers int) {
	defer utilruntime.HandleCrash()
	c.broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.client.CoreV1().Events("")})
	defer c.broadcaster.Shutdown()
	workloop.Run(ctx, Name, c.queue, []cache.InformerSynced{c.nodeSynced, c.leaseSynced, c.podSynced}, workers, c.syncNodeKey)
}

// syncNodeKey syncs one node and, when it synced, puts it back on the queue
// for the moment its grace period or a toleration runs out.
func (c *Controller) syncNodeKey(ctx context.Context, name string) error {
	next, err := c.syncNode(ctx, name)
	if err != nil {
		return err
	}
	if next > 0 {
		c.queue.AddAfter(name, next)
	}
	return nil
}

// syncNode decides whether the node is alive, marks and taints it, and
// evicts pods that no longer tolerate it. It returns when to look again.
func (c *Controller) syncNode(ctx context.Context, name string) (time.Duration, error) {
	node, err := c.nodeLister.Get(name)
	if apierrors.IsNotFound(err) {
		c.forget(name)
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	ctx = c.rec.ContextFor(ctx, node)
	silent := c.silence(name, time.Now())
	var next time.Duration
	if silent >= c.opts.GracePeriod {
		if node, err = c.markUnreachable(ctx, node, silent); err != nil {
			return 0, err
		}
	} else {
		next = c.opts.GracePeriod - silent
		if node, err = c.markReachable(ctx, node); err != nil {
			return 0, err
		}
	}
	evictAfter, err := c.evictPods(ctx, node)
	if err != nil {
		return 0, err
	}
	if evictAfter > 0 && (next == 0 || evictAfter < next) {
		next = evictAfter
	}
	return next, nil
}

// reconciled records the reconcile step for node and returns a context whose
// writes are filed under it. A node going quiet is caused by no one's
// request, so its decisions start a trace of their own when ctx has none.
// It is the one place this controller shows a decision (and where the
// pacer holds it).
func (c *Controller) reconciled(ctx context.Context, obj any, kind string, d trace.Reconcile) context.Context {
	d.Controller = Name
	if _, ok := steps.CauseFrom(ctx); !ok {
		ctx = steps.WithCause(ctx, steps.Cause{Trace: steps.NewTrace()})
	}
	s := trace.ReconcileStep("v1", kind, obj, d)
	_ = c.rec.Pace(ctx, s)
	s = c.rec.Record(ctx, s)
	if s.Trace == "" {
		return ctx
	}
	return steps.WithCause(ctx, steps.Cause{Trace: s.Trace, Parent: s.Seq})
}
