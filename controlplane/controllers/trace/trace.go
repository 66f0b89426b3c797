// Package trace is how a controller appears in the step stream.
//
// A controller does two visible things. It learns of an object through its
// informer (a watch step: "the deployments informer delivered ADDED"), and it
// reconciles the object (a reconcile step: what it wanted, what it found, and
// what it decided to do about the difference). Both steps are filed in the
// trace of the object version they concern, so the learner sees the
// controller's work as a consequence of the write that caused it.
//
// Every controller package keeps the emission in one small function of its
// own, so that a pacer can later hold the controller there.
package trace

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/tools/cache"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// Message keys of controller steps (the browser's catalogue translates them).
const (
	WatchKey     = "controller.watch"
	ReconcileKey = "controller.reconcile"
)

// Informer event types, as a watch names them.
const (
	Added    = "ADDED"
	Modified = "MODIFIED"
	Deleted  = "DELETED"
)

// Watch is the detail of a watch step.
type Watch struct {
	Controller string `json:"controller"`
	Informer   string `json:"informer"`
	Event      string `json:"event"`
}

// Reconcile is the detail of a reconcile step: the controller compared
// Desired with Actual and decided Decision.
type Reconcile struct {
	Controller string `json:"controller"`
	Desired    string `json:"desired"`
	Actual     string `json:"actual"`
	Decision   string `json:"decision"`
}

// Object names obj (of the given apiVersion and kind) for a step.
func Object(apiVersion, kind string, obj any) steps.Object {
	o := steps.Object{APIVersion: apiVersion, Kind: kind}
	if m, err := meta.Accessor(obj); err == nil {
		o.Namespace, o.Name = m.GetNamespace(), m.GetName()
		o.UID, o.ResourceVersion = string(m.GetUID()), m.GetResourceVersion()
	}
	return o
}

// WatchStep is the step for the informer delivering event for obj to a
// controller's handlers.
func WatchStep(apiVersion, kind string, obj any, w Watch) steps.Step {
	return steps.Step{
		Component: steps.ControllerManager, Stage: steps.Watch,
		Object:  Object(apiVersion, kind, obj),
		Message: steps.Msg(WatchKey, "controller", w.Controller, "informer", w.Informer, "event", w.Event),
		Detail:  w,
	}
}

// Tombstone unwraps the last known state of an object whose deletion the
// informer missed (cache.DeletedFinalStateUnknown).
func Tombstone(obj any) any {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return t.Obj
	}
	return obj
}

// ReconcileStep is the step for controller reconciling obj.
func ReconcileStep(apiVersion, kind string, obj any, d Reconcile) steps.Step {
	return steps.Step{
		Component: steps.ControllerManager, Stage: steps.Reconcile,
		Object:  Object(apiVersion, kind, obj),
		Message: steps.Msg(ReconcileKey, "controller", d.Controller, "decision", d.Decision),
		Detail:  d,
	}
}

// Paced holds a controller before its reconcile step s as the learner's
// pacer asks (step mode, a breakpoint, the controller manager paused), then
// records it. The step is recorded before the controller writes anything, so
// while it waits the cluster really has not changed.
func Paced(ctx context.Context, rec *steps.Recorder, s steps.Step) steps.Step {
	_ = rec.Pace(ctx, s) // if ctx ends the controller is stopping; its sync notices
	return rec.Record(ctx, s)
}

// Decided records controller's reconcile step d for obj, held first as the
// pacer asks (Paced), and returns ctx with that step as the cause of what the
// controller writes next: the one place a sync shows its decision.
func Decided(ctx context.Context, rec *steps.Recorder, apiVersion, kind string, obj any, d Reconcile) context.Context {
	s := Paced(ctx, rec, ReconcileStep(apiVersion, kind, obj, d))
	if s.Trace == "" {
		return ctx
	}
	return steps.WithCause(ctx, steps.Cause{Trace: s.Trace, Parent: s.Seq})
}

// Watched records that controller's informer delivered event for obj, in
// the trace of obj's current version.
func Watched(rec *steps.Recorder, apiVersion, kind string, obj any, w Watch) {
	ctx := rec.ContextFor(context.Background(), obj)
	rec.Record(ctx, WatchStep(apiVersion, kind, obj, w))
}
