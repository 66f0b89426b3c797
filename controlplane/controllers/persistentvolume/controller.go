// Package persistentvolume is the persistentvolume-binder: kube's
// PersistentVolume controller (pkg/controller/volume/persistentvolume),
// smaller. It pairs each PersistentVolumeClaim with a PersistentVolume.
//
// A claim is a request ("1Gi, ReadWriteOnce, class standard"); a volume is
// a piece of storage. The binder binds an unbound claim to the smallest
// Available volume of its class that is big enough and offers its access
// modes, writing both sides: the volume's spec.claimRef and phase Bound, the
// claim's spec.volumeName, its bind-completed annotation and phase Bound
// with the volume's capacity. When no volume matches and the claim's class
// names Glassplane's provisioner, the binder makes one (pvc-<claim uid>, a
// hostPath under /tmp/glassplane, the class's reclaim policy) pre-bound to
// the claim, and the next sync binds the two. A class of another
// provisioner ("kubernetes.io/no-provisioner", or one nobody runs) leaves the
// claim Pending, waiting for someone to make a volume.
//
// When a bound claim is deleted, its volume is Released; a volume whose
// reclaim policy is Delete is then deleted too (Retain keeps it, and its
// data, for an administrator).
//
// Interface rules: as kubernetes/sample-controller, with the shared work
// loop (workloop) run twice, as kube runs two queues: claims keyed
// "namespace/name", volumes keyed "name". Objects from the listers are never
// modified (DeepCopy first). Every write follows a reconcile step that says
// why (trace.Decided); kube's Events go to the claim or the volume.
package persistentvolume

import (
	"context"
	"sync"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	storagelisters "k8s.io/client-go/listers/storage/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
	"github.com/glassplane/glassplane/controlplane/controllers/workloop"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Name is the controller's name in kube-controller-manager.
const Name = "persistentvolume-binder-controller"

// eventComponent is where kube's PersistentVolume controller says its
// Events come from.
const eventComponent = "persistentvolume-controller"

// Provisioner is the provisioner this controller provisions for: a class
// naming it gets hostPath volumes made on demand.
const Provisioner = "glassplane.dev/hostpath"

// HostPathRoot is the directory provisioned volumes live under.
const HostPathRoot = "/tmp/glassplane"

// Event reasons, as kube's.
const (
	ProvisioningSucceeded = "ProvisioningSucceeded"
	ProvisioningFailed    = "ProvisioningFailed"
	ExternalProvisioning  = "ExternalProvisioning"
	FailedBinding         = "FailedBinding"
	ClaimLost             = "ClaimLost"
	VolumeFailedDelete    = "VolumeFailedDelete"
)

// Controller is the persistentvolume-binder.
type Controller struct {
	client        kubernetes.Interface
	rec           *steps.Recorder
	broadcaster   record.EventBroadcaster
	eventRecorder record.EventRecorder

	claimLister  corelisters.PersistentVolumeClaimLister
	volumeLister corelisters.PersistentVolumeLister
	classLister  storagelisters.StorageClassLister
	synced       []cache.InformerSynced

	claimQueue  workqueue.TypedRateLimitingInterface[string]
	volumeQueue workqueue.TypedRateLimitingInterface[string]
	written     *written // what the binder wrote, until the informers catch up
}

// New returns a persistentvolume-binder fed by factory's informers.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder) *Controller {
	claims := factory.Core().V1().PersistentVolumeClaims()
	volumes := factory.Core().V1().PersistentVolumes()
	classes := factory.Storage().V1().StorageClasses()
	b := record.NewBroadcaster()
	c := &Controller{
		client: client, rec: rec, broadcaster: b,
		eventRecorder: b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: eventComponent}),
		claimLister:   claims.Lister(), volumeLister: volumes.Lister(), classLister: classes.Lister(),
		synced: []cache.InformerSynced{claims.Informer().HasSynced, volumes.Informer().HasSynced, classes.Informer().HasSynced},
		claimQueue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "claims"}),
		volumeQueue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "volumes"}),
		written: newWritten(),
	}
	_, _ = claims.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			c.watched("persistentvolumeclaims", "PersistentVolumeClaim", trace.Added, obj)
			c.enqueueClaim(obj)
		},
		UpdateFunc: func(old, cur any) {
			if old.(*corev1.PersistentVolumeClaim).ResourceVersion != cur.(*corev1.PersistentVolumeClaim).ResourceVersion {
				c.watched("persistentvolumeclaims", "PersistentVolumeClaim", trace.Modified, cur)
				c.enqueueClaim(cur)
			}
		},
		DeleteFunc: func(obj any) {
			claim, ok := trace.Tombstone(obj).(*corev1.PersistentVolumeClaim)
			if ok {
				c.written.forgetClaim(claim.Namespace + "/" + claim.Name)
			}
			if ok && claim.Spec.VolumeName != "" {
				c.watched("persistentvolumeclaims", "PersistentVolumeClaim", trace.Deleted, claim)
				c.volumeQueue.Add(claim.Spec.VolumeName) // its volume is Released now
			}
		},
	})
	_, _ = volumes.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			c.watched("persistentvolumes", "PersistentVolume", trace.Added, obj)
			c.volumeChanged(obj)
		},
		UpdateFunc: func(old, cur any) {
			if old.(*corev1.PersistentVolume).ResourceVersion != cur.(*corev1.PersistentVolume).ResourceVersion {
				c.watched("persistentvolumes", "PersistentVolume", trace.Modified, cur)
				c.volumeChanged(cur)
			}
		},
		DeleteFunc: func(obj any) {
			v, ok := trace.Tombstone(obj).(*corev1.PersistentVolume)
			if ok {
				c.written.forgetVolume(v.Name)
			}
			if ok && v.Spec.ClaimRef != nil {
				c.claimQueue.Add(v.Spec.ClaimRef.Namespace + "/" + v.Spec.ClaimRef.Name) // a bound claim is Lost
			}
		},
	})
	_, _ = classes.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { c.enqueueUnboundClaims(obj.(*storagev1.StorageClass).Name) },
	})
	return c
}

// Run runs the claim and volume workers until ctx ends, and blocks until
// they have stopped.
func (c *Controller) Run(ctx context.Context, workers int) {
	c.broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.client.CoreV1().Events("")})
	defer c.broadcaster.Shutdown()
	var wg sync.WaitGroup
	wg.Go(func() { workloop.Run(ctx, Name, c.claimQueue, c.synced, workers, c.syncClaim) })
	wg.Go(func() { workloop.Run(ctx, Name, c.volumeQueue, c.synced, workers, c.syncVolume) })
	wg.Wait()
}

func (c *Controller) enqueueClaim(obj any) {
	if key, err := cache.MetaNamespaceKeyFunc(obj); err == nil {
		c.claimQueue.Add(key)
	}
}

// volumeChanged syncs the volume, and the claims it may now serve: the one
// it is bound to, or, when it is Available, every claim still waiting.
func (c *Controller) volumeChanged(obj any) {
	v := obj.(*corev1.PersistentVolume)
	c.volumeQueue.Add(v.Name)
	switch {
	case v.Spec.ClaimRef != nil:
		c.claimQueue.Add(v.Spec.ClaimRef.Namespace + "/" + v.Spec.ClaimRef.Name)
	case v.Status.Phase == corev1.VolumeAvailable:
		c.enqueueUnboundClaims(v.Spec.StorageClassName)
	}
}

// enqueueUnboundClaims enqueues the unbound claims of class.
func (c *Controller) enqueueUnboundClaims(class string) {
	claims, err := c.claimLister.List(everything)
	if err != nil {
		return
	}
	for _, claim := range claims {
		if claim.Spec.VolumeName == "" && claimClass(claim) == class {
			c.enqueueClaim(claim)
		}
	}
}

// decided records the reconcile step for obj and returns the context its
// writes go under.
func (c *Controller) decided(ctx context.Context, kind string, obj any, d trace.Reconcile) context.Context {
	d.Controller = Name
	return trace.Decided(c.rec.ContextFor(ctx, obj), c.rec, "v1", kind, obj, d)
}

// watched records that an informer delivered event for obj.
func (c *Controller) watched(informer, kind, event string, obj any) {
	trace.Watched(c.rec, "v1", kind, obj, trace.Watch{Controller: Name, Informer: informer, Event: event})
}
