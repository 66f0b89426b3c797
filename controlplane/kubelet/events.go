package kubelet

// Events. Besides status, a kubelet tells what it does through Events on the
// pod: Pulling, Pulled, Created, Started, Killing, BackOff. `kubectl describe
// pod` lists them. client-go's record package writes them: it batches,
// de-duplicates (count: 3 over 1m) and rate-limits, and sends from a
// goroutine of its own, with no context. So that an event still joins the
// trace of the pod version that caused it, the trace rides in two
// annotations from the call to the sink, and the sink turns them back into
// the request's context (and strips them, so they never reach the API).

import (
	"context"
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/record"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// Event reasons, as kubelet names them.
const (
	reasonPulling           = "Pulling"
	reasonPulled            = "Pulled"
	reasonFailed            = "Failed"
	reasonBackOff           = "BackOff"
	reasonCreated           = "Created"
	reasonStarted           = "Started"
	reasonKilling           = "Killing"
	reasonErrImageNeverPull = "ErrImageNeverPull"
	reasonNodeReady         = "NodeReady"
	reasonStarting          = "Starting"
)

const (
	traceAnnotation  = "glassplane.io/trace"
	parentAnnotation = "glassplane.io/parent"
)

// eventRecorder records a kubelet's Events in the trace of their context.
type eventRecorder struct {
	broadcaster record.EventBroadcaster
	recorder    record.EventRecorder
}

func newEventRecorder(client kubernetes.Interface, node string) *eventRecorder {
	b := record.NewBroadcaster()
	b.StartRecordingToSink(tracedSink{client.CoreV1().Events("")})
	return &eventRecorder{broadcaster: b,
		recorder: b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubelet", Host: node})}
}

// shutdown stops the broadcaster (events not yet sent are dropped).
func (r *eventRecorder) shutdown() { r.broadcaster.Shutdown() }

// eventf records an event about obj (a Pod, a Node or a container's
// ObjectReference) in the trace of ctx.
func (r *eventRecorder) eventf(ctx context.Context, obj runtime.Object, eventtype, reason, format string, args ...any) {
	var ann map[string]string
	if c, ok := steps.CauseFrom(ctx); ok && c.Trace != "" {
		ann = map[string]string{traceAnnotation: c.Trace, parentAnnotation: strconv.FormatUint(c.Parent, 10)}
	}
	r.recorder.AnnotatedEventf(obj, ann, eventtype, reason, format, args...)
}

// containerRef is how kubelet's events name one container of a pod.
func containerRef(pod *corev1.Pod, name string) *corev1.ObjectReference {
	return &corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: pod.Namespace, Name: pod.Name,
		UID: pod.UID, ResourceVersion: pod.ResourceVersion, FieldPath: fmt.Sprintf("spec.containers{%s}", name)}
}

// tracedSink writes events with the cause their annotations carry.
type tracedSink struct {
	events typedcorev1.EventInterface
}

func (s tracedSink) Create(e *corev1.Event) (*corev1.Event, error) {
	ctx, e := causeOf(e)
	return s.events.CreateWithEventNamespaceWithContext(ctx, e)
}

func (s tracedSink) Update(e *corev1.Event) (*corev1.Event, error) {
	ctx, e := causeOf(e)
	return s.events.UpdateWithEventNamespaceWithContext(ctx, e)
}

func (s tracedSink) Patch(e *corev1.Event, data []byte) (*corev1.Event, error) {
	ctx, e := causeOf(e)
	return s.events.PatchWithEventNamespaceWithContext(ctx, e, data)
}

// causeOf takes the cause out of an event's annotations.
func causeOf(e *corev1.Event) (context.Context, *corev1.Event) {
	ctx := context.Background()
	trace, ok := e.Annotations[traceAnnotation]
	if !ok {
		return ctx, e
	}
	parent, _ := strconv.ParseUint(e.Annotations[parentAnnotation], 10, 64)
	e = e.DeepCopy()
	delete(e.Annotations, traceAnnotation)
	delete(e.Annotations, parentAnnotation)
	if len(e.Annotations) == 0 {
		e.Annotations = nil
	}
	return steps.WithCause(ctx, steps.Cause{Trace: trace, Parent: parent}), e
}
