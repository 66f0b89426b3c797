// Package disruption is the disruption controller: it keeps each
// PodDisruptionBudget's status — how many of its pods are healthy, how many
// must be, and so how many disruptions are allowed right now — which the
// eviction subresource consults before it lets `kubectl drain` take a pod.
//
// A budget selects pods by label and says minAvailable (this many, or this
// percentage, must stay Ready) or maxUnavailable (this many may be down).
// The controller counts the selected pods that have not finished (expected)
// and those that are Ready (healthy); a pod the eviction subresource has
// just taken (status.disruptedPods) is not counted healthy until it is gone,
// or for two minutes at most. Then disruptionsAllowed = healthy − desired,
// never below zero. Kubernetes counts expected pods from the scale of the
// pods' controllers; counting the pods themselves is the same while no
// replacement is pending, and keeps the sum on screen simple.
//
// Interface rules: as kubernetes/sample-controller, with the shared work
// loop (workloop). The key is the budget's.
package disruption

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	policylisters "k8s.io/client-go/listers/policy/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
	"github.com/glassplane/glassplane/controlplane/controllers/workloop"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Name is the controller's name.
const Name = "disruption-controller"

// disruptedPodTimeout is how long a pod taken by an eviction counts as
// disrupted without being deleted (kube's DeletionTimeout).
const disruptedPodTimeout = 2 * time.Minute

// Controller is the disruption controller.
type Controller struct {
	client    kubernetes.Interface
	rec       *steps.Recorder
	pdbLister policylisters.PodDisruptionBudgetLister
	podLister corelisters.PodLister
	synced    []cache.InformerSynced
	queue     workqueue.TypedRateLimitingInterface[string]
}

// New returns a disruption controller fed by factory's informers.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder) *Controller {
	pdbs := factory.Policy().V1().PodDisruptionBudgets()
	pods := factory.Core().V1().Pods()
	c := &Controller{
		client: client, rec: rec, pdbLister: pdbs.Lister(), podLister: pods.Lister(),
		synced: []cache.InformerSynced{pdbs.Informer().HasSynced, pods.Informer().HasSynced},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "disruption"}),
	}
	_, _ = pdbs.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { c.watched(trace.Added, obj); c.enqueue(obj) },
		UpdateFunc: func(old, cur any) {
			o, n := old.(*policyv1.PodDisruptionBudget), cur.(*policyv1.PodDisruptionBudget)
			if o.Generation != n.Generation || !apiequality.Semantic.DeepEqual(o.Spec, n.Spec) {
				c.watched(trace.Modified, cur)
				c.enqueue(cur)
			} else if !apiequality.Semantic.DeepEqual(o.Status, n.Status) {
				c.enqueue(cur) // an eviction took a disruption: look at the pods again
			}
		},
	})
	_, _ = pods.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { c.podChanged(obj) },
		UpdateFunc: func(_, cur any) { c.podChanged(cur) },
		DeleteFunc: func(obj any) { c.podChanged(trace.Tombstone(obj)) },
	})
	return c
}

// Run starts workers until ctx ends, and blocks until they have stopped.
func (c *Controller) Run(ctx context.Context, workers int) {
	workloop.Run(ctx, Name, c.queue, c.synced, workers, c.syncBudget)
}

// podChanged enqueues the budgets that select pod.
func (c *Controller) podChanged(obj any) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	pdbs, err := c.pdbLister.PodDisruptionBudgets(pod.Namespace).List(labels.Everything())
	if err != nil {
		return
	}
	for _, pdb := range pdbs {
		if sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector); err == nil && !sel.Empty() && sel.Matches(labels.Set(pod.Labels)) {
			c.enqueue(pdb)
		}
	}
}

func (c *Controller) enqueue(obj any) {
	if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
		c.queue.Add(key)
	}
}

// syncBudget writes one budget's status.
func (c *Controller) syncBudget(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	pdb, err := c.pdbLister.PodDisruptionBudgets(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil {
		return nil // validation refuses such a selector
	}
	pods, err := c.podLister.Pods(namespace).List(sel)
	if err != nil {
		return err
	}
	status, recheck := budgetStatus(pdb, pods, time.Now())
	if recheck > 0 {
		c.queue.AddAfter(key, recheck) // a disrupted pod that was never deleted counts again then
	}
	if apiequality.Semantic.DeepEqual(pdb.Status, status) {
		return nil // in sync: no step, no write
	}
	d := trace.Reconcile{Controller: Name,
		Desired:  fmt.Sprintf("%d healthy of %d, %d disruptions allowed", status.DesiredHealthy, status.ExpectedPods, status.DisruptionsAllowed),
		Actual:   fmt.Sprintf("%d healthy of %d, %d disruptions allowed", pdb.Status.CurrentHealthy, pdb.Status.ExpectedPods, pdb.Status.DisruptionsAllowed),
		Decision: fmt.Sprintf("update the status of PodDisruptionBudget %s: %d healthy, %d needed", name, status.CurrentHealthy, status.DesiredHealthy)}
	ctx = trace.Decided(c.rec.ContextFor(ctx, pdb), c.rec, "policy/v1", "PodDisruptionBudget", pdb, d)
	next := pdb.DeepCopy()
	next.Status = status
	_, err = c.client.PolicyV1().PodDisruptionBudgets(namespace).UpdateStatus(ctx, next, metav1.UpdateOptions{})
	return err
}

// budgetStatus is pdb's status for pods at now, and when to look again
// (0: only on a change).
func budgetStatus(pdb *policyv1.PodDisruptionBudget, pods []*corev1.Pod, now time.Time) (policyv1.PodDisruptionBudgetStatus, time.Duration) {
	st := policyv1.PodDisruptionBudgetStatus{ObservedGeneration: pdb.Generation}
	var recheck time.Duration
	byName := map[string]*corev1.Pod{}
	for _, p := range pods {
		byName[p.Name] = p
	}
	for name, at := range pdb.Status.DisruptedPods {
		p, ok := byName[name]
		left := disruptedPodTimeout - now.Sub(at.Time)
		if !ok || p.DeletionTimestamp != nil || left <= 0 {
			continue // gone, going, or never deleted after all
		}
		if st.DisruptedPods == nil {
			st.DisruptedPods = map[string]metav1.Time{}
		}
		st.DisruptedPods[name] = at
		if recheck == 0 || left < recheck {
			recheck = left
		}
	}
	for _, p := range pods {
		if p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		st.ExpectedPods++
		if _, disrupted := st.DisruptedPods[p.Name]; !disrupted && ready(p) {
			st.CurrentHealthy++
		}
	}
	st.DesiredHealthy = desiredHealthy(pdb.Spec, st.ExpectedPods)
	st.DisruptionsAllowed = max(0, st.CurrentHealthy-st.DesiredHealthy)
	cond := metav1.Condition{Type: policyv1.DisruptionAllowedCondition, Status: metav1.ConditionTrue, Reason: policyv1.SufficientPodsReason,
		ObservedGeneration: pdb.Generation, LastTransitionTime: metav1.NewTime(now)}
	if st.DisruptionsAllowed == 0 {
		cond.Status, cond.Reason = metav1.ConditionFalse, policyv1.InsufficientPodsReason
	}
	st.Conditions = append([]metav1.Condition(nil), pdb.Status.Conditions...)
	meta.SetStatusCondition(&st.Conditions, cond) // keeps the transition time while the status stays
	return st, recheck
}

// desiredHealthy is how many of expected pods the budget wants Ready.
func desiredHealthy(spec policyv1.PodDisruptionBudgetSpec, expected int32) int32 {
	switch {
	case spec.MaxUnavailable != nil:
		n, err := intstr.GetScaledValueFromIntOrPercent(spec.MaxUnavailable, int(expected), true)
		if err != nil {
			return expected
		}
		return max(0, expected-int32(n))
	case spec.MinAvailable != nil:
		n, err := intstr.GetScaledValueFromIntOrPercent(spec.MinAvailable, int(expected), true)
		if err != nil {
			return expected
		}
		return int32(n)
	}
	return 1 // neither set: policy/v1 defaults minAvailable to 1
}

func ready(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// watched records that the budget informer delivered event for obj.
func (c *Controller) watched(event string, obj any) {
	trace.Watched(c.rec, "policy/v1", "PodDisruptionBudget", obj, trace.Watch{Controller: Name, Informer: "poddisruptionbudgets", Event: event})
}
