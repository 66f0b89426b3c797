package apiserver

// Fuzzing manifest decoding: whatever bytes a client sends as a body, turning
// them into an object either works or fails with a client error (a Kubernetes
// Status with a 4xx code) — never a panic, never a server error. The seeds are
// the hostile input corpus in controlplane/testdata/hostile and the seed
// article's Deployment; `go test` runs them, `go test -fuzz
// FuzzManifestDecoding ./controlplane/apiserver/` searches beyond them.

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// addManifestSeeds adds the hostile corpus's files and the seed Deployment.
func addManifestSeeds(f *testing.F) {
	for _, dir := range []string{"../testdata/hostile", "../testdata"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
}

func FuzzManifestDecoding(f *testing.F) {
	addManifestSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		j, err := YAMLToJSON(body)
		if err != nil {
			requireClientError(t, err)
			return
		}
		for _, into := range []runtime.Object{&corev1.ConfigMap{}, &appsv1.Deployment{}} {
			gvk := corev1.SchemeGroupVersion.WithKind("ConfigMap")
			if _, ok := into.(*appsv1.Deployment); ok {
				gvk = appsv1.SchemeGroupVersion.WithKind("Deployment")
			}
			for _, v := range []string{metav1.FieldValidationStrict, metav1.FieldValidationWarn} {
				if _, err := decodeObject(j, gvk, into.DeepCopyObject(), v); err != nil {
					requireClientError(t, err)
				}
			}
		}
	})
}

func requireClientError(t *testing.T, err error) {
	t.Helper()
	var se apierrors.APIStatus
	if !errors.As(err, &se) {
		t.Fatalf("%v is not a Kubernetes Status", err)
	}
	if c := se.Status().Code; c < 400 || c > 499 {
		t.Fatalf("got %d, want a client error: %v", c, err)
	}
}
