package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// TestFailRecordsTheCodeTheClientGetsForAWrappedStatus: an API error
// wrapped with context is answered and recorded with its own code (409),
// not as a 500.
func TestFailRecordsTheCodeTheClientGetsForAWrappedStatus(t *testing.T) {
	rec := steps.NewRecorder(10)
	s := &Server{Config: Config{Steps: rec}}
	w := httptest.NewRecorder()
	q := &apiRequest{w: w, ctx: context.Background()}
	conflict := apierrors.NewConflict(schema.GroupResource{Resource: "configmaps"}, "x", fmt.Errorf("changed"))
	s.fail(q, fmt.Errorf("updating: %w", conflict))
	if w.Code != http.StatusConflict {
		t.Errorf("the client got %d, want 409", w.Code)
	}
	got := rec.Since(0, 0)
	if len(got) != 1 || got[0].Outcome != steps.Conflict {
		t.Fatalf("recorded %+v, want one conflict step", got)
	}
	if d, ok := got[0].Detail.(map[string]any); !ok || d["code"] != http.StatusConflict {
		t.Errorf("recorded detail %v, want code 409", got[0].Detail)
	}
}
