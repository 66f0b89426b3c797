package history

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestARevisionKeepsItsTemplateAsAPatchOfTheSet(t *testing.T) {
	template := &corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "nginx", Image: "nginx"}}}}
	data, err := templatePatch(template)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"$patch":"replace"`; !strings.Contains(string(data), want) {
		t.Errorf("data %s lacks %s", data, want)
	}
	rev := &appsv1.ControllerRevision{ObjectMeta: metav1.ObjectMeta{Name: "web-1"}}
	rev.Data.Raw = data
	got, ok := TemplateOf([]*appsv1.ControllerRevision{rev}, "web-1")
	if !ok || got.Spec.Containers[0].Image != "nginx" {
		t.Errorf("TemplateOf = %+v, %v", got, ok)
	}
	if _, ok := TemplateOf([]*appsv1.ControllerRevision{rev}, "web-2"); ok {
		t.Error("found a revision that does not exist")
	}
}
