package kubelet

// Pod workers. The kubelet learns of its pods through an informer that
// watches pods with spec.nodeName=<this node>: the moment the scheduler's
// binding is stored, the pod arrives here. Like kubelet's podWorkers, every
// pod gets a goroutine of its own, so a slow image pull for one pod never
// holds up another. The informer hands each new version of the pod to the
// pod's worker through a one-slot mailbox (a newer version replaces an
// unread older one: only the latest spec matters), and the worker syncs the
// pod to it:
//
//	new pod     → report Pending (ContainerCreating), create the sandbox and
//	              take an IP, pull each image, create and start each
//	              container, report Running (containers.go)
//	deleting    → stop the containers, report it, delete the pod (termination.go)
//	gone        → forget the sandbox, free the IP
//
// Syncing is level-triggered: it compares what the runtime has with what the
// pod asks and does the difference, so syncing twice does no harm. A sync
// may ask to be woken later (a container that will exit, a back-off that
// will end); the worker then syncs again with the latest pod it has.
//
// Steps: a watch step when the informer delivers a new pod or a deletion,
// then pull, run and status steps, all in the trace of the pod version the
// worker is handling.

import (
	"context"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// podUpdate is what a worker's mailbox carries.
type podUpdate struct {
	pod     *corev1.Pod
	event   string // "ADDED" or "MODIFIED" when the worker should record a watch step
	removed bool   // the pod is gone from the API
}

// podWorkers runs one worker per pod on the node.
type podWorkers struct {
	ctx    context.Context // the kubelet's Run: workers stop with it
	k      *Kubelet
	client kubernetes.Interface
	events *eventRecorder
	wg     sync.WaitGroup

	mu        sync.Mutex // guards mailboxes and stopped
	mailboxes map[types.UID]chan podUpdate
	stopped   bool // wait has begun: no new worker may start
}

func newPodWorkers(ctx context.Context, k *Kubelet, client kubernetes.Interface, ev *eventRecorder) *podWorkers {
	return &podWorkers{ctx: ctx, k: k, client: client, events: ev, mailboxes: map[types.UID]chan podUpdate{}}
}

// wait returns when every worker has stopped. An update that arrives
// while it waits starts no worker: a WaitGroup may not grow from zero while
// it is being waited on.
func (w *podWorkers) wait() {
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
	w.wg.Wait()
}

// handler turns informer events into pod updates.
func (w *podWorkers) handler() cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			w.update(podUpdate{pod: obj.(*corev1.Pod), event: "ADDED"})
		},
		UpdateFunc: func(old, obj any) {
			u := podUpdate{pod: obj.(*corev1.Pod)}
			if old.(*corev1.Pod).DeletionTimestamp == nil && u.pod.DeletionTimestamp != nil {
				u.event = "MODIFIED" // the pod is being deleted
			}
			w.update(u)
		},
		DeleteFunc: func(obj any) {
			if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = t.Obj
			}
			if pod, ok := obj.(*corev1.Pod); ok {
				w.update(podUpdate{pod: pod, removed: true})
			}
		},
	}
}

// watched records that the informer delivered pod (in the worker, so that a
// paced step holds this pod only, never the informer).
func (w *podWorkers) watched(pod *corev1.Pod, event string) {
	ctx := w.k.rec.ContextFor(w.ctx, pod)
	w.k.step(ctx, steps.Step{Stage: steps.Watch, Object: podObject(pod),
		Message: steps.Msg(msgWatch, "event", event, "pod", pod.Namespace+"/"+pod.Name, "node", w.k.opts.NodeName)})
}

// update puts u in the mailbox of its pod's worker, starting the worker if
// the pod has none. Only the informer's goroutine calls it. A newer update
// replaces an unread one, but keeps its watch event.
func (w *podWorkers) update(u podUpdate) {
	w.mu.Lock()
	if w.stopped {
		w.mu.Unlock()
		return
	}
	box, ok := w.mailboxes[u.pod.UID]
	if !ok && !u.removed {
		box = make(chan podUpdate, 1)
		w.mailboxes[u.pod.UID] = box
		w.wg.Go(func() { w.loop(u.pod.UID, box) })
	}
	w.mu.Unlock()
	if box == nil {
		w.k.forgetPod(u.pod.UID)
		return
	}
	for {
		select {
		case box <- u:
			return
		default:
			select { // replace the unread older update
			case old := <-box:
				if u.event == "" {
					u.event = old.event
				}
			default:
			}
		}
	}
}

// loop is one pod's worker.
func (w *podWorkers) loop(uid types.UID, box chan podUpdate) {
	var pod *corev1.Pod
	var wake <-chan time.Time
	for {
		select {
		case <-w.ctx.Done():
			return
		case u := <-box:
			if u.removed {
				w.mu.Lock()
				delete(w.mailboxes, uid)
				w.mu.Unlock()
				w.k.forgetPod(uid)
				return
			}
			pod = u.pod
			if u.event != "" {
				w.watched(pod, u.event)
			}
		case <-wake:
		}
		wake = nil
		if after := w.syncPod(pod); after > 0 {
			wake = time.After(after)
		}
	}
}

// syncPod brings the runtime in line with pod and reports its status. It
// returns when it wants to be called again (0: only on a new version).
func (w *podWorkers) syncPod(pod *corev1.Pod) time.Duration {
	ctx := w.k.rec.ContextFor(w.ctx, pod)
	if pod.DeletionTimestamp != nil {
		return w.killPod(ctx, pod)
	}
	sb, known := w.k.runtime.lookup(pod.UID)
	if !known && (pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed) {
		return 0 // it ran to completion before; nothing to do
	}
	if !known {
		pod = w.writeStatus(ctx, pod) // Pending: ContainerCreating
		if sb = w.createSandbox(pod); sb == nil {
			return time.Second
		}
	}
	var next time.Duration
	for i := range pod.Spec.Containers {
		if ctx.Err() != nil {
			return 0
		}
		if after := w.syncContainer(ctx, pod, sb, &pod.Spec.Containers[i]); after > 0 && (next == 0 || after < next) {
			next = after
		}
	}
	w.writeStatus(ctx, pod)
	return next
}

// createSandbox creates the pod's sandbox and gives it an IP from the
// node's podCIDR.
func (w *podWorkers) createSandbox(pod *corev1.Pod) *sandbox {
	ip, err := w.k.ips.Allocate(pod.UID)
	if err != nil {
		ctx := w.k.rec.ContextFor(w.ctx, pod)
		w.events.eventf(ctx, pod, corev1.EventTypeWarning, "FailedCreatePodSandBox",
			"Failed to create pod sandbox: plugin type=\"bridge\" failed (add): %v", err)
		return nil
	}
	sb, _ := w.k.runtime.sandbox(pod)
	w.k.runtime.update(func() { sb.ip = ip })
	return sb
}

// forgetPod tears down what is left of a pod that is gone from the API.
func (k *Kubelet) forgetPod(uid types.UID) {
	k.runtime.remove(uid)
	k.ips.Release(uid)
}

// writeStatus reports the pod's status if it changed, and returns the pod as
// stored. On a conflict it reads the pod again and retries.
func (w *podWorkers) writeStatus(ctx context.Context, pod *corev1.Pod) *corev1.Pod {
	for attempt := 0; attempt < 5; attempt++ {
		st := w.status(pod)
		if equality.Semantic.DeepEqual(st, pod.Status) {
			return pod
		}
		next := pod.DeepCopy()
		next.Status = st
		sctx := w.k.step(ctx, steps.Step{Stage: steps.Status, Object: podObject(pod),
			Message: steps.Msg(msgPodStatus, "pod", pod.Namespace+"/"+pod.Name, "phase", string(st.Phase), "podIP", st.PodIP)})
		out, err := w.client.CoreV1().Pods(pod.Namespace).UpdateStatus(sctx, next, metav1.UpdateOptions{})
		if err == nil {
			return out
		}
		if !apierrors.IsConflict(err) {
			return pod
		}
		fresh, err := w.client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil || fresh.UID != pod.UID {
			return pod
		}
		pod = fresh
	}
	return pod
}

// status builds pod's status from the runtime.
func (w *podWorkers) status(pod *corev1.Pod) corev1.PodStatus {
	var st corev1.PodStatus
	w.k.runtime.update(func() {
		sb := w.k.runtime.sandboxes[pod.UID]
		st = podStatus(pod, sb, w.k.opts.InternalIP, pod.DeletionTimestamp != nil, time.Now())
	})
	return st
}

// sleep waits d, or less if ctx ends; it reports whether it waited it all.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
