// Package validation checks the spec of each kind of object the way
// kube-apiserver does (kubernetes/pkg/apis/core/validation,
// apps/validation, rbac/validation …), after admission has finished
// changing it and before it is stored.
//
// Validation is the API server saying "this object cannot exist": a pod
// without containers, a Deployment whose selector does not select its own
// template, a port 70000. Each problem is a field.Error that names the field
// (`spec.template.metadata.labels`), its type (Required value, Invalid
// value, Unsupported value, Duplicate value, Forbidden …) and a message; the
// API server answers 422 Unprocessable Entity with one cause per error, and
// kubectl prints them one per line.
//
// Interface rules: Validate(obj, old) is pure — it reads nothing but its
// arguments — and old is nil on create. On update it also enforces which
// fields may change (a Deployment's selector may not; a pod's spec may only
// change its images, activeDeadlineSeconds and tolerations). Metadata (the
// name, labels, annotations) is checked by the API server itself
// (apiserver/validation.go) for every kind, so it is not checked here.
package validation

import (
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
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Validate validates obj (and, on update, its change from old) by its kind.
// Kinds without rules of their own validate to no errors.
func Validate(obj, old runtime.Object) field.ErrorList {
	switch o := obj.(type) {
	case *corev1.Pod:
		was, _ := old.(*corev1.Pod)
		return ValidatePod(o, was)
	case *apiextensionsv1.CustomResourceDefinition:
		was, _ := old.(*apiextensionsv1.CustomResourceDefinition)
		return ValidateCustomResourceDefinition(o, was)
	case *appsv1.Deployment:
		was, _ := old.(*appsv1.Deployment)
		return ValidateDeployment(o, was)
	case *appsv1.ReplicaSet:
		was, _ := old.(*appsv1.ReplicaSet)
		return ValidateReplicaSet(o, was)
	case *appsv1.DaemonSet:
		was, _ := old.(*appsv1.DaemonSet)
		return ValidateDaemonSet(o, was)
	case *appsv1.StatefulSet:
		was, _ := old.(*appsv1.StatefulSet)
		return ValidateStatefulSet(o, was)
	case *corev1.Service:
		was, _ := old.(*corev1.Service)
		return ValidateService(o, was)
	case *corev1.Endpoints:
		return ValidateEndpoints(o)
	case *corev1.Namespace:
		return ValidateNamespace(o)
	case *corev1.Node:
		was, _ := old.(*corev1.Node)
		return ValidateNode(o, was)
	case *corev1.ConfigMap:
		was, _ := old.(*corev1.ConfigMap)
		return ValidateConfigMap(o, was)
	case *corev1.Secret:
		was, _ := old.(*corev1.Secret)
		return ValidateSecret(o, was)
	case *corev1.ResourceQuota:
		return ValidateResourceQuota(o)
	case *corev1.Event:
		return ValidateEvent(o)
	case *coordinationv1.Lease:
		return ValidateLease(o)
	case *batchv1.Job:
		was, _ := old.(*batchv1.Job)
		return ValidateJob(o, was)
	case *batchv1.CronJob:
		return ValidateCronJob(o)
	case *autoscalingv2.HorizontalPodAutoscaler:
		return ValidateHorizontalPodAutoscaler(o)
	case *schedulingv1.PriorityClass:
		was, _ := old.(*schedulingv1.PriorityClass)
		return ValidatePriorityClass(o, was)
	case *policyv1.PodDisruptionBudget:
		return ValidatePodDisruptionBudget(o)
	case *corev1.PersistentVolume:
		return ValidatePersistentVolume(o)
	case *corev1.PersistentVolumeClaim:
		was, _ := old.(*corev1.PersistentVolumeClaim)
		return ValidatePersistentVolumeClaim(o, was)
	case *storagev1.StorageClass:
		was, _ := old.(*storagev1.StorageClass)
		return ValidateStorageClass(o, was)
	case *corev1.ReplicationController:
		return ValidateReplicationController(o)
	case *networkingv1.Ingress:
		return ValidateIngress(o)
	case *networkingv1.IngressClass:
		return ValidateIngressClass(o)
	case *discoveryv1.EndpointSlice:
		was, _ := old.(*discoveryv1.EndpointSlice)
		return ValidateEndpointSlice(o, was)
	case *rbacv1.Role:
		return ValidateRules(o.Rules, true)
	case *rbacv1.ClusterRole:
		return ValidateRules(o.Rules, false)
	case *rbacv1.RoleBinding:
		was, _ := old.(*rbacv1.RoleBinding)
		return ValidateRoleBinding(o.RoleRef, o.Subjects, true, oldRoleRef(was))
	case *rbacv1.ClusterRoleBinding:
		was, _ := old.(*rbacv1.ClusterRoleBinding)
		var ref *rbacv1.RoleRef
		if was != nil {
			ref = &was.RoleRef
		}
		return ValidateRoleBinding(o.RoleRef, o.Subjects, false, ref)
	}
	return nil
}

func oldRoleRef(b *rbacv1.RoleBinding) *rbacv1.RoleRef {
	if b == nil {
		return nil
	}
	return &b.RoleRef
}
