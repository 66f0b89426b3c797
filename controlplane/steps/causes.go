package steps

// Causality across components. When the API server stores a version of an
// object, it remembers which trace (and which store step) wrote it. A
// controller, the scheduler or a kubelet that later handles that version —
// having learnt of it through a watch — asks ContextFor, and everything it
// does next joins the same trace. That is how one `kubectl create` becomes one
// tree of steps down to the running pod.

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
)

// causeMemory bounds how many object versions the recorder remembers.
const causeMemory = 50000

type versionKey struct{ uid, rv string }

// Remember notes that cause wrote version rv of the object with uid.
func (r *Recorder) Remember(uid, rv string, cause Cause) {
	if r == nil || uid == "" || rv == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.causes == nil {
		r.causes = map[versionKey]Cause{}
	}
	k := versionKey{uid, rv}
	if _, ok := r.causes[k]; !ok {
		r.causeOrder = append(r.causeOrder, k)
	}
	r.causes[k] = cause
	if len(r.causeOrder) > causeMemory {
		drop := r.causeOrder[:causeMemory/10]
		for _, old := range drop {
			delete(r.causes, old)
		}
		r.causeOrder = append(r.causeOrder[:0], r.causeOrder[causeMemory/10:]...)
	}
}

// CauseOf returns the cause that wrote version rv of the object with uid.
func (r *Recorder) CauseOf(uid, rv string) (Cause, bool) {
	if r == nil {
		return Cause{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.causes[versionKey{uid, rv}]
	return c, ok
}

// ContextFor returns ctx carrying the cause of obj's current version (its uid
// and resourceVersion), if the recorder knows it; otherwise ctx unchanged.
func (r *Recorder) ContextFor(ctx context.Context, obj any) context.Context {
	m, err := meta.Accessor(obj)
	if err != nil {
		return ctx
	}
	if c, ok := r.CauseOf(string(m.GetUID()), m.GetResourceVersion()); ok {
		return WithCause(ctx, c)
	}
	return ctx
}
