package garbagecollector

// Custom resources in the collector's view. The built-in resources the
// collector watches are fixed (graph.go); the kinds CustomResourceDefinitions
// add come and go while the cluster runs. So the collector also watches
// CRDs, and for each established one adds a dynamic informer over its
// resource (storage version) to the graph, with the same owner index and
// event handlers as the built-in informers, so custom objects are collected
// when their owners go and their dependents when they go; a deleted CRD's
// informer is stopped and taken out of the graph. kube's collector finds
// every resource through discovery; this is the same idea, fed by the CRDs.

import (
	"context"
	"sync"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
)

var crdGVR = apiextensionsv1.SchemeGroupVersion.WithResource("customresourcedefinitions")

// customGraph is the part of the graph CRDs added.
type customGraph struct {
	mu      sync.RWMutex // guards byCRD and the collector's graph slice
	byCRD   map[string]*customWatch
	running context.Context // Run's context, once Run has started
}

// customWatch is one CRD's informer and how to stop it.
type customWatch struct {
	w    *watched
	stop context.CancelFunc
}

// watchCustomResources starts the CRD informer; it and every informer it
// starts end with ctx.
func (c *Controller) watchCustomResources(ctx context.Context) {
	c.custom.mu.Lock()
	c.custom.running = ctx
	c.custom.mu.Unlock()
	inf := dynamicinformer.NewFilteredDynamicInformer(c.dynamic, crdGVR, "", 0, cache.Indexers{}, nil).Informer()
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { c.crdChanged(obj) },
		UpdateFunc: func(_, obj any) { c.crdChanged(obj) },
		DeleteFunc: func(obj any) {
			if u, ok := tombstone(obj).(*unstructured.Unstructured); ok {
				c.dropCustom(u.GetName())
			}
		},
	})
	go inf.Run(ctx.Done())
}

func tombstone(obj any) any {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return d.Obj
	}
	return obj
}

// crdChanged adds an informer for an established CRD not yet watched (or
// whose storage resource changed).
func (c *Controller) crdChanged(obj any) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return
	}
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, crd) != nil || !crdEstablished(crd) {
		return
	}
	gvr, gvk, ok := storageOf(crd)
	if !ok {
		return
	}
	c.custom.mu.Lock()
	defer c.custom.mu.Unlock()
	if cw, ok := c.custom.byCRD[crd.Name]; ok {
		if cw.w.gvr == gvr {
			return
		}
		c.removeLocked(crd.Name)
	}
	if c.custom.running == nil {
		return
	}
	ctx, stop := context.WithCancel(c.custom.running)
	inf := dynamicinformer.NewFilteredDynamicInformer(c.dynamic, gvr, "", 0, cache.Indexers{ownerIndex: ownerUIDs}, nil).Informer()
	w := &watched{gvr: gvr, gvk: gvk, informer: inf}
	c.handle(w)
	if c.custom.byCRD == nil {
		c.custom.byCRD = map[string]*customWatch{}
	}
	c.custom.byCRD[crd.Name] = &customWatch{w: w, stop: stop}
	c.graph = append(c.graph[:len(c.graph):len(c.graph)], w) // a new slice: readers hold snapshots
	go inf.Run(ctx.Done())
}

// dropCustom stops watching a deleted CRD's resource.
func (c *Controller) dropCustom(name string) {
	c.custom.mu.Lock()
	defer c.custom.mu.Unlock()
	c.removeLocked(name)
}

func (c *Controller) removeLocked(name string) {
	cw, ok := c.custom.byCRD[name]
	if !ok {
		return
	}
	cw.stop()
	delete(c.custom.byCRD, name)
	graph := make([]*watched, 0, len(c.graph))
	for _, w := range c.graph {
		if w != cw.w {
			graph = append(graph, w)
		}
	}
	c.graph = graph
}

// watchedNow is the graph as it is now; CRDs may change it at any time.
func (c *Controller) watchedNow() []*watched {
	c.custom.mu.RLock()
	defer c.custom.mu.RUnlock()
	return c.graph
}

func crdEstablished(crd *apiextensionsv1.CustomResourceDefinition) bool {
	for _, cond := range crd.Status.Conditions {
		if cond.Type == apiextensionsv1.Established {
			return cond.Status == apiextensionsv1.ConditionTrue && crd.DeletionTimestamp == nil
		}
	}
	return false
}

// storageOf is the resource and kind of crd's storage version.
func storageOf(crd *apiextensionsv1.CustomResourceDefinition) (schema.GroupVersionResource, schema.GroupVersionKind, bool) {
	for _, v := range crd.Spec.Versions {
		if v.Storage && v.Served {
			gv := schema.GroupVersion{Group: crd.Spec.Group, Version: v.Name}
			return gv.WithResource(crd.Spec.Names.Plural), gv.WithKind(crd.Spec.Names.Kind), true
		}
	}
	return schema.GroupVersionResource{}, schema.GroupVersionKind{}, false
}

// remainingOwnersPatch is a JSON merge patch leaving obj only the owner
// references not in gone, for kinds that take no strategic merge patch
// (custom resources), as kube's collector falls back to.
func remainingOwnersPatch(obj metav1.Object, gone map[string]bool) map[string]any {
	var keep []metav1.OwnerReference
	for _, r := range obj.GetOwnerReferences() {
		if !gone[string(r.UID)] {
			keep = append(keep, r)
		}
	}
	return map[string]any{"metadata": map[string]any{"ownerReferences": keep, "uid": obj.GetUID(),
		"resourceVersion": obj.GetResourceVersion()}}
}
