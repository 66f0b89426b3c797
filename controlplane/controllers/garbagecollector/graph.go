package garbagecollector

// The collector's view of the cluster: informers over a fixed set of
// resources, each indexed by the uids of the objects' owners, so "who
// depends on this object?" is one index lookup. Events on these informers
// put objects on the queue:
//
//   - an object added, or whose owner references changed: check its owners;
//   - an object marked for deletion with the collector's finalizer: finish
//     its foreground or orphan deletion;
//   - an object deleted: check each of its dependents (their owner may be
//     gone now), and its owners (one may be waiting for it in foreground).

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

// ownerIndex indexes objects by the uids of their owners.
const ownerIndex = "ownerUID"

// The collector's finalizers.
const (
	orphanFinalizer     = metav1.FinalizerOrphanDependents
	foregroundFinalizer = metav1.FinalizerDeleteDependents
)

// watched is one resource in the collector's view.
type watched struct {
	gvr      schema.GroupVersionResource
	gvk      schema.GroupVersionKind
	informer cache.SharedIndexInformer
}

// watchedResources is the fixed set of resources the collector knows.
func watchedResources(f informers.SharedInformerFactory) []*watched {
	core, apps, disc, batch := corev1.SchemeGroupVersion, appsv1.SchemeGroupVersion, discoveryv1.SchemeGroupVersion, batchv1.SchemeGroupVersion
	list := []*watched{
		{apps.WithResource("deployments"), apps.WithKind("Deployment"), f.Apps().V1().Deployments().Informer()},
		{apps.WithResource("replicasets"), apps.WithKind("ReplicaSet"), f.Apps().V1().ReplicaSets().Informer()},
		{apps.WithResource("daemonsets"), apps.WithKind("DaemonSet"), f.Apps().V1().DaemonSets().Informer()},
		{apps.WithResource("statefulsets"), apps.WithKind("StatefulSet"), f.Apps().V1().StatefulSets().Informer()},
		{apps.WithResource("controllerrevisions"), apps.WithKind("ControllerRevision"), f.Apps().V1().ControllerRevisions().Informer()},
		{core.WithResource("replicationcontrollers"), core.WithKind("ReplicationController"), f.Core().V1().ReplicationControllers().Informer()},
		{core.WithResource("pods"), core.WithKind("Pod"), f.Core().V1().Pods().Informer()},
		{core.WithResource("services"), core.WithKind("Service"), f.Core().V1().Services().Informer()},
		{core.WithResource("configmaps"), core.WithKind("ConfigMap"), f.Core().V1().ConfigMaps().Informer()},
		{core.WithResource("persistentvolumeclaims"), core.WithKind("PersistentVolumeClaim"), f.Core().V1().PersistentVolumeClaims().Informer()},
		{disc.WithResource("endpointslices"), disc.WithKind("EndpointSlice"), f.Discovery().V1().EndpointSlices().Informer()},
		{batch.WithResource("jobs"), batch.WithKind("Job"), f.Batch().V1().Jobs().Informer()},
		{batch.WithResource("cronjobs"), batch.WithKind("CronJob"), f.Batch().V1().CronJobs().Informer()},
	}
	for _, w := range list {
		_ = w.informer.AddIndexers(cache.Indexers{ownerIndex: ownerUIDs})
	}
	return list
}

func ownerUIDs(obj any) ([]string, error) {
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil, err
	}
	var uids []string
	for _, ref := range m.GetOwnerReferences() {
		uids = append(uids, string(ref.UID))
	}
	return uids, nil
}

func (w *watched) get(namespace, name string) (metav1.Object, bool) {
	key := name
	if namespace != "" {
		key = namespace + "/" + name
	}
	obj, ok, err := w.informer.GetIndexer().GetByKey(key)
	if err != nil || !ok {
		return nil, false
	}
	m, err := meta.Accessor(obj)
	return m, err == nil
}

func (w *watched) itemFor(m metav1.Object) item {
	return item{Resource: w.gvr, Namespace: m.GetNamespace(), Name: m.GetName(), UID: m.GetUID()}
}

func (c *Controller) watchedFor(gvr schema.GroupVersionResource) *watched {
	for _, w := range c.watchedNow() {
		if w.gvr == gvr {
			return w
		}
	}
	return nil
}

// watchedKind finds the watched resource of an owner reference's kind.
func (c *Controller) watchedKind(ref metav1.OwnerReference) *watched {
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return nil
	}
	for _, w := range c.watchedNow() {
		if w.gvk.Group == gv.Group && w.gvk.Kind == ref.Kind {
			return w
		}
	}
	return nil
}

// dependent is an object that names an owner, and the resource it is of.
type dependent struct {
	w   *watched
	obj metav1.Object
	ref metav1.OwnerReference // its reference to the owner
}

// dependents lists the objects, of every watched resource, that name owner.
func (c *Controller) dependents(owner metav1.Object) []dependent {
	var out []dependent
	for _, w := range c.watchedNow() {
		objs, err := w.informer.GetIndexer().ByIndex(ownerIndex, string(owner.GetUID()))
		if err != nil {
			continue
		}
		for _, o := range objs {
			m, err := meta.Accessor(o)
			if err != nil {
				continue
			}
			for _, ref := range m.GetOwnerReferences() {
				if ref.UID == owner.GetUID() {
					out = append(out, dependent{w: w, obj: m, ref: ref})
				}
			}
		}
	}
	return out
}

func (c *Controller) handle(w *watched) {
	_, _ = w.informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			m, _ := meta.Accessor(obj)
			if len(m.GetOwnerReferences()) > 0 || waitsForCollector(m) {
				c.watchedStep(w, trace.Added, obj)
				c.queue.Add(w.itemFor(m))
			}
		},
		UpdateFunc: func(old, cur any) {
			o, _ := meta.Accessor(old)
			m, _ := meta.Accessor(cur)
			if o.GetResourceVersion() == m.GetResourceVersion() {
				return
			}
			refsChanged := !equality.Semantic.DeepEqual(o.GetOwnerReferences(), m.GetOwnerReferences())
			if refsChanged || waitsForCollector(m) {
				c.watchedStep(w, trace.Modified, cur)
				c.queue.Add(w.itemFor(m))
			}
		},
		DeleteFunc: func(obj any) {
			m, err := meta.Accessor(trace.Tombstone(obj))
			if err != nil {
				return
			}
			deps := c.dependents(m)
			if len(deps) == 0 && len(m.GetOwnerReferences()) == 0 {
				return
			}
			c.watchedStep(w, trace.Deleted, trace.Tombstone(obj))
			for _, d := range deps {
				c.queue.Add(d.w.itemFor(d.obj))
			}
			c.enqueueOwners(m)
		},
	})
}

// enqueueOwners enqueues the watched owners of m (one may wait for it).
func (c *Controller) enqueueOwners(m metav1.Object) {
	for _, ref := range m.GetOwnerReferences() {
		if w := c.watchedKind(ref); w != nil {
			c.queue.Add(item{Resource: w.gvr, Namespace: m.GetNamespace(), Name: ref.Name, UID: ref.UID})
		}
	}
}

// waitsForCollector: being deleted with one of the collector's finalizers.
func waitsForCollector(m metav1.Object) bool {
	return m.GetDeletionTimestamp() != nil && (hasFinalizer(m, orphanFinalizer) || hasFinalizer(m, foregroundFinalizer))
}

func hasFinalizer(m metav1.Object, f string) bool {
	for _, x := range m.GetFinalizers() {
		if x == f {
			return true
		}
	}
	return false
}
