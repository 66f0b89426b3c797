package trace

// A controller's work queue holds keys, not events, so by the time a key is
// synced the event that woke it is gone. Causes remembers, per key, the
// cause (trace) of the event that enqueued it — a learner's over background —
// so the sync joins the trace of what happened — "kubectl delete pod" for the
// replacement pod — instead of the trace that last wrote the owner.

import (
	"context"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// Causes maps work-queue keys to the cause of the event that last enqueued them.
type Causes struct {
	mu sync.Mutex // guards m
	m  map[string]steps.Cause
}

// Note records that key was enqueued because of obj's current version.
func (c *Causes) Note(key string, rec *steps.Recorder, obj any) {
	m, err := meta.Accessor(obj)
	if err != nil {
		return
	}
	cause, ok := rec.CauseOf(string(m.GetUID()), m.GetResourceVersion())
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]steps.Cause{}
	}
	// Several events may wake a controller for one key before it gets to
	// it. What a person did wins over background (a status report, a
	// heartbeat): the reconcile is the consequence the learner is following.
	if old, ok := c.m[key]; ok && rec.IsLearners(old.Trace) && !rec.IsLearners(cause.Trace) {
		return
	}
	c.m[key] = cause
}

// Context returns ctx in the cause noted for key (forgetting it), or else in
// the cause of obj's current version.
func (c *Causes) Context(ctx context.Context, key string, rec *steps.Recorder, obj any) context.Context {
	c.mu.Lock()
	cause, ok := c.m[key]
	delete(c.m, key)
	c.mu.Unlock()
	if ok {
		return steps.WithCause(ctx, cause)
	}
	return rec.ContextFor(ctx, obj)
}
