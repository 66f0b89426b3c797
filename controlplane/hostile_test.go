package controlplane_test

// The hostile input corpus (testcluster.HostileInputs) sent straight to the
// Kubernetes API as the body of a ConfigMap create: each gets a 4xx Status
// that says what is wrong, quickly, and no ConfigMap is stored. The requests
// ask for fieldValidation=Strict, as kubectl does by default.

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// hostileBudget is how long one hostile input may take to be refused, with
// room for a loaded machine running the race detector.
const hostileBudget = 10 * time.Second

func TestAPIRefusesHostileManifestsWithClientErrorsAndStoresNothing(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	cs := c.Client("admin")
	ctx := context.Background()
	before, err := cs.CoreV1().ConfigMaps("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range testcluster.HostileInputs(t) {
		t.Run(in.Name, func(t *testing.T) {
			contentType := "application/yaml"
			if strings.HasSuffix(in.Name, ".json") {
				contentType = "application/json"
			}
			start := time.Now()
			err := cs.CoreV1().RESTClient().Post().AbsPath("/api/v1/namespaces/default/configmaps").Param("fieldValidation", "Strict").
				SetHeader("Content-Type", contentType).Body(in.Body).Do(ctx).Error()
			took := time.Since(start)
			var se apierrors.APIStatus
			if !errors.As(err, &se) {
				t.Fatalf("%d bytes: got %v, want a Kubernetes Status", len(in.Body), err)
			}
			st := se.Status()
			t.Logf("%d bytes: %d %s in %v: %.160s", len(in.Body), st.Code, st.Reason, took, st.Message)
			if st.Code < 400 || st.Code > 499 {
				t.Errorf("got %d %s, want a client error (4xx): %s", st.Code, st.Reason, st.Message)
			}
			if len(st.Message) < 20 {
				t.Errorf("the message %q does not say what is wrong", st.Message)
			}
			if took > hostileBudget {
				t.Errorf("took %v to refuse, want under %v", took, hostileBudget)
			}
		})
	}
	after, err := cs.CoreV1().ConfigMaps("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Items) != len(before.Items) {
		t.Errorf("%d ConfigMaps before the corpus, %d after", len(before.Items), len(after.Items))
	}
}
