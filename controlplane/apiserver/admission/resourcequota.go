package admission

// ResourceQuota caps what a namespace may hold (kubernetes/plugin/pkg/
// admission/resourcequota and pkg/quota/v1/evaluator/core).
//
// A ResourceQuota's spec.hard names limits — pods: 10, requests.cpu: 4,
// count/deployments.apps: 2 — and this plugin refuses any create that would
// take the namespace past one of them, with kube's message:
//
//	exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2
//
// A quota on cpu or memory also makes every container say how much it
// needs (`must specify requests.cpu for: app`), since otherwise the pod's
// usage could not be counted.
//
// How usage is counted: kube keeps it in the quota's status.used, kept
// current by the resource quota controller and by this plugin (which bumps
// status.used before the object is stored). Here admission runs before
// validation, so a reservation made in status could be left behind by a
// create that is then refused. So this plugin recomputes usage on every
// create by listing the namespace's objects of that kind from the store, and
// leaves status to the resource quota controller
// (controllers/resourcequota), which counts with the same Usage: correct
// rather than fast, and nothing left behind. Two creates racing each other
// can both be admitted (kube closes that with a compare-and-swap on
// status.used).

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	resourcehelper "k8s.io/component-helpers/resource"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
)

// ResourceQuota is the validating plugin of the same name.
type ResourceQuota struct{}

func (ResourceQuota) Name() string   { return "ResourceQuota" }
func (ResourceQuota) Mutating() bool { return false }

func (ResourceQuota) Admit(ctx context.Context, a *Attributes) error {
	if a.Operation != Create || a.Subresource != "" || !a.Resource.Namespaced {
		return nil
	}
	m, _ := meta.Accessor(a.Object)
	quotas, err := quotasIn(ctx, a, m.GetNamespace())
	if err != nil || len(quotas) == 0 {
		return err
	}
	requested := Usage(a.Resource, a.Object)
	var used corev1.ResourceList // listed once, when a quota first needs it
	for _, q := range quotas {
		if pod, ok := a.Object.(*corev1.Pod); ok {
			if msg := podConstraints(q.Spec.Hard, pod); msg != "" {
				return apierrors.NewForbidden(a.Resource.GroupResource(), m.GetName(), fmt.Errorf("failed quota: %s: %s", q.Name, msg))
			}
		}
		names := matching(q.Spec.Hard, requested)
		if len(names) == 0 {
			continue
		}
		if used == nil {
			if used, err = usedIn(ctx, a.Store, a.Resource, m.GetNamespace()); err != nil {
				return err
			}
		}
		if exceeded := exceededNames(names, requested, used, q.Spec.Hard); len(exceeded) > 0 {
			return apierrors.NewForbidden(a.Resource.GroupResource(), m.GetName(), fmt.Errorf(
				"exceeded quota: %s, requested: %s, used: %s, limited: %s", q.Name,
				prettyPrint(requested, exceeded), prettyPrint(used, exceeded), prettyPrint(q.Spec.Hard, exceeded)))
		}
	}
	return nil
}

// quotasIn reads the namespace's quotas, sorted by name, from the cache,
// which holds every quota this server wrote; from etcd when there is no
// cache or it has fallen behind.
func quotasIn(ctx context.Context, a *Attributes, namespace string) ([]corev1.ResourceQuota, error) {
	if c := a.Caches.ResourceQuotas; c != nil {
		objs, err := c.List(ctx, namespace)
		if err == nil {
			quotas := make([]corev1.ResourceQuota, len(objs))
			for i, o := range objs {
				quotas[i] = *o.(*corev1.ResourceQuota).DeepCopy() // the cache's are shared
			}
			return quotas, nil
		}
	}
	res, _ := registry.Lookup("", "resourcequotas")
	list, err := a.Store.List(ctx, res, registry.Selection{Namespace: namespace}, 0)
	if err != nil {
		return nil, err
	}
	quotas := list.(*corev1.ResourceQuotaList).Items
	sort.Slice(quotas, func(i, j int) bool { return quotas[i].Name < quotas[j].Name })
	return quotas, nil
}

// usedIn sums the usage of every object of the resource in the namespace.
func usedIn(ctx context.Context, store *registry.Store, res *registry.Resource, namespace string) (corev1.ResourceList, error) {
	list, err := store.List(ctx, res, registry.Selection{Namespace: namespace}, 0)
	if err != nil {
		return nil, err
	}
	items, err := meta.ExtractList(list)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	used := corev1.ResourceList{}
	for _, item := range items {
		add(used, Usage(res, item))
	}
	return used, nil
}

// matching lists the resources the quota limits that this object uses.
func matching(hard, requested corev1.ResourceList) []corev1.ResourceName {
	var names []corev1.ResourceName
	for name := range hard {
		if _, ok := requested[name]; ok {
			names = append(names, name)
		}
	}
	return names
}

// exceededNames are the limits that used + requested would go past.
func exceededNames(names []corev1.ResourceName, requested, used, hard corev1.ResourceList) []corev1.ResourceName {
	var exceeded []corev1.ResourceName
	for _, name := range names {
		total := used[name].DeepCopy()
		total.Add(requested[name])
		if total.Cmp(hard[name]) > 0 {
			exceeded = append(exceeded, name)
		}
	}
	return exceeded
}

// Usage is what one object counts against a quota: always count/<resource>
// (count/deployments.apps), the legacy object counts (pods, services,
// configmaps, secrets …), and for a pod that has not finished its compute
// requests and limits.
func Usage(res *registry.Resource, obj runtime.Object) corev1.ResourceList {
	one := *resource.NewQuantity(1, resource.DecimalSI)
	countName := "count/" + res.Resource
	if res.Group != "" {
		countName += "." + res.Group
	}
	usage := corev1.ResourceList{corev1.ResourceName(countName): one}
	switch o := obj.(type) {
	case *corev1.Pod:
		if o.Status.Phase != corev1.PodSucceeded && o.Status.Phase != corev1.PodFailed {
			usage[corev1.ResourcePods] = one
			add(usage, podComputeUsage(o))
		}
	case *corev1.Service:
		usage[corev1.ResourceServices] = one
		if o.Spec.Type == corev1.ServiceTypeLoadBalancer {
			usage[corev1.ResourceServicesLoadBalancers] = one
		}
		if o.Spec.Type == corev1.ServiceTypeNodePort || o.Spec.Type == corev1.ServiceTypeLoadBalancer {
			usage[corev1.ResourceServicesNodePorts] = *resource.NewQuantity(int64(len(o.Spec.Ports)), resource.DecimalSI)
		}
	case *corev1.ConfigMap, *corev1.Secret, *corev1.ResourceQuota, *corev1.ReplicationController, *corev1.PersistentVolumeClaim:
		usage[corev1.ResourceName(res.Resource)] = one
	}
	return usage
}

// podComputeUsage is the pod's effective requests and limits (init
// containers counted as kube's scheduler and kubelet count them), under
// both their quota names: cpu and requests.cpu, limits.cpu …
func podComputeUsage(pod *corev1.Pod) corev1.ResourceList {
	usage := corev1.ResourceList{}
	requests := resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{})
	limits := resourcehelper.PodLimits(pod, resourcehelper.PodResourcesOptions{})
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage} {
		if q, ok := requests[r]; ok {
			usage[r] = q
			usage["requests."+r] = q
		}
		if q, ok := limits[r]; ok {
			usage["limits."+r] = q
		}
	}
	return usage
}

// podConstraints: when a quota limits cpu or memory, every container must
// state that resource, or the pod's usage is unknown.
func podConstraints(hard corev1.ResourceList, pod *corev1.Pod) string {
	required := sets.New[corev1.ResourceName]()
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceRequestsCPU,
		corev1.ResourceRequestsMemory, corev1.ResourceLimitsCPU, corev1.ResourceLimitsMemory} {
		if _, ok := hard[r]; ok {
			required.Insert(r)
		}
	}
	missing := map[corev1.ResourceName][]string{}
	for _, cs := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for _, c := range cs {
			for _, r := range sets.List(required) {
				if !containerStates(c, r) {
					missing[r] = append(missing[r], c.Name)
				}
			}
		}
	}
	var msgs []string
	for _, r := range sets.List(sets.KeySet(missing)) {
		msgs = append(msgs, fmt.Sprintf("must specify %s for: %s", r, strings.Join(sets.List(sets.New(missing[r]...)), ",")))
	}
	return strings.Join(msgs, "; ")
}

// containerStates reports whether the container gives a value for the
// quota resource name r.
func containerStates(c corev1.Container, r corev1.ResourceName) bool {
	name, list := r, c.Resources.Requests
	switch {
	case strings.HasPrefix(string(r), "requests."):
		name = corev1.ResourceName(strings.TrimPrefix(string(r), "requests."))
	case strings.HasPrefix(string(r), "limits."):
		name, list = corev1.ResourceName(strings.TrimPrefix(string(r), "limits.")), c.Resources.Limits
	}
	_, ok := list[name]
	return ok
}

func add(sum, l corev1.ResourceList) {
	for name, q := range l {
		total := sum[name].DeepCopy()
		total.Add(q)
		sum[name] = total
	}
}

// prettyPrint writes the named quantities as kube does: "pods=1,requests.cpu=500m".
func prettyPrint(l corev1.ResourceList, names []corev1.ResourceName) string {
	sorted := append([]corev1.ResourceName(nil), names...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	parts := make([]string, 0, len(sorted))
	for _, name := range sorted {
		q := l[name]
		parts = append(parts, fmt.Sprintf("%s=%s", name, q.String()))
	}
	return strings.Join(parts, ",")
}
