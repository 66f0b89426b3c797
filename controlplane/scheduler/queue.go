package scheduler

// The scheduling queue holds the pods waiting for a node. It has two parts,
// as in kube-scheduler:
//
//	active        — pods to try now, popped highest priority first, and
//	                first come, first served within a priority.
//	unschedulable — pods that were tried and fitted nowhere. Trying them
//	                again at once would fail the same way, so they wait for
//	                a cluster event that could change the answer (a node
//	                added or updated, a pod deleted) — "move on cluster
//	                event" — or, failing that, for the periodic flush. A
//	                pod landing on a node moves only the pods that wait
//	                for other pods (inter-pod affinity, topology spread):
//	                for the rest, a fuller node changes nothing.
//
// (kube-scheduler also has a backoff queue that spaces out retries of the
// same pod; Glassplane leaves it out.)
//
// One race needs care: a node may be added while a pod is being scheduled
// against a snapshot taken before the node existed. The pod fails, and if it
// then went to the unschedulable set it would miss the event that could have
// placed it. So the queue numbers its scheduling cycles and remembers the
// cycle of the last move request; a pod whose failed cycle began before that
// request goes straight back to active.
//
// Rules: all methods are safe for concurrent use. Pop blocks until a pod is
// active or the queue is closed. Every popped pod must be handed back with
// Done (and, if it failed, AddUnschedulable first).

import (
	"cmp"
	"container/heap"
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
)

// errQueueClosed is returned by Pop once the queue is closed.
var errQueueClosed = errors.New("scheduling queue closed")

// queuedPod is a pod in the queue and what the queue knows about it.
type queuedPod struct {
	// Pod is read without the lock by the cycle that popped it, so while
	// the pod is in flight a newer version waits in newer (under the lock).
	Pod      *corev1.Pod
	newer    *corev1.Pod
	Attempts int   // scheduling cycles tried so far
	cycle    int64 // the cycle that popped it last
	seq      uint64
	index    int       // in the active heap; -1 when not there
	since    time.Time // when it entered the unschedulable set
}

type schedulingQueue struct {
	mu            sync.Mutex // guards the fields below
	cond          *sync.Cond
	active        activeHeap
	pods          map[types.UID]*queuedPod // every pod in active or unschedulable
	unschedulable map[types.UID]*queuedPod
	inFlight      map[types.UID]*queuedPod
	cycle         int64 // scheduling cycles started
	moveRequest   int64 // the cycle at the last move request
	podMove       int64 // the cycle at the last move request for pods waiting on pods
	seq           uint64
	closed        bool

	flushInterval time.Duration
	now           func() time.Time
}

func newSchedulingQueue(flushInterval time.Duration) *schedulingQueue {
	q := &schedulingQueue{
		pods:          map[types.UID]*queuedPod{},
		unschedulable: map[types.UID]*queuedPod{},
		inFlight:      map[types.UID]*queuedPod{},
		flushInterval: flushInterval,
		now:           time.Now,
	}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// Add queues a new pending pod.
func (q *schedulingQueue) Add(pod *corev1.Pod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.pods[pod.UID] != nil || q.inFlight[pod.UID] != nil {
		return
	}
	q.activateLocked(&queuedPod{Pod: pod, index: -1})
}

// Update replaces a queued pod with its newer version. A waiting pod whose
// spec or metadata changed (not just its status) is tried again at once: the
// change may be what it needed.
func (q *schedulingQueue) Update(old, pod *corev1.Pod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if qp := q.inFlight[pod.UID]; qp != nil {
		qp.newer = pod // its cycle is reading qp.Pod; AddUnschedulable takes this
		return
	}
	qp := q.pods[pod.UID]
	if qp == nil {
		q.activateLocked(&queuedPod{Pod: pod, index: -1})
		return
	}
	qp.Pod = pod
	if qp.index >= 0 {
		heap.Fix(&q.active, qp.index)
		return
	}
	if isPodUpdated(old, pod) {
		delete(q.unschedulable, pod.UID)
		q.activateLocked(qp)
	}
}

// isPodUpdated reports whether anything but the status (and bookkeeping
// metadata) changed — as kube-scheduler's queue judges it.
func isPodUpdated(old, pod *corev1.Pod) bool {
	strip := func(p *corev1.Pod) *corev1.Pod {
		c := p.DeepCopy()
		c.ResourceVersion, c.Generation, c.ManagedFields = "", 0, nil
		c.Status = corev1.PodStatus{}
		return c
	}
	return !reflect.DeepEqual(strip(old), strip(pod))
}

// Delete forgets a pod wherever it is.
func (q *schedulingQueue) Delete(uid types.UID) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if qp := q.pods[uid]; qp != nil && qp.index >= 0 {
		heap.Remove(&q.active, qp.index)
	}
	delete(q.pods, uid)
	delete(q.unschedulable, uid)
	delete(q.inFlight, uid)
}

// Pop waits for an active pod and hands it out, starting a scheduling cycle.
func (q *schedulingQueue) Pop() (*queuedPod, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.active.Len() == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return nil, errQueueClosed
	}
	qp := heap.Pop(&q.active).(*queuedPod)
	delete(q.pods, qp.Pod.UID)
	q.cycle++
	qp.cycle = q.cycle
	qp.Attempts++
	q.inFlight[qp.Pod.UID] = qp
	return qp, nil
}

// AddUnschedulable takes back a pod that fitted nowhere. If a move request
// came during its cycle it goes back to active; otherwise it waits.
func (q *schedulingQueue) AddUnschedulable(qp *queuedPod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.inFlight[qp.Pod.UID] == nil {
		return // deleted while it was being scheduled
	}
	delete(q.inFlight, qp.Pod.UID)
	if qp.newer != nil {
		qp.Pod, qp.newer = qp.newer, nil
	}
	if q.moveRequest >= qp.cycle || (q.podMove >= qp.cycle && waitsOnPods(qp.Pod)) {
		q.activateLocked(qp)
		return
	}
	qp.since = q.now()
	q.pods[qp.Pod.UID] = qp
	q.unschedulable[qp.Pod.UID] = qp
}

// Done ends a pod's scheduling cycle (a no-op after AddUnschedulable).
func (q *schedulingQueue) Done(uid types.UID) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.inFlight, uid)
}

// MoveAllToActive is the reaction to a cluster event that may let waiting
// pods fit: every unschedulable pod is tried again.
func (q *schedulingQueue) MoveAllToActive() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.activateWaitingLocked(func(*queuedPod) bool { return true })
	q.moveRequest = q.cycle
}

// MoveWaitingOnPods is the reaction to a pod landing on a node (or changing
// its labels there): the waiting pods whose place depends on where other
// pods are are tried again — kube-scheduler's queueing hints for an
// assigned pod's add, coarsely.
func (q *schedulingQueue) MoveWaitingOnPods() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.activateWaitingLocked(func(qp *queuedPod) bool { return waitsOnPods(qp.Pod) })
	q.podMove = q.cycle
}

// activateWaitingLocked moves the waiting pods that move says should be
// tried again to the active queue, in the order they came before, so pods
// of one priority keep first come, first served.
func (q *schedulingQueue) activateWaitingLocked(move func(*queuedPod) bool) {
	var moved []*queuedPod
	for uid, qp := range q.unschedulable {
		if move(qp) {
			delete(q.unschedulable, uid)
			moved = append(moved, qp)
		}
	}
	slices.SortFunc(moved, func(a, b *queuedPod) int { return cmp.Compare(a.seq, b.seq) })
	for _, qp := range moved {
		q.activateLocked(qp)
	}
}

// waitsOnPods reports whether a new pod somewhere could let pod fit: it has
// a required pod affinity (the pod it wants may arrive) or a DoNotSchedule
// spread constraint (the emptiest domain may fill up).
func waitsOnPods(pod *corev1.Pod) bool {
	if a := pod.Spec.Affinity; a != nil && a.PodAffinity != nil && len(a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution) > 0 {
		return true
	}
	for _, c := range pod.Spec.TopologySpreadConstraints {
		if c.WhenUnsatisfiable == corev1.DoNotSchedule {
			return true
		}
	}
	return false
}

// flushUnschedulable retries the pods that have waited flushInterval.
func (q *schedulingQueue) flushUnschedulable() {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.now()
	for uid, qp := range q.unschedulable {
		if now.Sub(qp.since) >= q.flushInterval {
			delete(q.unschedulable, uid)
			q.activateLocked(qp)
		}
	}
}

// Run flushes the unschedulable set every half flushInterval until ctx ends,
// then closes the queue.
func (q *schedulingQueue) Run(ctx context.Context) {
	t := time.NewTicker(max(q.flushInterval/2, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			q.Close()
			return
		case <-t.C:
			q.flushUnschedulable()
		}
	}
}

// Close wakes every Pop with errQueueClosed.
func (q *schedulingQueue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.cond.Broadcast()
}

// Len returns how many pods are active and unschedulable.
func (q *schedulingQueue) Len() (active, unschedulable int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.active.Len(), len(q.unschedulable)
}

func (q *schedulingQueue) activateLocked(qp *queuedPod) {
	q.seq++
	qp.seq = q.seq
	q.pods[qp.Pod.UID] = qp
	heap.Push(&q.active, qp)
	q.cond.Signal()
}

// activeHeap orders pods by priority, highest first, then by arrival.
type activeHeap []*queuedPod

func (h activeHeap) Len() int { return len(h) }
func (h activeHeap) Less(i, j int) bool {
	pi, pj := corev1helpers.PodPriority(h[i].Pod), corev1helpers.PodPriority(h[j].Pod)
	return pi > pj || pi == pj && h[i].seq < h[j].seq
}
func (h activeHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *activeHeap) Push(x any) {
	qp := x.(*queuedPod)
	qp.index = len(*h)
	*h = append(*h, qp)
}
func (h *activeHeap) Pop() any {
	old := *h
	qp := old[len(old)-1]
	old[len(old)-1] = nil
	qp.index = -1
	*h = old[:len(old)-1]
	return qp
}
