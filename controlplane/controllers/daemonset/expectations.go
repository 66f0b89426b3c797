package daemonset

// Expectations. A sync that creates three pods returns before the informer
// has delivered them; a sync that ran now would find three nodes without
// their pod and create three more. So before creating or deleting, the
// controller writes down how many it expects to see, the pod handlers tick
// them off as the informer delivers the pods, and a sync places pods only
// when nothing is outstanding (or the expectation is so old that the events
// must have been lost). Kubernetes calls this ControllerExpectations.

import (
	"sync"
	"time"
)

// expectationsTimeout is how long an unmet expectation holds a DaemonSet.
const expectationsTimeout = 5 * time.Minute

type expectation struct {
	adds, deletes int
	recorded      time.Time
}

type expectations struct {
	mu    sync.Mutex // guards byKey
	byKey map[string]*expectation
}

func newExpectations() *expectations {
	return &expectations{byKey: map[string]*expectation{}}
}

// satisfied reports whether the DaemonSet key may place its pods.
func (e *expectations) satisfied(key string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.byKey[key]
	return !ok || (x.adds <= 0 && x.deletes <= 0) || time.Since(x.recorded) > expectationsTimeout
}

// expect notes that adds pods are about to be created and deletes deleted.
func (e *expectations) expect(key string, adds, deletes int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.byKey[key] = &expectation{adds: adds, deletes: deletes, recorded: time.Now()}
}

// observed ticks off a creation (add) or a deletion, seen or never to come.
func (e *expectations) observed(key string, add bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.byKey[key]
	switch {
	case !ok:
	case add && x.adds > 0:
		x.adds--
	case !add && x.deletes > 0:
		x.deletes--
	}
}

// outstanding is what key still waits for, for a reconcile step.
func (e *expectations) outstanding(key string) (adds, deletes int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if x, ok := e.byKey[key]; ok {
		return x.adds, x.deletes
	}
	return 0, 0
}

// forget drops what was expected for a DaemonSet that is gone.
func (e *expectations) forget(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.byKey, key)
}
