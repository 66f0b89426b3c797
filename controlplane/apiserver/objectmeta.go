package apiserver

// The API server owns some fields of every object: it sets uid,
// creationTimestamp and generation, keeps them from changing, and bumps
// generation when the spec changes (controllers report the generation they
// have seen in status.observedGeneration). Status is written only through the
// status subresource, so a user's update cannot overwrite what a controller
// reported.

import (
	"reflect"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/apiserver/pkg/storage/names"
)

// prepareForCreate sets the server-owned fields of a new object.
func prepareForCreate(obj runtime.Object) {
	m, _ := meta.Accessor(obj)
	if m.GetName() == "" && m.GetGenerateName() != "" {
		m.SetName(names.SimpleNameGenerator.GenerateName(m.GetGenerateName()))
	}
	m.SetUID(uuid.NewUUID())
	m.SetCreationTimestamp(metav1.NewTime(time.Now().Truncate(time.Second)))
	m.SetResourceVersion("")
	m.SetDeletionTimestamp(nil)
	m.SetDeletionGracePeriodSeconds(nil)
	m.SetManagedFields(nil)
	if tracksGeneration(obj) {
		m.SetGeneration(1)
	}
	switch o := obj.(type) {
	case *corev1.Pod:
		o.Status = corev1.PodStatus{Phase: corev1.PodPending, QOSClass: qosClass(&o.Spec)}
	case *corev1.Namespace:
		o.Status = corev1.NamespaceStatus{Phase: corev1.NamespaceActive}
		if len(o.Spec.Finalizers) == 0 {
			o.Spec.Finalizers = []corev1.FinalizerName{corev1.FinalizerKubernetes}
		}
	case *batchv1.Job:
		generateJobSelector(o)
		o.Status = batchv1.JobStatus{}
	case *apiextensionsv1.CustomResourceDefinition:
		prepareCRDForCreate(o)
	case *corev1.Node, *corev1.Service:
		// A node's kubelet registers it with its status; a service's status
		// (load balancer) is empty at first anyway.
	default:
		clearField(obj, "Status")
	}
}

// prepareForUpdate carries the server-owned fields of old over to obj. When
// statusOnly is false (a main-resource update), status is kept from old; when
// true (the status subresource), everything but status is kept from old.
func prepareForUpdate(obj, old runtime.Object, statusOnly bool) {
	m, _ := meta.Accessor(obj)
	o, _ := meta.Accessor(old)
	if statusOnly {
		st := fieldValue(obj, "Status")
		copyInto(obj, old)
		setField(obj, "Status", st)
		m.SetResourceVersion(resourceVersionOf(m, o))
		return
	}
	m.SetUID(o.GetUID())
	m.SetCreationTimestamp(o.GetCreationTimestamp())
	m.SetDeletionTimestamp(o.GetDeletionTimestamp())
	m.SetDeletionGracePeriodSeconds(o.GetDeletionGracePeriodSeconds())
	m.SetGeneration(o.GetGeneration())
	if hasField(obj, "Status") {
		setField(obj, "Status", fieldValue(old, "Status"))
	}
	switch o := obj.(type) {
	case *corev1.Namespace:
		// A namespace's spec.finalizers change only through /finalize.
		o.Spec.Finalizers = old.(*corev1.Namespace).Spec.Finalizers
	case *corev1.Service:
		keepServiceAddresses(o, old.(*corev1.Service))
	case *apiextensionsv1.CustomResourceDefinition:
		prepareCRDForUpdate(o)
	}
	if tracksGeneration(obj) && !equality.Semantic.DeepEqual(fieldValue(obj, "Spec"), fieldValue(old, "Spec")) {
		m.SetGeneration(o.GetGeneration() + 1)
	}
}

// tracksGeneration reports the kinds whose controllers (or kubelet) report
// status.observedGeneration, so the API server counts spec changes for them.
func tracksGeneration(obj runtime.Object) bool {
	switch obj.(type) {
	case *appsv1.Deployment, *appsv1.ReplicaSet, *appsv1.DaemonSet, *appsv1.StatefulSet, *corev1.Pod,
		*batchv1.Job, *batchv1.CronJob, *apiextensionsv1.CustomResourceDefinition:
		return true
	}
	return false
}

// resourceVersionOf keeps the client's precondition when it sent one.
func resourceVersionOf(m, old metav1.Object) string {
	if rv := m.GetResourceVersion(); rv != "" {
		return rv
	}
	return old.GetResourceVersion()
}

func qosClass(spec *corev1.PodSpec) corev1.PodQOSClass {
	requests, limits := false, true
	for _, c := range spec.Containers {
		if len(c.Resources.Requests) > 0 || len(c.Resources.Limits) > 0 {
			requests = true
		}
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			l, ok := c.Resources.Limits[r]
			q, hasReq := c.Resources.Requests[r]
			if !ok || (hasReq && q.Cmp(l) != 0) {
				limits = false
			}
		}
	}
	switch {
	case !requests:
		return corev1.PodQOSBestEffort
	case limits:
		return corev1.PodQOSGuaranteed
	}
	return corev1.PodQOSBurstable
}

// The k8s.io/api types all keep their spec and status in fields named Spec
// and Status; these helpers reach them without a switch over every kind.

func hasField(obj runtime.Object, name string) bool {
	return reflect.ValueOf(obj).Elem().FieldByName(name).IsValid()
}

func fieldValue(obj runtime.Object, name string) any {
	f := reflect.ValueOf(obj).Elem().FieldByName(name)
	if !f.IsValid() {
		return nil
	}
	return f.Interface()
}

func setField(obj runtime.Object, name string, v any) {
	f := reflect.ValueOf(obj).Elem().FieldByName(name)
	if f.IsValid() && v != nil {
		f.Set(reflect.ValueOf(v))
	}
}

func clearField(obj runtime.Object, name string) {
	f := reflect.ValueOf(obj).Elem().FieldByName(name)
	if f.IsValid() {
		f.Set(reflect.Zero(f.Type()))
	}
}

// copyInto overwrites dst with a deep copy of src (same type).
func copyInto(dst, src runtime.Object) {
	reflect.ValueOf(dst).Elem().Set(reflect.ValueOf(src.DeepCopyObject()).Elem())
}

// finalizersLeft counts what still holds an object being deleted: its
// finalizers, and a namespace's spec.finalizers.
func finalizersLeft(obj runtime.Object) int {
	m, _ := meta.Accessor(obj)
	n := len(m.GetFinalizers())
	if ns, ok := obj.(*corev1.Namespace); ok {
		n += len(ns.Spec.Finalizers)
	}
	return n
}

// keepServiceAddresses carries a Service's allocated ClusterIP and node ports
// over an update that leaves them out (`kubectl replace` of a manifest that
// never named them), as kube-apiserver does.
func keepServiceAddresses(svc, old *corev1.Service) {
	if svc.Spec.ClusterIP == "" {
		svc.Spec.ClusterIP, svc.Spec.ClusterIPs = old.Spec.ClusterIP, old.Spec.ClusterIPs
	}
	for i := range svc.Spec.Ports {
		p := &svc.Spec.Ports[i]
		for _, o := range old.Spec.Ports {
			if p.NodePort == 0 && o.Port == p.Port && o.Protocol == p.Protocol {
				p.NodePort = o.NodePort
			}
		}
	}
}
