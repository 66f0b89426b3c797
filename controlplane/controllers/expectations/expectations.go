// Package expectations is what a controller that creates and deletes pods
// expects to see next. A sync that creates three pods returns long before the
// informer has delivered them; a sync that ran now would count zero pods and
// create three more. So before creating or deleting, the controller writes
// down what it expects to see, the pod handlers tick the expectations off as
// the informer delivers the pods, and a sync manages replicas only when
// nothing is outstanding (or the expectation is so old that the events must
// have been lost). The ReplicaSet, Job and DaemonSet controllers keep one each, keyed by
// their object's key. Kubernetes calls this ControllerExpectations; deletions
// are tracked by pod key, so a pod seen going and then gone counts once.
package expectations

import (
	"sync"
	"time"
)

// expectationsTimeout is how long an unmet expectation holds its object.
const expectationsTimeout = 5 * time.Minute

type expectation struct {
	adds     int
	deletes  map[string]bool // pod keys still expected to go
	recorded time.Time
}

// Expectations are a controller's outstanding creations and deletions, by key.
type Expectations struct {
	mu    sync.Mutex // guards byKey
	byKey map[string]*expectation
}

// New returns empty expectations.
func New() *Expectations {
	return &Expectations{byKey: map[string]*expectation{}}
}

// Satisfied reports whether the object key may manage its pods.
func (e *Expectations) Satisfied(key string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.byKey[key]
	if !ok {
		return true
	}
	return (x.adds <= 0 && len(x.deletes) == 0) || time.Since(x.recorded) > expectationsTimeout
}

// Expect notes that adds pods are about to be created for key and the pods
// podKeys deleted, in one placement (a DaemonSet's does both).
func (e *Expectations) Expect(key string, adds int, podKeys []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	x := &expectation{adds: adds, deletes: map[string]bool{}, recorded: time.Now()}
	for _, k := range podKeys {
		x.deletes[k] = true
	}
	e.byKey[key] = x
}

// ExpectCreations notes that n pods are about to be created for key.
func (e *Expectations) ExpectCreations(key string, n int) { e.Expect(key, n, nil) }

// ExpectDeletions notes that the pods podKeys are about to be deleted.
func (e *Expectations) ExpectDeletions(key string, podKeys []string) { e.Expect(key, 0, podKeys) }

// CreationObserved ticks off one creation (seen, or never going to happen).
func (e *Expectations) CreationObserved(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if x, ok := e.byKey[key]; ok && x.adds > 0 {
		x.adds--
	}
}

// DeletionObserved ticks off the deletion of podKey.
func (e *Expectations) DeletionObserved(key, podKey string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if x, ok := e.byKey[key]; ok {
		delete(x.deletes, podKey)
	}
}

// Forget drops what was expected for an object that is gone.
func (e *Expectations) Forget(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.byKey, key)
}

// Outstanding describes what key still waits for, for a reconcile step.
func (e *Expectations) Outstanding(key string) (adds, deletes int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if x, ok := e.byKey[key]; ok {
		return x.adds, len(x.deletes)
	}
	return 0, 0
}
