package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/testcluster"
	"github.com/glassplane/glassplane/server"
)

// readComponents reads the stream until a components message satisfies ok.
func readComponents(t *testing.T, h *harness, ok func(map[string]controlplane.ComponentStatus) bool) {
	t.Helper()
	conn, _, err := h.dial("default", h.token, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		var m server.Message
		if err := conn.ReadJSON(&m); err != nil {
			t.Fatalf("the stream ended before the components changed: %v", err)
		}
		if m.Type != "components" {
			continue
		}
		b, _ := json.Marshal(m.Components)
		var list []controlplane.ComponentStatus
		_ = json.Unmarshal(b, &list)
		byName := map[string]controlplane.ComponentStatus{}
		for _, c := range list {
			byName[c.Name] = c
		}
		if ok(byName) {
			return
		}
	}
}

func TestEtcdMembersStopAndStartThroughTheAppAPIAndTheStreamShowsThemLive(t *testing.T) {
	t.Parallel()
	h := startOn(t, testcluster.StartWith(t, controlplane.Config{EtcdMembers: 3, Nodes: -1}))
	readComponents(t, h, func(c map[string]controlplane.ComponentStatus) bool {
		return c["etcd-1"].Running && c["etcd-2"].Role != "" && c["etcd-3"].Term > 0
	})
	code, body := h.do("POST", "/glassplane/v1/sandboxes/default/components/etcd-2/stop", h.token, nil)
	if code != http.StatusOK {
		t.Fatalf("stopping etcd-2: %d %s", code, body)
	}
	readComponents(t, h, func(c map[string]controlplane.ComponentStatus) bool {
		return !c["etcd-2"].Running && (c["etcd-1"].Role == "leader" || c["etcd-3"].Role == "leader")
	})
	code, body = h.do("POST", "/glassplane/v1/sandboxes/default/components/etcd-2/start", h.token, nil)
	if code != http.StatusOK {
		t.Fatalf("starting etcd-2: %d %s", code, body)
	}
	readComponents(t, h, func(c map[string]controlplane.ComponentStatus) bool {
		return c["etcd-2"].Running && c["etcd-2"].Role != "" && c["etcd-2"].Role != "candidate"
	})

	sb, err := h.sandboxes.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if code, body := h.do("POST", "/glassplane/v1/sandboxes/"+sb.ID+"/components/etcd-1/stop", sb.Token, nil); code != http.StatusForbidden {
		t.Errorf("a classroom sandbox stopping the shared etcd-1: %d %s, want 403", code, body)
	}
}
