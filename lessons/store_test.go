package lessons_test

import (
	"context"
	"sync"
	"testing"

	"github.com/glassplane/glassplane/controlplane/testcluster"
	"github.com/glassplane/glassplane/lessons"
)

// memStore is a Store in memory, shared by the engines of one test as etcd
// is shared by a server and the server restarted on it.
type memStore struct {
	mu sync.Mutex
	m  map[string]lessons.Saved
}

func (s *memStore) Save(_ context.Context, sandbox, lesson string, v lessons.Saved) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]lessons.Saved{}
	}
	s.m[sandbox+"/"+lesson] = v
	return nil
}

func (s *memStore) Load(_ context.Context, sandbox, lesson string) (lessons.Saved, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[sandbox+"/"+lesson]
	return v, ok, nil
}

// TestProgressComesBackAfterARestart: a learner's place in a lesson is kept
// in the store, and a new engine (the server restarted) finds it there.
func TestProgressComesBackAfterARestart(t *testing.T) {
	c := testcluster.Start(t)
	catalog, err := lessons.Load("")
	if err != nil {
		t.Fatal(err)
	}
	store := &memStore{}
	sb := &lessons.Sandbox{ID: "sb-1", Cluster: c.Cluster}
	before := lessons.NewEngine(catalog)
	before.UseStore(store)
	if _, err := before.Start(sb, "kubectl-create", 2); err != nil {
		t.Fatal(err)
	}
	before.Close()

	after := lessons.NewEngine(catalog)
	after.UseStore(store)
	defer after.Close()
	p, err := after.Progress(context.Background(), sb, "kubectl-create")
	if err != nil {
		t.Fatal(err)
	}
	if p.Step != 2 {
		t.Errorf("after the restart the learner is at step %d of kubectl-create, want 2 as before", p.Step)
	}
	if pos, ok := after.Position("sb-1"); !ok || pos.Step != 2 || pos.StepAt.IsZero() {
		t.Errorf("the roster's position after the restart: %+v, %v", pos, ok)
	}
}
