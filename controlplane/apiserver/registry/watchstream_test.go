package registry

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/glassplane/glassplane/controlplane/etcd"
)

// TestWatchesEndingTogetherWhileEventsFlowLeaveEtcdWatchable: informers
// restart their watches all at once (a component stopped, a sandbox
// deleted) while writes go on. With every watch on one etcd watch stream of
// the in-process client, their cancel requests and the events going the
// other way filled each other's channels and the stream stopped for good:
// no new watch could start, and the components waited forever. Each watch
// now has a stream of its own (watchstream.go).
func TestWatchesEndingTogetherWhileEventsFlowLeaveEtcdWatchable(t *testing.T) {
	e, s := testStore(t)
	r, _ := Lookup("", "configmaps")
	all := Selection{Namespace: "default", Labels: labels.Everything()}
	bg := context.Background()

	stop := make(chan struct{})
	var writers sync.WaitGroup
	for w := 0; w < 4; w++ {
		writers.Add(1)
		go func() { // writes go on throughout
			defer writers.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := s.Key(r, "default", fmt.Sprintf("w%d-%d", w, i%50))
				_, _ = e.Client.Put(bg, key, fmt.Sprintf(`{"metadata":{"name":"w%d-%d","namespace":"default"}}`, w, i%50))
			}
		}()
	}
	defer func() { close(stop); writers.Wait() }()

	for round := 0; round < 20; round++ {
		ctx, cancel := context.WithCancel(bg)
		var readers sync.WaitGroup
		rev := current(t, e)
		for i := 0; i < 60; i++ {
			ch := s.Watch(ctx, r, all, rev, false)
			readers.Add(1)
			go func() {
				defer readers.Done()
				for range ch {
				}
			}()
		}
		time.Sleep(20 * time.Millisecond)
		cancel() // every watch of the round ends at once
		ended := make(chan struct{})
		go func() { readers.Wait(); close(ended) }()
		select {
		case <-ended:
		case <-time.After(20 * time.Second):
			t.Fatalf("round %d: watches whose context ended were still open after 20 s: etcd's watch stream is stuck", round)
		}
	}

	// A new watch must still start and hear the writes going on.
	ctx, cancel := context.WithTimeout(bg, 20*time.Second)
	defer cancel()
	select {
	case _, ok := <-s.Watch(ctx, r, all, current(t, e), false):
		if !ok {
			t.Fatal("a new watch ended without an event: etcd's watch stream is stuck")
		}
	case <-ctx.Done():
		t.Fatal("a new watch heard nothing for 20 s after many watches ended together: etcd's watch stream is stuck")
	}
}

// current is etcd's revision now.
func current(t *testing.T, e *etcd.Etcd) int64 {
	resp, err := e.Client.Get(context.Background(), "/", clientv3.WithCountOnly())
	if err != nil {
		t.Fatal(err)
	}
	return resp.Header.Revision
}
