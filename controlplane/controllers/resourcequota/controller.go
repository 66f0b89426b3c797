// Package resourcequota is the resource quota controller: it keeps every
// ResourceQuota's status — hard, the limits in force, and used, what the
// namespace holds of each — so `kubectl describe quota` shows how much is
// left.
//
// The ResourceQuota admission plugin refuses a create that would go past a
// limit; it counts for itself when asked. This controller counts for the
// learner: after any change to a quota, or to an object of a kind a quota
// can count (pods, services, configmaps, secrets, resourcequotas,
// deployments, replicasets, endpointslices) in its namespace, it sums what
// the namespace holds of each resource the quota names, with the same rules
// as the plugin (admission.Usage: a pod that finished counts for nothing, a
// running pod counts its requests and limits), and writes status when it
// changed. Kinds it does not watch are counted by listing them through the
// API. Its key is the quota's.
//
// Interface rules: as kubernetes/sample-controller, with the shared work
// loop (workloop).
package resourcequota

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"

	"github.com/glassplane/glassplane/controlplane/apiserver/admission"
	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/controllers/trace"
	"github.com/glassplane/glassplane/controlplane/controllers/workloop"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Name is the controller's name.
const Name = "resourcequota-controller"

// watchedKinds are the resources counted from informers.
var watchedKinds = []schema.GroupVersionResource{
	{Version: "v1", Resource: "pods"}, {Version: "v1", Resource: "services"}, {Version: "v1", Resource: "configmaps"},
	{Version: "v1", Resource: "secrets"}, {Version: "v1", Resource: "resourcequotas"},
	{Group: "apps", Version: "v1", Resource: "deployments"}, {Group: "apps", Version: "v1", Resource: "replicasets"},
	{Group: "discovery.k8s.io", Version: "v1", Resource: "endpointslices"},
}

// Controller is the resource quota controller.
type Controller struct {
	client      kubernetes.Interface
	dynamic     dynamic.Interface
	rec         *steps.Recorder
	quotaLister corelisters.ResourceQuotaLister
	listers     map[schema.GroupVersionResource]cache.GenericLister
	synced      []cache.InformerSynced
	queue       workqueue.TypedRateLimitingInterface[string]
}

// New returns a resource quota controller fed by factory's informers.
func New(client kubernetes.Interface, dyn dynamic.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder) *Controller {
	quotas := factory.Core().V1().ResourceQuotas()
	c := &Controller{
		client: client, dynamic: dyn, rec: rec, quotaLister: quotas.Lister(),
		listers: map[schema.GroupVersionResource]cache.GenericLister{},
		synced:  []cache.InformerSynced{quotas.Informer().HasSynced},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "resourcequota_primary"}),
	}
	_, _ = quotas.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { c.watched("resourcequotas", trace.Added, obj); c.enqueue(obj) },
		UpdateFunc: func(old, cur any) {
			if !apiequality.Semantic.DeepEqual(old.(*corev1.ResourceQuota).Spec, cur.(*corev1.ResourceQuota).Spec) {
				c.watched("resourcequotas", trace.Modified, cur)
				c.enqueue(cur)
			}
		},
	})
	for _, gvr := range watchedKinds {
		inf, err := factory.ForResource(gvr)
		if err != nil {
			continue // not a built-in type: counted through the API
		}
		c.listers[gvr] = inf.Lister()
		c.synced = append(c.synced, inf.Informer().HasSynced)
		_, _ = inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { c.namespaceChanged(obj) },
			UpdateFunc: func(_, cur any) { c.namespaceChanged(cur) },
			DeleteFunc: func(obj any) { c.namespaceChanged(trace.Tombstone(obj)) },
		})
	}
	return c
}

// Run starts workers until ctx ends, and blocks until they have stopped.
func (c *Controller) Run(ctx context.Context, workers int) {
	workloop.Run(ctx, Name, c.queue, c.synced, workers, c.syncQuota)
}

// namespaceChanged enqueues every quota of the namespace obj is in.
func (c *Controller) namespaceChanged(obj any) {
	m, err := meta.Accessor(obj)
	if err != nil || m.GetNamespace() == "" {
		return
	}
	quotas, err := c.quotaLister.ResourceQuotas(m.GetNamespace()).List(labels.Everything())
	if err != nil {
		return
	}
	for _, q := range quotas {
		c.enqueue(q)
	}
}

func (c *Controller) enqueue(obj any) {
	if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
		c.queue.Add(key)
	}
}

// syncQuota writes what the namespace uses of each resource the quota names.
func (c *Controller) syncQuota(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	q, err := c.quotaLister.ResourceQuotas(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	used, err := c.usage(ctx, namespace, q.Spec.Hard)
	if err != nil {
		return err
	}
	if apiequality.Semantic.DeepEqual(q.Status.Hard, q.Spec.Hard) && apiequality.Semantic.DeepEqual(q.Status.Used, used) {
		return nil // in sync: no step, no write
	}
	d := trace.Reconcile{Controller: Name, Desired: describe(used, q.Spec.Hard), Actual: describe(q.Status.Used, q.Status.Hard),
		Decision: "update the status of ResourceQuota " + name}
	ctx = trace.Decided(c.rec.ContextFor(ctx, q), c.rec, "v1", "ResourceQuota", q, d)
	next := q.DeepCopy()
	next.Status = corev1.ResourceQuotaStatus{Hard: q.Spec.Hard, Used: used}
	_, err = c.client.CoreV1().ResourceQuotas(namespace).UpdateStatus(ctx, next, metav1.UpdateOptions{})
	return err
}

// usage sums, for each resource named in hard, what namespace holds of it.
func (c *Controller) usage(ctx context.Context, namespace string, hard corev1.ResourceList) (corev1.ResourceList, error) {
	used := corev1.ResourceList{}
	for name := range hard {
		used[name] = resource.MustParse("0")
	}
	seen := map[*registry.Resource]bool{}
	for name := range hard {
		res := countedIn(name)
		if res == nil || seen[res] {
			continue
		}
		seen[res] = true
		objs, err := c.list(ctx, res, namespace)
		if err != nil {
			return nil, err
		}
		for _, obj := range objs {
			for n, q := range admission.Usage(res, obj) {
				if _, limited := hard[n]; limited {
					total := used[n].DeepCopy()
					total.Add(q)
					used[n] = total
				}
			}
		}
	}
	return used, nil
}

// list returns the objects of res in namespace, typed.
func (c *Controller) list(ctx context.Context, res *registry.Resource, namespace string) ([]runtime.Object, error) {
	gvr := res.GroupVersion.WithResource(res.Resource)
	if l, ok := c.listers[gvr]; ok {
		return l.ByNamespace(namespace).List(labels.Everything())
	}
	ul, err := c.dynamic.Resource(gvr).Namespace(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	out := make([]runtime.Object, 0, len(ul.Items))
	for i := range ul.Items {
		obj := res.New()
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(ul.Items[i].Object, obj); err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	return out, nil
}

// countedIn is the resource whose objects a quota resource name counts:
// pods for pods, cpu and requests.memory, services for services.nodeports,
// deployments.apps for count/deployments.apps; nil for a name nothing counts.
func countedIn(name corev1.ResourceName) *registry.Resource {
	n := string(name)
	if rest, ok := strings.CutPrefix(n, "count/"); ok {
		resName, group, _ := strings.Cut(rest, ".")
		r, _ := registry.Lookup(group, resName)
		return r
	}
	switch {
	case n == "pods" || n == "cpu" || n == "memory" || n == "ephemeral-storage" ||
		strings.HasPrefix(n, "requests.") || strings.HasPrefix(n, "limits."):
		n = "pods"
	case strings.HasPrefix(n, "services."):
		n = "services"
	}
	r, _ := registry.Lookup("", n)
	return r
}

// describe summarises used against hard: "pods 2/10, requests.cpu 500m/4".
func describe(used, hard corev1.ResourceList) string {
	if len(hard) == 0 {
		return "no status yet"
	}
	names := make([]string, 0, len(hard))
	for n := range hard {
		names = append(names, string(n))
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		u, h := used[corev1.ResourceName(n)], hard[corev1.ResourceName(n)]
		parts[i] = fmt.Sprintf("%s %s/%s", n, u.String(), h.String())
	}
	return strings.Join(parts, ", ")
}

// watched records that the quota informer delivered event for obj.
func (c *Controller) watched(informer, event string, obj any) {
	trace.Watched(c.rec, "v1", "ResourceQuota", obj, trace.Watch{Controller: Name, Informer: informer, Event: event})
}
