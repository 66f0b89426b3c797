package replicaset

// Expectations. A sync that creates three pods returns long before the
// informer has delivered them; a sync that ran now would count zero pods and
// create three more. So before creating or deleting, the controller writes
// down what it expects to see, the pod handlers tick the expectations off as
// the informer delivers the pods, and a sync manages replicas only when
// nothing is outstanding (or the expectation is so old that the events must
// have been lost). Kubernetes calls this ControllerExpectations; deletions
// are tracked by pod key, so a pod seen going and then gone counts once.

import (
	"sync"
	"time"
)

// expectationsTimeout is how long an unmet expectation holds a ReplicaSet.
const expectationsTimeout = 5 * time.Minute

type expectation struct {
	adds     int
	deletes  map[string]bool // pod keys still expected to go
	recorded time.Time
}

type expectations struct {
	mu    sync.Mutex // guards byKey
	byKey map[string]*expectation
}

func newExpectations() *expectations {
	return &expectations{byKey: map[string]*expectation{}}
}

// satisfied reports whether the ReplicaSet key may manage its replicas.
func (e *expectations) satisfied(key string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.byKey[key]
	if !ok {
		return true
	}
	return (x.adds <= 0 && len(x.deletes) == 0) || time.Since(x.recorded) > expectationsTimeout
}

// expectCreations notes that n pods are about to be created for key.
func (e *expectations) expectCreations(key string, n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.byKey[key] = &expectation{adds: n, deletes: map[string]bool{}, recorded: time.Now()}
}

// expectDeletions notes that the pods podKeys are about to be deleted.
func (e *expectations) expectDeletions(key string, podKeys []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	x := &expectation{deletes: map[string]bool{}, recorded: time.Now()}
	for _, k := range podKeys {
		x.deletes[k] = true
	}
	e.byKey[key] = x
}

// creationObserved ticks off one creation (seen, or never going to happen).
func (e *expectations) creationObserved(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if x, ok := e.byKey[key]; ok && x.adds > 0 {
		x.adds--
	}
}

// deletionObserved ticks off the deletion of podKey.
func (e *expectations) deletionObserved(key, podKey string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if x, ok := e.byKey[key]; ok {
		delete(x.deletes, podKey)
	}
}

// forget drops what was expected for a ReplicaSet that is gone.
func (e *expectations) forget(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.byKey, key)
}

// outstanding describes what key still waits for, for a reconcile step.
func (e *expectations) outstanding(key string) (adds, deletes int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if x, ok := e.byKey[key]; ok {
		return x.adds, len(x.deletes)
	}
	return 0, 0
}
