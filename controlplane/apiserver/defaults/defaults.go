// Package defaults fills in the fields a user left empty, the way the
// Kubernetes API server does before it validates and stores an object.
//
// Defaulting in Kubernetes is per API version: every served version has its
// own SetDefaults_* functions (kubernetes/pkg/apis/<group>/<version>/defaults.go)
// and they run right after the request body is decoded, in the version the
// client used. That is why "replicas: 1" or "restartPolicy: Always" show up in
// the stored object even though nobody wrote them. This package reproduces the
// v1 defaulters (core/v1, apps/v1, batch/v1, rbac/v1) for the typed objects of k8s.io/api,
// because k8s.io/kubernetes itself cannot be imported.
package defaults

import (
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Default applies the Kubernetes v1 defaults to obj in place.
// Objects of kinds without defaults are left untouched.
func Default(obj runtime.Object) {
	switch o := obj.(type) {
	case *corev1.Pod:
		pod(o)
	case *corev1.PodTemplate:
		PodTemplate(&o.Template)
	case *corev1.ReplicationController:
		replicationController(o)
	case *corev1.Service:
		service(o)
	case *corev1.Endpoints:
		endpoints(o)
	case *corev1.Namespace:
		namespace(o)
	case *corev1.Node:
		node(o)
	case *corev1.Secret:
		if o.Type == "" {
			o.Type = corev1.SecretTypeOpaque
		}
	case *corev1.ConfigMap:
		if o.Data == nil {
			o.Data = map[string]string{}
		}
	case *corev1.PersistentVolume:
		persistentVolume(o)
	case *corev1.PersistentVolumeClaim:
		persistentVolumeClaim(o)
	case *storagev1.StorageClass:
		storageClass(o)
	case *appsv1.Deployment:
		deployment(o)
	case *appsv1.ReplicaSet:
		replicaSet(o)
	case *appsv1.DaemonSet:
		daemonSet(o)
	case *appsv1.StatefulSet:
		statefulSet(o)
	case *batchv1.Job:
		job(o)
	case *batchv1.CronJob:
		cronJob(o)
	case *autoscalingv2.HorizontalPodAutoscaler:
		horizontalPodAutoscaler(o)
	case *schedulingv1.PriorityClass:
		if o.PreemptionPolicy == nil {
			policy := corev1.PreemptLowerPriority
			o.PreemptionPolicy = &policy
		}
	case *apiextensionsv1.CustomResourceDefinition:
		apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(o)
	case *rbacv1.RoleBinding:
		roleRef(&o.RoleRef)
		subjects(o.Subjects)
	case *rbacv1.ClusterRoleBinding:
		roleRef(&o.RoleRef)
		subjects(o.Subjects)
	}
}
