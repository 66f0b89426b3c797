// Package steps is the record of what the control plane did.
//
// A step is one thing one component did: the API server authenticating a
// request, etcd storing a key, the scheduler scoring nodes. The component that
// does the work emits the step at the moment it does it, with the real data,
// so what a learner sees is what happened, not an animation of what usually
// happens.
//
// Steps form causal trees. A trace is one user action (one `kubectl create`);
// parent is the step that caused this one. The trace travels in a context
// (WithCause) inside a process and in the Trace and Parent headers between
// components, the way distributed tracing carries a span.
package steps

import (
	"context"
	"time"
)

// Component names, as the browser draws them.
const (
	Kubectl           = "kubectl"
	APIServer         = "apiserver"
	Etcd              = "etcd"
	ControllerManager = "controller-manager"
	Scheduler         = "scheduler"
)

// Stages a step can belong to, in the order a create passes them.
const (
	Request      = "request"
	Authenticate = "authenticate"
	Authorize    = "authorize"
	Admit        = "admit"
	Validate     = "validate"
	Store        = "store"
	Watch        = "watch"
	Reconcile    = "reconcile"
	Filter       = "filter"
	Score        = "score"
	Bind         = "bind"
	Pull         = "pull"
	Run          = "run"
	Status       = "status"
	Respond      = "respond"
	Error        = "error"
	// Compact is etcd forgetting old revisions, on its own schedule.
	Compact = "compact"
	// Stop and Start are a person stopping or starting a component from
	// the page or a lesson: a learner's act outside the API (components.go).
	Stop  = "stop"
	Start = "start"
	// Restore is a person putting a saved snapshot of the cluster's keys
	// back into etcd (controlplane/snapshots.go).
	Restore = "restore"
)

// Outcomes.
const (
	OK       = "ok"
	Denied   = "denied"
	Invalid  = "invalid"
	Conflict = "conflict"
	Failed   = "error"
	Waiting  = "waiting"
)

// Step is one thing one component did. Its JSON form is what the browser gets.
type Step struct {
	Seq       uint64    `json:"seq"`
	Trace     string    `json:"trace"`
	Parent    uint64    `json:"parent"`
	Time      time.Time `json:"time"`
	Component string    `json:"component"`
	Stage     string    `json:"stage"`
	Object    Object    `json:"object"`
	Outcome   string    `json:"outcome"`
	Message   Message   `json:"message"`
	Detail    any       `json:"detail,omitempty"`
}

// Object names the Kubernetes object a step acted on.
type Object struct {
	APIVersion      string `json:"apiVersion,omitempty"`
	Kind            string `json:"kind,omitempty"`
	Namespace       string `json:"namespace,omitempty"`
	Name            string `json:"name,omitempty"`
	UID             string `json:"uid,omitempty"`
	ResourceVersion string `json:"resourceVersion,omitempty"`
}

// Message is a catalogue key and its arguments; the browser renders it in the
// learner's language.
type Message struct {
	Key  string            `json:"key"`
	Args map[string]string `json:"args,omitempty"`
}

// Msg builds a Message from a key and alternating argument names and values.
func Msg(key string, kv ...string) Message {
	m := Message{Key: key}
	if len(kv) > 0 {
		m.Args = make(map[string]string, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m.Args[kv[i]] = kv[i+1]
		}
	}
	return m
}

// Cause is where a step sits in its causal tree.
type Cause struct {
	Trace  string
	Parent uint64
}

type causeKey struct{}

// WithCause returns a context whose steps belong to trace, caused by parent.
func WithCause(ctx context.Context, c Cause) context.Context {
	return context.WithValue(ctx, causeKey{}, c)
}

// CauseFrom returns the cause carried by ctx, if any.
func CauseFrom(ctx context.Context) (Cause, bool) {
	c, ok := ctx.Value(causeKey{}).(Cause)
	return c, ok
}

// Headers that carry a cause between components, like a trace context.
const (
	TraceHeader  = "X-Glassplane-Trace"
	ParentHeader = "X-Glassplane-Parent"
)

// ObserverHeader marks a request made only to look at the cluster on the
// learner's behalf (a lesson checking its step). Reads carrying it are not
// recorded: they are not something the cluster did.
const ObserverHeader = "X-Glassplane-Observer"

type quietKey struct{}

// Quiet returns a context whose steps are not recorded.
func Quiet(ctx context.Context) context.Context {
	return context.WithValue(ctx, quietKey{}, true)
}

func isQuiet(ctx context.Context) bool {
	q, _ := ctx.Value(quietKey{}).(bool)
	return q
}
