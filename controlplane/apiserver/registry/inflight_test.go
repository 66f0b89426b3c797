package registry

import (
	"context"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/glassplane/glassplane/controlplane/etcd"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// A watch event waits for its write to be recorded: a controller hearing of
// a change must be able to find the trace that made it.
func TestAWatchEventWaitsUntilItsWriteIsRecorded(t *testing.T) {
	e, s := testStore(t)
	r, ok := Lookup("", "configmaps")
	if !ok {
		t.Fatal("configmaps are not served")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := s.Watch(ctx, r, Selection{Namespace: "default", Labels: labels.Everything()}, 0, false)

	key := s.Key(r, "default", "x")
	end := s.writes.begin(key) // a write committed but not yet recorded
	if _, err := e.Client.Put(ctx, key, `{"metadata":{"name":"x","namespace":"default"}}`); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-events:
		t.Fatalf("the watch delivered %v before the write was recorded", ev.Type)
	case <-time.After(200 * time.Millisecond):
	}
	end()
	select {
	case ev := <-events:
		if ev.Type != "ADDED" {
			t.Errorf("got %v, want ADDED", ev.Type)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the event never came after the write was recorded")
	}
}

func TestAStuckWriteHoldsAWatchOnlyBriefly(t *testing.T) {
	var f inflight
	end := f.begin("/k")
	defer end()
	start := time.Now()
	f.wait(context.Background(), "/k")
	if d := time.Since(start); d < inflightWait/2 {
		t.Errorf("wait returned after %v with the write still in flight", d)
	}
	f.wait(context.Background(), "/other") // nothing in flight: at once
}

// testStore is a Store on an embedded etcd of its own, closed with the test.
func testStore(t *testing.T) (*etcd.Etcd, *Store) {
	t.Helper()
	e, err := etcd.Start(context.Background(), etcd.Config{DataDir: t.TempDir(), Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, NewStore(e.Client, "/registry", steps.NewRecorder(100))
}
