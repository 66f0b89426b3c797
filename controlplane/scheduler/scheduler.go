// Package scheduler is Glassplane's kube-scheduler: it watches for pods that
// have no node, picks a node for each, and writes the choice back to the API
// server as a Binding. It never starts a container — the kubelet on the
// chosen node does that when it sees the pod bound to it.
//
// The parts, one file each, as in kube-scheduler:
//
//	scheduler.go — the informers that feed it (pods, nodes) and the loop
//	queue.go     — the pods waiting for a node
//	cache.go     — the scheduler's picture of nodes and the pods on them
//	cycle.go     — one scheduling cycle: filter, score, select, assume, bind
//	failure.go   — the "0/3 nodes are available" message and its condition
//	steps.go     — the steps a learner sees
//	plugins/     — the prefilter, filter and score plugins, one package each
//
// Like the real one it is an ordinary API client: it authenticates as
// system:kube-scheduler and may only do what RBAC lets that user do.
//
// Shutdown protocol: Run blocks until its context ends; then it closes the
// queue, finishes the cycle in progress, waits for the bindings still in
// flight, stops the informers and the event broadcaster, and returns. Nothing it started outlives Run.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	policylisters "k8s.io/client-go/listers/policy/v1"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
	"github.com/glassplane/glassplane/controlplane/scheduler/plugins"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// SchedulerName is the name pods ask for in spec.schedulerName, and the
// name this scheduler's events are reported under.
const SchedulerName = corev1.DefaultSchedulerName // "default-scheduler"

// DefaultFlushInterval is how long a pod that fitted nowhere waits for a
// helpful cluster event before it is tried again anyway.
const DefaultFlushInterval = 60 * time.Second

// Options tune a scheduler; the zero value is kube-scheduler's defaults.
type Options struct {
	// FlushInterval: see DefaultFlushInterval (tests use less).
	FlushInterval time.Duration
	// Profile is the set of plugins to run (default plugins.DefaultProfile()).
	Profile *framework.Profile
}

// Scheduler places pending pods on nodes.
type Scheduler struct {
	client    kubernetes.Interface
	rec       *steps.Recorder
	profile   framework.Profile
	informers informers.SharedInformerFactory
	queue     *schedulingQueue
	cache     *cache
	pdbs      policylisters.PodDisruptionBudgetLister // weighed by preemption
	events    record.EventRecorder                    // set by Run
	// binding counts the bindings running apart from the scheduling loop
	// (cycle.go); Run waits for them before it returns. bindings holds a
	// token per binding in flight, at most maxBindingsInFlight.
	binding  sync.WaitGroup
	bindings chan struct{}
	// handlersSynced report that the event handlers got the first lists.
	handlersSynced []toolscache.InformerSynced
}

// New returns a scheduler that talks to the API server with cfg — a config
// for user system:kube-scheduler — and records its steps in rec.
func New(cfg *rest.Config, rec *steps.Recorder, opts Options) (*Scheduler, error) {
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("scheduler client: %w", err)
	}
	return newScheduler(client, rec, opts), nil
}

func newScheduler(client kubernetes.Interface, rec *steps.Recorder, opts Options) *Scheduler {
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	factory := informers.NewSharedInformerFactory(client, 0)
	profile := plugins.WithVolumeBinding(plugins.DefaultProfile(), factory.Core().V1().PersistentVolumeClaims().Lister())
	if opts.Profile != nil {
		profile = *opts.Profile
	}
	s := &Scheduler{
		client: client, rec: rec, profile: profile,
		informers: factory,
		queue:     newSchedulingQueue(opts.FlushInterval),
		cache:     newCache(),
		bindings:  make(chan struct{}, maxBindingsInFlight),
		pdbs:      factory.Policy().V1().PodDisruptionBudgets().Lister(),
	}
	s.addEventHandlers()
	return s
}

// budgets are the cluster's PodDisruptionBudgets, for preemption to weigh.
func (s *Scheduler) budgets() []*policyv1.PodDisruptionBudget {
	if s.pdbs == nil {
		return nil
	}
	pdbs, _ := s.pdbs.List(labels.Everything())
	return pdbs
}

// Run starts the informers and schedules pods until ctx ends.
func (s *Scheduler) Run(ctx context.Context) error {
	host, _ := os.Hostname()
	broadcaster := record.NewBroadcaster(record.WithContext(ctx))
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: s.client.CoreV1().Events("")})
	defer broadcaster.Shutdown()
	s.events = broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: SchedulerName, Host: host})
	s.informers.Start(ctx.Done())
	defer s.informers.Shutdown()
	for typ, ok := range s.informers.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("scheduler: the %v informer did not sync: %w", typ, ctx.Err())
		}
	}
	if !toolscache.WaitForCacheSync(ctx.Done(), s.handlersSynced...) {
		return fmt.Errorf("scheduler: the cache did not fill: %w", ctx.Err())
	}
	go s.queue.Run(ctx)
	defer s.binding.Wait() // before the informers and the broadcaster stop
	for {
		qp, err := s.queue.Pop()
		if errors.Is(err, errQueueClosed) {
			return nil
		}
		s.scheduleOne(ctx, qp)
	}
}

// podInformer watches the pods that matter to a scheduler: all that have
// not finished. Bound ones feed the cache, unbound ones the queue — the
// split kube-scheduler makes with one informer.
func (s *Scheduler) podInformer() toolscache.SharedIndexInformer {
	return s.informers.InformerFor(&corev1.Pod{}, func(c kubernetes.Interface, resync time.Duration) toolscache.SharedIndexInformer {
		lw := toolscache.NewFilteredListWatchFromClient(c.CoreV1().RESTClient(), "pods", metav1.NamespaceAll,
			func(o *metav1.ListOptions) { o.FieldSelector = "status.phase!=Succeeded,status.phase!=Failed" })
		return toolscache.NewSharedIndexInformer(lw, &corev1.Pod{}, resync, toolscache.Indexers{})
	})
}

func (s *Scheduler) addEventHandlers() {
	pods, _ := s.podInformer().AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { s.podAdded(obj.(*corev1.Pod)) },
		UpdateFunc: func(old, cur any) {
			s.podUpdated(old.(*corev1.Pod), cur.(*corev1.Pod))
		},
		DeleteFunc: func(obj any) {
			if pod, ok := tombstoned(obj).(*corev1.Pod); ok {
				s.podDeleted(pod)
			}
		},
	})
	nodes, _ := s.informers.Core().V1().Nodes().Informer().AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			s.cache.AddNode(obj.(*corev1.Node))
			s.queue.MoveAllToActive()
		},
		UpdateFunc: func(old, cur any) {
			s.cache.AddNode(cur.(*corev1.Node))
			if schedulingPropertiesChanged(old.(*corev1.Node), cur.(*corev1.Node)) {
				s.queue.MoveAllToActive()
			}
		},
		DeleteFunc: func(obj any) {
			if node, ok := tombstoned(obj).(*corev1.Node); ok {
				s.cache.RemoveNode(node.Name)
			}
		},
	})
	// A claim bound (or created) may let a pod that waited for it run.
	claims, _ := s.informers.Core().V1().PersistentVolumeClaims().Informer().AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc: func(any) { s.queue.MoveAllToActive() },
		UpdateFunc: func(old, cur any) {
			if old.(*corev1.PersistentVolumeClaim).Spec.VolumeName != cur.(*corev1.PersistentVolumeClaim).Spec.VolumeName {
				s.queue.MoveAllToActive()
			}
		},
	})
	// An informer has synced when its store holds the first list; the
	// handlers above get those objects a moment later. Scheduling must wait
	// for them, or the first pods would see only part of the cluster.
	s.handlersSynced = []toolscache.InformerSynced{pods.HasSynced, nodes.HasSynced, claims.HasSynced}
}

func assigned(pod *corev1.Pod) bool { return pod.Spec.NodeName != "" }

func responsibleFor(pod *corev1.Pod) bool { return pod.Spec.SchedulerName == SchedulerName }

func (s *Scheduler) podAdded(pod *corev1.Pod) {
	switch {
	case assigned(pod):
		s.cache.AddPod(pod)
		s.queue.MoveWaitingOnPods()
	case responsibleFor(pod):
		ctx := s.rec.ContextFor(context.Background(), pod)
		s.record(ctx, steps.Watch, pod, steps.OK, steps.Msg("scheduler.watch", "pod", pod.Namespace+"/"+pod.Name), nil)
		s.queue.Add(pod)
	}
}

func (s *Scheduler) podUpdated(old, pod *corev1.Pod) {
	switch {
	case assigned(pod):
		if !assigned(old) {
			s.queue.Delete(pod.UID) // bound: by us, or by someone else
		}
		s.cache.AddPod(pod)
		if !assigned(old) || !reflect.DeepEqual(old.Labels, pod.Labels) {
			s.queue.MoveWaitingOnPods()
		}
	case responsibleFor(pod):
		s.queue.Update(old, pod)
	}
}

// podDeleted: a bound pod leaving frees room, so waiting pods try again.
func (s *Scheduler) podDeleted(pod *corev1.Pod) {
	s.queue.Delete(pod.UID)
	if assigned(pod) {
		s.cache.RemovePod(pod.UID)
		s.queue.MoveAllToActive()
	}
}

// schedulingPropertiesChanged reports whether a node update could let a
// waiting pod fit: its allocatable, labels, taints or cordon changed (not
// just a heartbeat).
func schedulingPropertiesChanged(old, cur *corev1.Node) bool {
	return !reflect.DeepEqual(old.Status.Allocatable, cur.Status.Allocatable) ||
		!reflect.DeepEqual(old.Labels, cur.Labels) ||
		!reflect.DeepEqual(old.Spec.Taints, cur.Spec.Taints) ||
		old.Spec.Unschedulable != cur.Spec.Unschedulable
}

// tombstoned unwraps the object of a delete the informer missed.
func tombstoned(obj any) any {
	if t, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		return t.Obj
	}
	return obj
}
