// Package registry is where the API server keeps each kind of object in etcd.
//
// In Kubernetes every resource (pods, deployments, …) has a storage path under
// /registry, a Go type, a list type, and rules: which verbs it answers, which
// subresources it has, which fields a field selector may name. This file is
// the table of the resources Glassplane serves; store.go turns requests into
// etcd transactions for any row of it.
package registry

import (
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Resource is one kind of object the API server stores.
type Resource struct {
	// GroupVersion is the storage version: objects are kept in etcd in it.
	schema.GroupVersion
	Resource   string // plural, lower case: "deployments"
	Kind       string // "Deployment"
	Namespaced bool
	// StoragePath is the etcd path segment after /registry; it differs from
	// Resource for nodes, which Kubernetes stores as "minions".
	StoragePath  string
	ShortNames   []string
	Categories   []string
	Subresources []string // "status", "scale", "binding", "log"
	New          func() runtime.Object
	NewList      func() runtime.Object
	// Fields returns the fields a field selector may match (always metadata.name
	// and metadata.namespace; pods add spec.nodeName and status.phase …).
	Fields func(obj runtime.Object) fields.Set
}

// Verbs are the verbs every Glassplane resource answers.
var Verbs = []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}

// GroupVersionKind is the resource's kind in its storage version.
func (r *Resource) GroupVersionKind() schema.GroupVersionKind {
	return r.GroupVersion.WithKind(r.Kind)
}

// GroupResource names the resource the way errors do: "deployments.apps".
func (r *Resource) GroupResource() schema.GroupResource {
	return schema.GroupResource{Group: r.Group, Resource: r.Resource}
}

// HasSubresource reports whether sub is served for this resource.
func (r *Resource) HasSubresource(sub string) bool {
	for _, s := range r.Subresources {
		if s == sub {
			return true
		}
	}
	return false
}

var (
	core        = schema.GroupVersion{Version: "v1"}
	apps        = schema.GroupVersion{Group: "apps", Version: "v1"}
	rbac        = schema.GroupVersion{Group: "rbac.authorization.k8s.io", Version: "v1"}
	coordinaton = schema.GroupVersion{Group: "coordination.k8s.io", Version: "v1"}
	discovery   = schema.GroupVersion{Group: "discovery.k8s.io", Version: "v1"}
	policy      = schema.GroupVersion{Group: "policy", Version: "v1"}
	batch       = schema.GroupVersion{Group: "batch", Version: "v1"}
	scheduling  = schema.GroupVersion{Group: "scheduling.k8s.io", Version: "v1"}
	storageK8s  = schema.GroupVersion{Group: "storage.k8s.io", Version: "v1"}
	networking  = schema.GroupVersion{Group: "networking.k8s.io", Version: "v1"}
	autoscaling = schema.GroupVersion{Group: "autoscaling", Version: "v2"}
)

// Resources is every resource Glassplane serves, in discovery order.
var Resources = []*Resource{
	{GroupVersion: core, Resource: "namespaces", Kind: "Namespace", ShortNames: []string{"ns"},
		Subresources: []string{"status", "finalize"},
		New:          func() runtime.Object { return &corev1.Namespace{} }, NewList: func() runtime.Object { return &corev1.NamespaceList{} },
		Fields: namespaceFields},
	{GroupVersion: core, Resource: "nodes", Kind: "Node", StoragePath: "minions", ShortNames: []string{"no"},
		Subresources: []string{"status"},
		New:          func() runtime.Object { return &corev1.Node{} }, NewList: func() runtime.Object { return &corev1.NodeList{} },
		Fields: nodeFields},
	{GroupVersion: core, Resource: "pods", Kind: "Pod", Namespaced: true, ShortNames: []string{"po"}, Categories: []string{"all"},
		Subresources: []string{"status", "binding", "log", "eviction", "exec", "attach", "portforward"},
		New:          func() runtime.Object { return &corev1.Pod{} }, NewList: func() runtime.Object { return &corev1.PodList{} },
		Fields: podFields},
	{GroupVersion: core, Resource: "services", Kind: "Service", Namespaced: true, StoragePath: "services/specs", ShortNames: []string{"svc"}, Categories: []string{"all"},
		Subresources: []string{"status"},
		New:          func() runtime.Object { return &corev1.Service{} }, NewList: func() runtime.Object { return &corev1.ServiceList{} }},
	{GroupVersion: core, Resource: "endpoints", Kind: "Endpoints", Namespaced: true, StoragePath: "services/endpoints", ShortNames: []string{"ep"},
		New: func() runtime.Object { return &corev1.Endpoints{} }, NewList: func() runtime.Object { return &corev1.EndpointsList{} }},
	{GroupVersion: core, Resource: "configmaps", Kind: "ConfigMap", Namespaced: true, ShortNames: []string{"cm"},
		New: func() runtime.Object { return &corev1.ConfigMap{} }, NewList: func() runtime.Object { return &corev1.ConfigMapList{} }},
	{GroupVersion: core, Resource: "secrets", Kind: "Secret", Namespaced: true,
		New: func() runtime.Object { return &corev1.Secret{} }, NewList: func() runtime.Object { return &corev1.SecretList{} },
		Fields: secretFields},
	{GroupVersion: core, Resource: "serviceaccounts", Kind: "ServiceAccount", Namespaced: true, ShortNames: []string{"sa"},
		Subresources: []string{"token"},
		New:          func() runtime.Object { return &corev1.ServiceAccount{} }, NewList: func() runtime.Object { return &corev1.ServiceAccountList{} }},
	{GroupVersion: core, Resource: "events", Kind: "Event", Namespaced: true, ShortNames: []string{"ev"},
		New: func() runtime.Object { return &corev1.Event{} }, NewList: func() runtime.Object { return &corev1.EventList{} },
		Fields: eventFields},
	{GroupVersion: core, Resource: "resourcequotas", Kind: "ResourceQuota", Namespaced: true, ShortNames: []string{"quota"},
		Subresources: []string{"status"},
		New:          func() runtime.Object { return &corev1.ResourceQuota{} }, NewList: func() runtime.Object { return &corev1.ResourceQuotaList{} }},
	{GroupVersion: apps, Resource: "deployments", Kind: "Deployment", Namespaced: true, ShortNames: []string{"deploy"}, Categories: []string{"all"},
		Subresources: []string{"status", "scale"},
		New:          func() runtime.Object { return &appsv1.Deployment{} }, NewList: func() runtime.Object { return &appsv1.DeploymentList{} }},
	{GroupVersion: apps, Resource: "replicasets", Kind: "ReplicaSet", Namespaced: true, ShortNames: []string{"rs"}, Categories: []string{"all"},
		Subresources: []string{"status", "scale"},
		New:          func() runtime.Object { return &appsv1.ReplicaSet{} }, NewList: func() runtime.Object { return &appsv1.ReplicaSetList{} }},
	{GroupVersion: apps, Resource: "daemonsets", Kind: "DaemonSet", Namespaced: true, ShortNames: []string{"ds"}, Categories: []string{"all"},
		Subresources: []string{"status"},
		New:          func() runtime.Object { return &appsv1.DaemonSet{} }, NewList: func() runtime.Object { return &appsv1.DaemonSetList{} }},
	{GroupVersion: apps, Resource: "statefulsets", Kind: "StatefulSet", Namespaced: true, ShortNames: []string{"sts"}, Categories: []string{"all"},
		Subresources: []string{"status", "scale"},
		New:          func() runtime.Object { return &appsv1.StatefulSet{} }, NewList: func() runtime.Object { return &appsv1.StatefulSetList{} }},
	{GroupVersion: apps, Resource: "controllerrevisions", Kind: "ControllerRevision", Namespaced: true,
		New: func() runtime.Object { return &appsv1.ControllerRevision{} }, NewList: func() runtime.Object { return &appsv1.ControllerRevisionList{} }},
	{GroupVersion: rbac, Resource: "roles", Kind: "Role", Namespaced: true,
		New: func() runtime.Object { return &rbacv1.Role{} }, NewList: func() runtime.Object { return &rbacv1.RoleList{} }},
	{GroupVersion: rbac, Resource: "rolebindings", Kind: "RoleBinding", Namespaced: true,
		New: func() runtime.Object { return &rbacv1.RoleBinding{} }, NewList: func() runtime.Object { return &rbacv1.RoleBindingList{} }},
	{GroupVersion: rbac, Resource: "clusterroles", Kind: "ClusterRole",
		New: func() runtime.Object { return &rbacv1.ClusterRole{} }, NewList: func() runtime.Object { return &rbacv1.ClusterRoleList{} }},
	{GroupVersion: rbac, Resource: "clusterrolebindings", Kind: "ClusterRoleBinding",
		New: func() runtime.Object { return &rbacv1.ClusterRoleBinding{} }, NewList: func() runtime.Object { return &rbacv1.ClusterRoleBindingList{} }},
	{GroupVersion: coordinaton, Resource: "leases", Kind: "Lease", Namespaced: true,
		New: func() runtime.Object { return &coordinationv1.Lease{} }, NewList: func() runtime.Object { return &coordinationv1.LeaseList{} }},
	{GroupVersion: discovery, Resource: "endpointslices", Kind: "EndpointSlice", Namespaced: true,
		New: func() runtime.Object { return &discoveryv1.EndpointSlice{} }, NewList: func() runtime.Object { return &discoveryv1.EndpointSliceList{} }},
	{GroupVersion: policy, Resource: "poddisruptionbudgets", Kind: "PodDisruptionBudget", Namespaced: true, ShortNames: []string{"pdb"},
		Subresources: []string{"status"},
		New:          func() runtime.Object { return &policyv1.PodDisruptionBudget{} }, NewList: func() runtime.Object { return &policyv1.PodDisruptionBudgetList{} }},
	{GroupVersion: batch, Resource: "jobs", Kind: "Job", Namespaced: true, Categories: []string{"all"},
		Subresources: []string{"status"},
		New:          func() runtime.Object { return &batchv1.Job{} }, NewList: func() runtime.Object { return &batchv1.JobList{} },
		Fields: jobFields},
	{GroupVersion: batch, Resource: "cronjobs", Kind: "CronJob", Namespaced: true, ShortNames: []string{"cj"}, Categories: []string{"all"},
		Subresources: []string{"status"},
		New:          func() runtime.Object { return &batchv1.CronJob{} }, NewList: func() runtime.Object { return &batchv1.CronJobList{} }},
	{GroupVersion: scheduling, Resource: "priorityclasses", Kind: "PriorityClass", ShortNames: []string{"pc"},
		New: func() runtime.Object { return &schedulingv1.PriorityClass{} }, NewList: func() runtime.Object { return &schedulingv1.PriorityClassList{} }},
	// Storage: volumes (cluster-wide), the claims pods make on them, and the
	// classes that say how a claim gets a volume made for it.
	{GroupVersion: core, Resource: "persistentvolumes", Kind: "PersistentVolume", ShortNames: []string{"pv"},
		Subresources: []string{"status"},
		New:          func() runtime.Object { return &corev1.PersistentVolume{} }, NewList: func() runtime.Object { return &corev1.PersistentVolumeList{} }},
	{GroupVersion: core, Resource: "persistentvolumeclaims", Kind: "PersistentVolumeClaim", Namespaced: true, ShortNames: []string{"pvc"},
		Subresources: []string{"status"},
		New:          func() runtime.Object { return &corev1.PersistentVolumeClaim{} }, NewList: func() runtime.Object { return &corev1.PersistentVolumeClaimList{} }},
	{GroupVersion: storageK8s, Resource: "storageclasses", Kind: "StorageClass", ShortNames: []string{"sc"},
		New: func() runtime.Object { return &storagev1.StorageClass{} }, NewList: func() runtime.Object { return &storagev1.StorageClassList{} }},
	// ReplicationControllers: the ReplicaSet's predecessor, still in core v1.
	{GroupVersion: core, Resource: "replicationcontrollers", Kind: "ReplicationController", Namespaced: true, ShortNames: []string{"rc"}, Categories: []string{"all"},
		Subresources: []string{"status", "scale"},
		New:          func() runtime.Object { return &corev1.ReplicationController{} }, NewList: func() runtime.Object { return &corev1.ReplicationControllerList{} }},
	// Ingresses: HTTP routes into Services, acted on by an ingress
	// controller, which a cluster does not have until someone installs one.
	{GroupVersion: networking, Resource: "ingresses", Kind: "Ingress", Namespaced: true, ShortNames: []string{"ing"},
		Subresources: []string{"status"},
		New:          func() runtime.Object { return &networkingv1.Ingress{} }, NewList: func() runtime.Object { return &networkingv1.IngressList{} }},
	{GroupVersion: networking, Resource: "ingressclasses", Kind: "IngressClass",
		New: func() runtime.Object { return &networkingv1.IngressClass{} }, NewList: func() runtime.Object { return &networkingv1.IngressClassList{} }},
	// HorizontalPodAutoscalers: scale a workload on its pods' metrics.
	{GroupVersion: autoscaling, Resource: "horizontalpodautoscalers", Kind: "HorizontalPodAutoscaler", Namespaced: true, ShortNames: []string{"hpa"}, Categories: []string{"all"},
		Subresources: []string{"status"},
		New:          func() runtime.Object { return &autoscalingv2.HorizontalPodAutoscaler{} }, NewList: func() runtime.Object { return &autoscalingv2.HorizontalPodAutoscalerList{} }},
	// CustomResourceDefinitions: new kinds, served from the moment they are
	// established (customresources.go in the API server).
	{GroupVersion: apiextensionsv1.SchemeGroupVersion, Resource: "customresourcedefinitions", Kind: "CustomResourceDefinition",
		ShortNames: []string{"crd", "crds"}, Categories: []string{"api-extensions"}, Subresources: []string{"status"},
		New:     func() runtime.Object { return &apiextensionsv1.CustomResourceDefinition{} },
		NewList: func() runtime.Object { return &apiextensionsv1.CustomResourceDefinitionList{} }},
}

// Lookup finds a served resource by group and plural name.
func Lookup(group, resource string) (*Resource, bool) {
	for _, r := range Resources {
		if r.Group == group && r.Resource == resource {
			return r, true
		}
	}
	return nil, false
}

func metaFields(obj runtime.Object) fields.Set {
	m := accessor(obj)
	set := fields.Set{"metadata.name": m.GetName()}
	if ns := m.GetNamespace(); ns != "" {
		set["metadata.namespace"] = ns
	}
	return set
}

// SelectableFields returns the fields a field selector may match on obj.
func (r *Resource) SelectableFields(obj runtime.Object) fields.Set {
	set := metaFields(obj)
	if r.Fields != nil {
		for k, v := range r.Fields(obj) {
			set[k] = v
		}
	}
	return set
}

func podFields(obj runtime.Object) fields.Set {
	p := obj.(*corev1.Pod)
	return fields.Set{
		"spec.nodeName":           p.Spec.NodeName,
		"spec.schedulerName":      p.Spec.SchedulerName,
		"spec.serviceAccountName": p.Spec.ServiceAccountName,
		"status.phase":            string(p.Status.Phase),
		"status.podIP":            p.Status.PodIP,
		"spec.restartPolicy":      string(p.Spec.RestartPolicy),
	}
}

func nodeFields(obj runtime.Object) fields.Set {
	return fields.Set{"spec.unschedulable": boolString(obj.(*corev1.Node).Spec.Unschedulable)}
}

func namespaceFields(obj runtime.Object) fields.Set {
	return fields.Set{"status.phase": string(obj.(*corev1.Namespace).Status.Phase)}
}

func secretFields(obj runtime.Object) fields.Set {
	return fields.Set{"type": string(obj.(*corev1.Secret).Type)}
}

// eventFields are the fields `kubectl describe` selects events by.
func eventFields(obj runtime.Object) fields.Set {
	e := obj.(*corev1.Event)
	return fields.Set{
		"involvedObject.kind":            e.InvolvedObject.Kind,
		"involvedObject.namespace":       e.InvolvedObject.Namespace,
		"involvedObject.name":            e.InvolvedObject.Name,
		"involvedObject.uid":             string(e.InvolvedObject.UID),
		"involvedObject.apiVersion":      e.InvolvedObject.APIVersion,
		"involvedObject.resourceVersion": e.InvolvedObject.ResourceVersion,
		"involvedObject.fieldPath":       e.InvolvedObject.FieldPath,
		"reason":                         e.Reason,
		"reportingComponent":             e.ReportingController,
		"source":                         e.Source.Component,
		"type":                           e.Type,
	}
}

// jobFields: kube lets a Job be selected by how many of its pods succeeded.
func jobFields(obj runtime.Object) fields.Set {
	return fields.Set{"status.successful": strconv.Itoa(int(obj.(*batchv1.Job).Status.Succeeded))}
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
