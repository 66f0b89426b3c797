package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/glassplane/glassplane/controlplane"
)

// A sandbox's snapshots: saved and restored through the app API, only with
// the sandbox's own token, and each sandbox restores only its own keys.
func TestASandboxSavesAndRestoresItsOwnSnapshotOnly(t *testing.T) {
	t.Parallel()
	h := start(t)
	cs := h.cluster.Client("admin")
	createConfigMap(t, cs, "kept")

	code, body := h.do("POST", "/glassplane/v1/sandboxes/default/snapshots", h.token, nil)
	var saved controlplane.Snapshot
	if code != http.StatusCreated || json.Unmarshal(body, &saved) != nil || saved.Objects["configmaps"] < 1 {
		t.Fatalf("save: %d %s", code, body)
	}
	code, body = h.do("GET", "/glassplane/v1/sandboxes/default/snapshots", h.token, nil)
	var list []controlplane.Snapshot
	if code != http.StatusOK || json.Unmarshal(body, &list) != nil || len(list) != 1 || list[0].Name != saved.Name {
		t.Fatalf("list: %d %s", code, body)
	}

	// Another sandbox: its token cannot restore this one, and its own
	// restore of nothing leaves this one's keys alone.
	code, body = h.do("POST", "/glassplane/v1/sandboxes", "", nil)
	var other struct{ ID, Token string }
	if code != http.StatusCreated || json.Unmarshal(body, &other) != nil {
		t.Fatalf("create sandbox: %d %s", code, body)
	}
	if code, _ := h.do("POST", "/glassplane/v1/sandboxes/default/snapshots/"+saved.Name+"/restore", other.Token, nil); code != http.StatusUnauthorized {
		t.Errorf("another sandbox's token restored this one: %d", code)
	}
	if code, _ := h.do("POST", "/glassplane/v1/sandboxes/"+other.ID+"/snapshots/"+saved.Name+"/restore", other.Token, nil); code != http.StatusNotFound {
		t.Errorf("a sandbox restored another's snapshot by name: %d", code)
	}
	sb, _ := h.sandboxes.Get(other.ID)
	cfg, err := sb.Cluster.ClientConfig("admin", "system:masters")
	if err != nil {
		t.Fatal(err)
	}
	createConfigMap(t, kubernetes.NewForConfigOrDie(cfg), "the-others")

	if err := cs.CoreV1().ConfigMaps("default").Delete(context.Background(), "kept", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	createConfigMap(t, cs, "made-after")
	code, body = h.do("POST", "/glassplane/v1/sandboxes/default/snapshots/"+saved.Name+"/restore", h.token, nil)
	var r controlplane.Restore
	if code != http.StatusOK || json.Unmarshal(body, &r) != nil || r.Revision == 0 {
		t.Fatalf("restore: %d %s", code, body)
	}
	if _, err := cs.CoreV1().ConfigMaps("default").Get(context.Background(), "kept", metav1.GetOptions{}); err != nil {
		t.Errorf("the ConfigMap deleted after the save is not back: %v", err)
	}
	if _, err := cs.CoreV1().ConfigMaps("default").Get(context.Background(), "made-after", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the ConfigMap made after the save survived the restore: %v", err)
	}
	if _, err := kubernetes.NewForConfigOrDie(cfg).CoreV1().ConfigMaps("default").Get(context.Background(), "the-others", metav1.GetOptions{}); err != nil {
		t.Errorf("restoring one sandbox touched another's keys: %v", err)
	}
	if code, _ := h.do("POST", "/glassplane/v1/sandboxes/default/snapshots/rev-1/restore", h.token, nil); code != http.StatusNotFound {
		t.Errorf("restoring a snapshot never saved: %d", code)
	}

	// A sandbox keeps its five newest snapshots.
	for i := range 6 {
		createConfigMap(t, cs, fmt.Sprintf("between-%d", i))
		if code, body := h.do("POST", "/glassplane/v1/sandboxes/default/snapshots", h.token, nil); code != http.StatusCreated {
			t.Fatalf("save %d: %d %s", i, code, body)
		}
	}
	_, body = h.do("GET", "/glassplane/v1/sandboxes/default/snapshots", h.token, nil)
	if err := json.Unmarshal(body, &list); err != nil || len(list) != 5 || list[0].Revision <= saved.Revision {
		t.Errorf("after 7 saves the sandbox keeps %d snapshots (%v), want the newest 5: %s", len(list), err, body)
	}
}
