package apiserver

import (
	"encoding/json"
	"strings"
	"testing"

	jsonpatchv4 "gopkg.in/evanphx/json-patch.v4"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/apiserver/defaults"
)

func TestDefaultingPatchNamesEveryDefaultedField(t *testing.T) {
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "helloworld-deployment"},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](3),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "helloworld"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "helloworld"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "my-pod", Image: "zxcvbnius/docker-demo:latest",
					Ports: []corev1.ContainerPort{{ContainerPort: 3000}}}}},
			},
		},
	}
	submitted := d.DeepCopy()
	defaults.Default(d)
	patch := patchBetween(submitted, d)
	before, _ := json.Marshal(submitted)
	after, _ := json.Marshal(d)
	for _, path := range []string{"/spec/revisionHistoryLimit", "/spec/progressDeadlineSeconds", "/spec/strategy",
		"/spec/template/spec/restartPolicy", "/spec/template/spec/containers/0/imagePullPolicy",
		"/spec/template/spec/containers/0/ports/0/protocol"} {
		if !strings.Contains(string(patch), `"path":"`+path) {
			t.Errorf("patch lacks %s: %s", path, patch)
		}
	}
	if strings.Contains(string(patch), `"/spec/replicas"`) {
		t.Errorf("the user set replicas; the patch must not: %s", patch)
	}
	p, err := jsonpatchv4.DecodePatch(patch)
	if err != nil {
		t.Fatal(err)
	}
	patched, err := p.Apply(before)
	if err != nil {
		t.Fatal(err)
	}
	if !jsonpatchv4.Equal(patched, after) {
		t.Errorf("the patch does not turn the submitted object into the admitted one")
	}
}
