package conversion

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	appsv1beta1 "k8s.io/api/apps/v1beta1"
	appsv1beta2 "k8s.io/api/apps/v1beta2"
	corev1 "k8s.io/api/core/v1"
	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/glassplane/glassplane/controlplane/apiserver/defaults"
)

// The seed article's manifest, verbatim.
func seedYAML(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "hello-deployment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decode reads the seed manifest into the Go type of any Deployment version,
// as if it had been sent with that type's apiVersion.
func decode(t *testing.T, into runtime.Object) {
	t.Helper()
	if err := yaml.Unmarshal(seedYAML(t), into); err != nil {
		t.Fatal(err)
	}
	if err := setTypeMeta(into); err != nil {
		t.Fatal(err)
	}
}

func TestSeedToStorage(t *testing.T) {
	in := &appsv1beta2.Deployment{}
	decode(t, in)
	submitted := in.DeepCopy()

	obj, err := ToStorage(in)
	if err != nil {
		t.Fatal(err)
	}
	out := obj.(*appsv1.Deployment)
	if out.APIVersion != "apps/v1" || out.Kind != "Deployment" || out.Name != "helloworld-deployment" {
		t.Errorf("typeMeta/name = %s %s %s", out.APIVersion, out.Kind, out.Name)
	}
	if *out.Spec.Replicas != 1 || !equality.Semantic.DeepEqual(out.Spec.Selector, in.Spec.Selector) {
		t.Errorf("replicas/selector changed: %d %v", *out.Spec.Replicas, out.Spec.Selector)
	}
	// The template is the submitted one plus the pod template defaults.
	wantTemplate := in.Spec.Template.DeepCopy()
	defaults.PodTemplate(wantTemplate)
	if !equality.Semantic.DeepEqual(out.Spec.Template, *wantTemplate) {
		t.Errorf("template = %+v", out.Spec.Template)
	}
	if *out.Spec.RevisionHistoryLimit != 10 || *out.Spec.ProgressDeadlineSeconds != 600 ||
		*out.Spec.Strategy.RollingUpdate.MaxSurge != intstr.FromString("25%") {
		t.Errorf("apps/v1beta2 defaults missing: %+v", out.Spec)
	}
	if !equality.Semantic.DeepEqual(in, submitted) {
		t.Error("ToStorage must not modify its argument")
	}
}

func TestSeedRoundTrip(t *testing.T) {
	in := &appsv1beta2.Deployment{}
	decode(t, in)
	stored, err := ToStorage(in)
	if err != nil {
		t.Fatal(err)
	}
	back, err := FromStorage(stored, appsv1beta2.SchemeGroupVersion)
	if err != nil {
		t.Fatal(err)
	}
	// What a client reads back is what it sent, defaulted in its version.
	want := defaultAppsV1beta2Deployment(in.DeepCopy())
	if !equality.Semantic.DeepEqual(back, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, want)
	}
}

func TestOldVersionDefaults(t *testing.T) {
	ext := &extensionsv1beta1.Deployment{}
	decode(t, ext)
	ext.Spec.Selector = nil // optional before apps/v1beta2
	obj, err := ToStorage(ext)
	if err != nil {
		t.Fatal(err)
	}
	out := obj.(*appsv1.Deployment)
	if got := out.Spec.Selector.MatchLabels; len(got) != 1 || got["app"] != "helloworld-pod" {
		t.Errorf("selector = %v, want the template labels", out.Spec.Selector)
	}
	if out.Labels["app"] != "helloworld-pod" {
		t.Errorf("labels = %v, want the template labels", out.Labels)
	}
	ru := out.Spec.Strategy.RollingUpdate
	if *out.Spec.RevisionHistoryLimit != math.MaxInt32 || *out.Spec.ProgressDeadlineSeconds != math.MaxInt32 ||
		*ru.MaxSurge != intstr.FromInt32(1) || *ru.MaxUnavailable != intstr.FromInt32(1) {
		t.Errorf("extensions/v1beta1 defaults: %+v", out.Spec)
	}

	beta1 := &appsv1beta1.Deployment{}
	decode(t, beta1)
	obj, err = ToStorage(beta1)
	if err != nil {
		t.Fatal(err)
	}
	out = obj.(*appsv1.Deployment)
	if *out.Spec.RevisionHistoryLimit != 2 || *out.Spec.Strategy.RollingUpdate.MaxSurge != intstr.FromString("25%") {
		t.Errorf("apps/v1beta1 defaults: %+v", out.Spec)
	}
}

func TestRollbackToRoundTrip(t *testing.T) {
	ext := &extensionsv1beta1.Deployment{}
	decode(t, ext)
	ext.Spec.RollbackTo = &extensionsv1beta1.RollbackConfig{Revision: 4}
	stored, err := ToStorage(ext)
	if err != nil {
		t.Fatal(err)
	}
	if got := stored.(*appsv1.Deployment).Annotations[appsv1.DeprecatedRollbackTo]; got != "4" {
		t.Errorf("annotation = %q, want 4", got)
	}
	back, err := FromStorage(stored, extensionsv1beta1.SchemeGroupVersion)
	if err != nil {
		t.Fatal(err)
	}
	b := back.(*extensionsv1beta1.Deployment)
	if b.Spec.RollbackTo == nil || b.Spec.RollbackTo.Revision != 4 || len(b.Annotations) != 0 {
		t.Errorf("rollbackTo = %v, annotations = %v", b.Spec.RollbackTo, b.Annotations)
	}
	if !equality.Semantic.DeepEqual(b, defaultExtensionsDeployment(ext.DeepCopy())) {
		t.Errorf("extensions/v1beta1 round trip changed the object: %+v", b)
	}
}

func TestStatusIsConverted(t *testing.T) {
	d := &appsv1.Deployment{Status: appsv1.DeploymentStatus{
		Replicas: 3, ReadyReplicas: 2,
		Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue}},
	}}
	for _, gv := range []schema.GroupVersion{appsv1beta1.SchemeGroupVersion, appsv1beta2.SchemeGroupVersion, extensionsv1beta1.SchemeGroupVersion} {
		old, err := FromStorage(d, gv)
		if err != nil {
			t.Fatal(err)
		}
		v1, err := ToStorage(old)
		if err != nil {
			t.Fatal(err)
		}
		if !equality.Semantic.DeepEqual(v1.(*appsv1.Deployment).Status, d.Status) {
			t.Errorf("%s: status = %+v", gv, v1.(*appsv1.Deployment).Status)
		}
	}
}

func TestReplicaSets(t *testing.T) {
	rs := &extensionsv1beta1.ReplicaSet{}
	rs.Spec.Template.Labels = map[string]string{"app": "x"}
	obj, err := ToStorage(rs)
	if err != nil {
		t.Fatal(err)
	}
	out := obj.(*appsv1.ReplicaSet)
	if out.APIVersion != "apps/v1" || *out.Spec.Replicas != 1 || out.Spec.Selector.MatchLabels["app"] != "x" {
		t.Errorf("replicaSet = %+v", out)
	}
	back, err := FromStorage(out, appsv1beta2.SchemeGroupVersion)
	if err != nil {
		t.Fatal(err)
	}
	if back.GetObjectKind().GroupVersionKind() != appsv1beta2.SchemeGroupVersion.WithKind("ReplicaSet") {
		t.Errorf("kind = %v", back.GetObjectKind().GroupVersionKind())
	}
}

func TestStorageVersionAndErrors(t *testing.T) {
	d := &appsv1.Deployment{}
	if obj, err := ToStorage(d); err != nil || obj != d {
		t.Error("an apps/v1 object must be returned unchanged")
	}
	if obj, err := FromStorage(d, appsv1.SchemeGroupVersion); err != nil || obj != d {
		t.Error("asking for apps/v1 must return the object unchanged")
	}
	if _, err := ToStorage(&appsv1beta1.StatefulSet{}); err == nil {
		t.Error("an unsupported old type must be an error")
	}
	if _, err := FromStorage(&appsv1.ReplicaSet{}, appsv1beta1.SchemeGroupVersion); err == nil {
		t.Error("apps/v1beta1 never had ReplicaSets")
	}
}

func TestDeprecation(t *testing.T) {
	tests := []struct {
		gvk  schema.GroupVersionKind
		want string
	}{
		{appsv1beta2.SchemeGroupVersion.WithKind("Deployment"),
			"apps/v1beta2 Deployment is deprecated in v1.9+, unavailable in v1.16+; use apps/v1 Deployment"},
		{appsv1beta1.SchemeGroupVersion.WithKind("Deployment"),
			"apps/v1beta1 Deployment is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 Deployment"},
		{extensionsv1beta1.SchemeGroupVersion.WithKind("Deployment"),
			"extensions/v1beta1 Deployment is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 Deployment"},
		{appsv1beta2.SchemeGroupVersion.WithKind("ReplicaSet"),
			"apps/v1beta2 ReplicaSet is deprecated in v1.9+, unavailable in v1.16+; use apps/v1 ReplicaSet"},
		{extensionsv1beta1.SchemeGroupVersion.WithKind("ReplicaSet"),
			"extensions/v1beta1 ReplicaSet is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 ReplicaSet"},
		{appsv1.SchemeGroupVersion.WithKind("Deployment"), ""},
		{schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Widget"}, ""},
	}
	for _, tt := range tests {
		got, ok := Deprecation(tt.gvk)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Deprecation(%s) = %q, %v; want %q", tt.gvk, got, ok, tt.want)
		}
	}
}

func TestAppsV1beta2DaemonSetsAndStatefulSetsConvertBothWays(t *testing.T) {
	one := int32(1)
	for _, old := range []runtime.Object{
		&appsv1beta2.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "logs"}, Spec: appsv1beta2.DaemonSetSpec{MinReadySeconds: 5}},
		&appsv1beta2.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: appsv1beta2.StatefulSetSpec{Replicas: &one, ServiceName: "web"}},
	} {
		stored, err := ToStorage(old)
		if err != nil {
			t.Fatal(err)
		}
		if gvk := stored.GetObjectKind().GroupVersionKind(); gvk.GroupVersion() != appsv1.SchemeGroupVersion {
			t.Errorf("%T stored as %v", old, gvk)
		}
		back, err := FromStorage(stored, appsv1beta2.SchemeGroupVersion)
		if err != nil {
			t.Fatal(err)
		}
		back.GetObjectKind().SetGroupVersionKind(old.GetObjectKind().GroupVersionKind())
		if !equality.Semantic.DeepEqual(back, old) {
			t.Errorf("round trip changed %#v into %#v", old, back)
		}
	}
}
