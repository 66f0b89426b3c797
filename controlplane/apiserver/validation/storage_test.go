package validation

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/apiserver/defaults"
)

func claim(edits ...func(*corev1.PersistentVolumeClaim)) *corev1.PersistentVolumeClaim {
	c := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "data", Namespace: "default"},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}
	defaults.Default(c)
	for _, e := range edits {
		e(c)
	}
	return c
}

func volume(edits ...func(*corev1.PersistentVolume)) *corev1.PersistentVolume {
	v := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "disk"},
		Spec: corev1.PersistentVolumeSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Capacity:               corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/tmp/disk"}}}}
	defaults.Default(v)
	for _, e := range edits {
		e(v)
	}
	return v
}

func TestStorageValidationRefusesWhatKubeRefuses(t *testing.T) {
	class := &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "fast"}, Provisioner: "glassplane.dev/hostpath"}
	defaults.Default(class)
	changedClass := class.DeepCopy()
	changedClass.Provisioner = "example.com/other"
	run(t, []validationCase{
		{name: "a claim", obj: claim()},
		{name: "a claim without access modes", obj: claim(func(c *corev1.PersistentVolumeClaim) { c.Spec.AccessModes = nil }),
			want: []string{"spec.accessModes: Required value: at least 1 access mode is required"}},
		{name: "a claim without a storage request", obj: claim(func(c *corev1.PersistentVolumeClaim) { c.Spec.Resources.Requests = nil }),
			want: []string{"spec.resources.requests[storage]: Required value"}},
		{name: "a claim bound by the binder", obj: claim(func(c *corev1.PersistentVolumeClaim) {
			c.Spec.VolumeName, c.Spec.StorageClassName = "pvc-1", ptr.To("standard")
		}), old: claim()},
		{name: "a claim asking for more", obj: claim(func(c *corev1.PersistentVolumeClaim) {
			c.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany}
		}), old: claim(), want: []string{"spec: Forbidden: spec is immutable after creation"}},
		{name: "a volume", obj: volume()},
		{name: "a volume with no source", obj: volume(func(v *corev1.PersistentVolume) { v.Spec.HostPath = nil }),
			want: []string{"spec: Required value: must specify a volume type"}},
		{name: "a volume with no capacity", obj: volume(func(v *corev1.PersistentVolume) { v.Spec.Capacity = nil }),
			want: []string{"spec.capacity: Required value"}},
		{name: "a class", obj: class},
		{name: "a class whose provisioner changes", obj: changedClass, old: class,
			want: []string{"provisioner: Forbidden: updates to provisioner are forbidden."}},
		{name: "a ReplicationController without a selector", obj: &corev1.ReplicationController{
			Spec: corev1.ReplicationControllerSpec{Template: &corev1.PodTemplateSpec{}}},
			want: []string{"spec.selector: Required value"}},
		{name: "an IngressClass without a controller", obj: &networkingv1.IngressClass{},
			want: []string{"spec.controller: Required value"}},
		{name: "an Ingress with nowhere to go", obj: &networkingv1.Ingress{},
			want: []string{"either `defaultBackend` or `rules` must be specified"}},
	})
}
