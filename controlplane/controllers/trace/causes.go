package trace

// A controller's work queue holds keys, not events, so by the time a key is
// synced the event that woke it is gone. Causes remembers, per key, the
// cause (trace) of the event that enqueued it — a learner's over background —
// so the sync joins the trace of what happened — "kubectl delete pod" for the
// replacement pod — instead of the trace that last wrote the owner.

import (
	"context"
	"sync"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// Causes maps work-queue keys to the versions of the objects whose events
// enqueued them, and so to those events' causes.
//
// A note keeps the version (uid and resourceVersion), not only its cause:
// the API server remembers which trace wrote a version just after etcd
// answers. Its watch holds an event until then, but for a second at most
// (registry/inflight.go), so on a loaded machine the event can still reach
// an informer first. Such a note is resolved when the key is synced.
type Causes struct {
	mu sync.Mutex // guards m
	m  map[string][]version
}

// version is one noted object version; cause is set once it is known.
// weak: a status report, which by itself asks for no action.
type version struct {
	uid, rv string
	cause   steps.Cause
	known   bool
	weak    bool
}

// maxNotes bounds the versions noted for one key before its sync; beyond
// it the notes are resolved and folded into the one that would win.
const maxNotes = 8

// Note records that key was enqueued because of obj's current version.
func (c *Causes) Note(key string, rec *steps.Recorder, obj any) {
	c.note(key, rec, obj, false)
}

func (c *Causes) note(key string, rec *steps.Recorder, obj any, weak bool) {
	m, err := meta.Accessor(obj)
	if err != nil {
		return
	}
	v := version{uid: string(m.GetUID()), rv: m.GetResourceVersion(), weak: weak}
	v.cause, v.known = rec.CauseOf(v.uid, v.rv)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string][]version{}
	}
	notes := append(c.m[key], v)
	if len(notes) > maxNotes {
		if best, weak, ok := pick(rec, notes[:len(notes)-1]); ok {
			notes = []version{{cause: best, known: true, weak: weak}, v}
		} else {
			notes = notes[len(notes)-maxNotes:]
		}
	}
	c.m[key] = notes
}

// pick resolves notes and chooses the cause the sync joins. Several events
// may wake a controller for one key before it gets to it. What a person did
// wins over background (a status report, a heartbeat): the reconcile is the
// consequence the learner is following. Otherwise the latest note wins.
func pick(rec *steps.Recorder, notes []version) (best steps.Cause, weak, found bool) {
	bestLearners := false
	for _, v := range notes {
		if !v.known {
			v.cause, v.known = rec.CauseOf(v.uid, v.rv)
		}
		if !v.known {
			continue
		}
		learners := rec.IsLearners(v.cause.Trace)
		if found && bestLearners && !learners {
			continue
		}
		best, weak, found, bestLearners = v.cause, v.weak, true, learners
	}
	return best, weak, found
}

// NoteUpdate is Note for an update from old to cur. An update that changed
// only the object's status (generation, labels, owners and deletion
// unchanged) by itself asks for no action, so it never displaces a cause
// already waiting for key: a ReplicaSet's status report lands just as a
// learner deletes one of its pods, and the replacement belongs to the
// delete, not to the status report that happened to arrive after it.
func (c *Causes) NoteUpdate(key string, rec *steps.Recorder, old, cur any) {
	if statusOnly(old, cur) {
		c.mu.Lock()
		waiting := len(c.m[key]) > 0
		c.mu.Unlock()
		if !waiting {
			c.note(key, rec, cur, true)
		}
		return
	}
	c.Note(key, rec, cur)
}

func statusOnly(old, cur any) bool {
	o, err1 := meta.Accessor(old)
	n, err2 := meta.Accessor(cur)
	if err1 != nil || err2 != nil {
		return false
	}
	return o.GetGeneration() == n.GetGeneration() &&
		equality.Semantic.DeepEqual(o.GetDeletionTimestamp(), n.GetDeletionTimestamp()) &&
		equality.Semantic.DeepEqual(o.GetLabels(), n.GetLabels()) &&
		equality.Semantic.DeepEqual(o.GetOwnerReferences(), n.GetOwnerReferences())
}

// Context returns ctx in the cause noted for key (forgetting the notes), or
// else in the cause of obj's current version.
func (c *Causes) Context(ctx context.Context, key string, rec *steps.Recorder, obj any) context.Context {
	c.mu.Lock()
	notes := c.m[key]
	delete(c.m, key)
	c.mu.Unlock()
	if cause, weak, ok := pick(rec, notes); ok {
		if weak {
			ctx = context.WithValue(ctx, weakKey{}, true)
		}
		return steps.WithCause(ctx, cause)
	}
	return rec.ContextFor(ctx, obj)
}

// weakKey marks a context whose cause is a status report: whatever change
// the sync then finds in its listers is a better cause (Newest).
type weakKey struct{}

// Newest returns ctx in the newest cause among ctx's own and those of the
// current versions of objs, a learner's before background. A sync reads its
// listers after it took its key's cause, and an informer's cache holds a
// change before its handler has noted why: the pod a learner just deleted is
// already "deleting" in the lister while the note of the delete is still on
// its way. The sync then acts on that change, so it joins that change's trace.
func Newest(ctx context.Context, rec *steps.Recorder, objs ...any) context.Context {
	best, ok := steps.CauseFrom(ctx)
	weak, _ := ctx.Value(weakKey{}).(bool) // a status report, newer or not, gives way
	changed := false
	for _, obj := range objs {
		m, err := meta.Accessor(obj)
		if err != nil {
			continue
		}
		c, found := rec.CauseOf(string(m.GetUID()), m.GetResourceVersion())
		if !found || c.Trace == best.Trace {
			continue
		}
		learners, bestLearners := rec.IsLearners(c.Trace), ok && rec.IsLearners(best.Trace)
		if !ok || learners && !bestLearners || learners == bestLearners && (weak || c.Parent > best.Parent) {
			best, ok, changed, weak = c, true, true, false
		}
	}
	if !changed {
		return ctx
	}
	return steps.WithCause(context.WithValue(ctx, weakKey{}, false), best)
}
