// Package conversion turns Deployments and ReplicaSets sent in long-removed
// API versions into the version we store, and back; on the way in it also
// does what kube's conversion to the internal version does for a stored
// version (a Secret's stringData is merged into data).
//
// Every resource has one storage version: the version its objects are
// written to etcd in (apps/v1 for Deployments). The server may serve more
// versions; a request in an older one is decoded and defaulted in that
// version, then converted to the storage version, and responses are
// converted back, so clients see the version they asked for.
//
// apps/v1beta1, apps/v1beta2 and extensions/v1beta1 Deployments were removed
// from Kubernetes in v1.16: beta APIs are only kept for a few releases once
// a stable (v1) one exists, because every served version has to be
// converted, defaulted, validated and tested forever. Old tutorials still use
// them, so Glassplane serves them again.
package conversion

import (
	"encoding/json"
	"fmt"
	"reflect"

	appsv1 "k8s.io/api/apps/v1"
	appsv1beta1 "k8s.io/api/apps/v1beta1"
	appsv1beta2 "k8s.io/api/apps/v1beta2"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
)

// ToStorage converts a decoded object of a served older version to its apps/v1
// form; objects already in storage version are returned unchanged, but for a
// Secret, whose stringData is merged into data.
// The old version's defaults are applied first, on a copy: kube defaults in
// the version of the request.
func ToStorage(obj runtime.Object) (runtime.Object, error) {
	switch in := obj.(type) {
	case *appsv1beta2.Deployment:
		return viaJSON(defaultAppsV1beta2Deployment(in.DeepCopy()), &appsv1.Deployment{})
	case *appsv1beta2.ReplicaSet:
		return viaJSON(defaultAppsV1beta2ReplicaSet(in.DeepCopy()), &appsv1.ReplicaSet{})
	case *appsv1beta2.DaemonSet: // apps/v1beta2 had the apps/v1 fields and defaults
		return viaJSON(in, &appsv1.DaemonSet{})
	case *appsv1beta2.StatefulSet:
		return viaJSON(in, &appsv1.StatefulSet{})
	case *extensionsv1beta1.ReplicaSet:
		return viaJSON(defaultExtensionsReplicaSet(in.DeepCopy()), &appsv1.ReplicaSet{})
	case *appsv1beta1.Deployment:
		return deploymentFromAppsV1beta1(defaultAppsV1beta1Deployment(in.DeepCopy()))
	case *extensionsv1beta1.Deployment:
		return deploymentFromExtensions(defaultExtensionsDeployment(in.DeepCopy()))
	case *corev1.Secret:
		return mergeStringData(in), nil
	case *autoscalingv1.HorizontalPodAutoscaler:
		return hpaFromV1(in.DeepCopy()), nil
	}
	if isRemovedVersion(obj) {
		return nil, fmt.Errorf("conversion of %T to a storage version is not supported", obj)
	}
	return obj, nil
}

// FromStorage converts an apps/v1 object to the requested group-version (for
// responses to requests made on the old version).
func FromStorage(obj runtime.Object, gv schema.GroupVersion) (runtime.Object, error) {
	if kinds, _, err := scheme.Scheme.ObjectKinds(obj); err == nil && kinds[0].GroupVersion() == gv {
		return obj, nil // already in the requested version
	}
	switch in := obj.(type) {
	case *appsv1.Deployment:
		switch gv {
		case appsv1beta2.SchemeGroupVersion:
			return viaJSON(in, &appsv1beta2.Deployment{})
		case appsv1beta1.SchemeGroupVersion:
			return deploymentToAppsV1beta1(in.DeepCopy())
		case extensionsv1beta1.SchemeGroupVersion:
			return deploymentToExtensions(in.DeepCopy())
		}
	case *appsv1.ReplicaSet:
		switch gv {
		case appsv1beta2.SchemeGroupVersion:
			return viaJSON(in, &appsv1beta2.ReplicaSet{})
		case extensionsv1beta1.SchemeGroupVersion:
			return viaJSON(in, &extensionsv1beta1.ReplicaSet{})
		}
	case *appsv1.DaemonSet:
		if gv == appsv1beta2.SchemeGroupVersion {
			return viaJSON(in, &appsv1beta2.DaemonSet{})
		}
	case *appsv1.StatefulSet:
		if gv == appsv1beta2.SchemeGroupVersion {
			return viaJSON(in, &appsv1beta2.StatefulSet{})
		}
	case *autoscalingv2.HorizontalPodAutoscaler:
		if gv == autoscalingv1.SchemeGroupVersion {
			return hpaToV1(in.DeepCopy()), nil
		}
	}
	return nil, fmt.Errorf("cannot convert %T to %s", obj, gv)
}

// viaJSON converts in to out by a JSON round trip and gives the result the
// TypeMeta of out's own version.
func viaJSON(in any, out runtime.Object) (runtime.Object, error) {
	if err := copyJSON(in, out); err != nil {
		return nil, err
	}
	return out, setTypeMeta(out)
}

// copyJSON copies in to out through JSON. It is only used where the two
// versions have exactly the same fields (apps/v1beta2 and apps/v1, ReplicaSets
// in every version, Deployment statuses in every version), so nothing can be
// lost; where fields differ, conversion is written out field by field.
func copyJSON(in, out any) error {
	raw, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// setTypeMeta fills apiVersion and kind from the Go type of obj.
func setTypeMeta(obj runtime.Object) error {
	kinds, _, err := scheme.Scheme.ObjectKinds(obj)
	if err != nil {
		return err
	}
	obj.GetObjectKind().SetGroupVersionKind(kinds[0])
	return nil
}

func typeMeta(gv schema.GroupVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: gv.String(), Kind: kind}
}

// isRemovedVersion reports whether obj is a type of one of the old API
// packages, i.e. one we would have to convert but cannot.
func isRemovedVersion(obj runtime.Object) bool {
	t := reflect.TypeOf(obj)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.PkgPath() {
	case "k8s.io/api/apps/v1beta1", "k8s.io/api/apps/v1beta2", "k8s.io/api/extensions/v1beta1":
		return true
	}
	return false
}
