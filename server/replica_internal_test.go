package server

import (
	"context"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// A replica whose watch of the records is behind (here: never delivers)
// still finds a sandbox another replica created a moment ago, by reading
// the records on the miss: a student who joined on one replica and whose
// page asks another is not sent back to the join form. It does not claim
// the sandbox from that read: only the watch joins elections.
func TestAReplicaBehindItsWatchFindsANewSandboxInEtcd(t *testing.T) {
	c := testcluster.Start(t)
	a := NewSandboxes(c.Etcd, t.TempDir(), "127.0.0.1", time.Hour, startAPIOnly, WithReplica(time.Second))
	b := NewSandboxes(c.Etcd, t.TempDir(), "127.0.0.1", time.Hour, startAPIOnly, WithReplica(time.Second))
	b.watch = func(ctx context.Context, _ string, _ ...clientv3.OpOption) clientv3.WatchChan {
		stalled := make(chan clientv3.WatchResponse)
		go func() { <-ctx.Done(); close(stalled) }()
		return stalled
	}
	for i, s := range []*Sandboxes{a, b} {
		if err := s.StartReplica(context.Background(), Owner{Web: []string{"a:1", "b:1"}[i]}); err != nil {
			t.Fatal(err)
		}
		defer s.Close()
	}
	sb, err := a.CreateNamed(context.Background(), "Ada")
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := b.SessionID(sb.Token); !ok || id != sb.ID {
		t.Fatalf("replica B does not find the new sandbox's session: %q %v", id, ok)
	}
	if name, ok := b.nameOf(sb.ID); !ok || name != "Ada" {
		t.Errorf("replica B does not find the new sandbox by id: %q %v", name, ok)
	}
	owner, exists, err := b.Owner(context.Background(), sb.ID)
	if err != nil || !exists || owner.Web != "a:1" {
		t.Errorf("replica B sees the owner as %+v (exists %v, %v), want a:1", owner, exists, err)
	}
	if _, ok := b.SessionID("no-such-token"); ok {
		t.Error("a made-up session opens a sandbox")
	}
}
