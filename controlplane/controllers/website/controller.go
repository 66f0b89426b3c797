// Package website is a small operator: a controller for a kind Kubernetes
// does not have. A Website (lessons.glassplane.dev/v1) says "serve this
// image with this many replicas"; the operator answers with a Deployment and
// a Service of the Website's name, both owned by it, and reports in the
// Website's status how many replicas are ready and where to reach them.
//
// That is all an operator is: a controller, the same informer, queue and
// reconcile loop as the built-in ones, watching a custom resource that a
// CustomResourceDefinition taught the API server to serve. In a real cluster
// it would run as a Pod under a ServiceAccount of its own; Glassplane runs
// it inside the controller manager so its steps stand beside the built-in
// controllers'. It knows nothing the API server does not tell it: it reads
// Websites through the dynamic client, as unstructured objects, because no
// Go type for them was compiled into anything.
//
// The kind exists only once someone creates its CRD (the operators lesson
// does). Until then the operator has nothing to watch: it watches
// CustomResourceDefinitions instead, starts its Website informer when the
// CRD is Established, and stops it when the CRD goes. Deleting a Website
// needs nothing from it: the garbage collector follows the owner references
// of the Deployment and the Service.
//
// Interface rules: as kubernetes/sample-controller, with the shared work
// loop. The key is the Website's "namespace/name".
package website

import (
	"context"
	"sync"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
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

// Name is the controller's name.
const Name = "website-operator"

// The custom resource the operator serves, and the CRD that defines it.
const (
	Group      = "lessons.glassplane.dev"
	Version    = "v1"
	Kind       = "Website"
	Resource   = "websites"
	CRDName    = Resource + "." + Group
	APIVersion = Group + "/" + Version
)

// GVR is the Websites' resource, as the dynamic client names it.
var GVR = schema.GroupVersionResource{Group: Group, Version: Version, Resource: Resource}

// crdGVR is where CustomResourceDefinitions are served.
var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// Controller is the Website operator.
type Controller struct {
	client        kubernetes.Interface
	dyn           dynamic.Interface
	rec           *steps.Recorder
	broadcaster   record.EventBroadcaster
	eventRecorder record.EventRecorder

	deploymentLister appslisters.DeploymentLister
	serviceLister    corelisters.ServiceLister
	crds             cache.SharedIndexInformer
	synced           []cache.InformerSynced
	queue            workqueue.TypedRateLimitingInterface[string]
	crdChanged       chan struct{} // a nudge: is the CRD established now?
	crdDecisions     atomic.Int32  // nudges followCRD has acted on, which a test waits for

	mu       sync.Mutex
	websites cache.GenericLister // nil while the kind is not served
	stop     context.CancelFunc  // ends the Website informer
}

// New returns the operator fed by factory's Deployment and Service informers
// and a CRD informer of its own.
func New(client kubernetes.Interface, dyn dynamic.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder) *Controller {
	deployments := factory.Apps().V1().Deployments()
	services := factory.Core().V1().Services()
	crds := dynamicinformer.NewFilteredDynamicInformer(dyn, crdGVR, "", 0, cache.Indexers{}, nil).Informer()
	b := record.NewBroadcaster()
	c := &Controller{
		client: client, dyn: dyn, rec: rec, broadcaster: b,
		eventRecorder:    b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: Name}),
		deploymentLister: deployments.Lister(), serviceLister: services.Lister(), crds: crds,
		synced:     []cache.InformerSynced{deployments.Informer().HasSynced, services.Informer().HasSynced, crds.HasSynced},
		crdChanged: make(chan struct{}, 1),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "website"}),
	}
	nudge := func(any) {
		select {
		case c.crdChanged <- struct{}{}:
		default:
		}
	}
	_, _ = crds.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: nudge, UpdateFunc: func(_, cur any) { nudge(cur) }, DeleteFunc: nudge,
	})
	c.handleOwned(deployments.Informer())
	c.handleOwned(services.Informer())
	return c
}

// Run watches for the Website CRD and syncs Websites while it is served,
// until ctx ends; it returns when the workers and the informers it started
// have stopped.
func (c *Controller) Run(ctx context.Context, workers int) {
	c.broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.client.CoreV1().Events("")})
	defer c.broadcaster.Shutdown()
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { c.crds.RunWithContext(ctx) })
	wg.Go(func() { c.followCRD(ctx, &wg) })
	workloop.Run(ctx, Name, c.queue, c.synced, workers, c.syncWebsite)
}

// followCRD starts the Website informer when the CRD is established and
// stops it when the CRD is gone, until ctx ends.
func (c *Controller) followCRD(ctx context.Context, wg *sync.WaitGroup) {
	defer c.serve(ctx, wg, false)
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.crdChanged:
			c.serve(ctx, wg, c.established())
			c.crdDecisions.Add(1)
		}
	}
}

// established reports whether the CRD exists with Established=True.
func (c *Controller) established() bool {
	obj, ok, err := c.crds.GetStore().GetByKey(CRDName)
	if err != nil || !ok {
		return false
	}
	crd, ok := obj.(*unstructured.Unstructured)
	if !ok || crd.GetDeletionTimestamp() != nil {
		return false
	}
	conditions, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
	for _, cond := range conditions {
		m, _ := cond.(map[string]any)
		if m["type"] == "Established" && m["status"] == "True" {
			return true
		}
	}
	return false
}

// serve starts (on) or stops (!on) the Website informer.
func (c *Controller) serve(ctx context.Context, wg *sync.WaitGroup, on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if on == (c.websites != nil) {
		return
	}
	if !on {
		c.stop()
		c.websites, c.stop = nil, nil
		return
	}
	informer := dynamicinformer.NewFilteredDynamicInformer(c.dyn, GVR, "", 0, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc}, nil)
	c.handleWebsites(informer.Informer())
	ictx, stop := context.WithCancel(ctx)
	c.websites, c.stop = informer.Lister(), stop
	wg.Go(func() { informer.Informer().RunWithContext(ictx) })
}

// lister is the Websites' lister, or nil while the kind is not served.
func (c *Controller) lister() cache.GenericLister {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.websites
}

// handleWebsites queues a Website on every change, with its watch step.
func (c *Controller) handleWebsites(informer cache.SharedIndexInformer) {
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { c.websiteChanged(obj, trace.Added) },
		UpdateFunc: func(old, cur any) {
			if old.(*unstructured.Unstructured).GetResourceVersion() != cur.(*unstructured.Unstructured).GetResourceVersion() {
				c.websiteChanged(cur, trace.Modified)
			}
		},
		DeleteFunc: func(obj any) { c.websiteChanged(trace.Tombstone(obj), trace.Deleted) },
	})
}

func (c *Controller) websiteChanged(obj any, event string) {
	trace.Watched(c.rec, APIVersion, Kind, obj, trace.Watch{Controller: Name, Informer: Resource, Event: event})
	if key, err := cache.MetaNamespaceKeyFunc(obj); err == nil {
		c.queue.Add(key)
	}
}

// handleOwned queues the Website that owns a changed Deployment or Service.
func (c *Controller) handleOwned(informer cache.SharedIndexInformer) {
	enqueueOwner := func(obj any) {
		m, err := meta.Accessor(trace.Tombstone(obj))
		if err != nil {
			return
		}
		if name, ok := ownerWebsite(m.GetOwnerReferences()); ok {
			c.queue.Add(m.GetNamespace() + "/" + name)
		}
	}
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: enqueueOwner, UpdateFunc: func(_, cur any) { enqueueOwner(cur) }, DeleteFunc: enqueueOwner,
	})
}
