// Package podautoscaler is the horizontal pod autoscaler controller: it
// keeps each HorizontalPodAutoscaler's target (a Deployment, a ReplicaSet, a
// StatefulSet — anything with a scale subresource) at the number of pods
// its metrics ask for.
//
// Every sync period (15 s in Kubernetes) it syncs each autoscaler, as
// kube's pkg/controller/podautoscaler does:
//
//  1. read the target's scale subresource: its replicas and its pods'
//     label selector (AbleToScale False, FailedGetScale if it cannot);
//  2. if the count is outside minReplicas…maxReplicas, bring it inside;
//     otherwise read the pods' usage from the resource metrics API
//     (metrics.k8s.io, through the API server, as kube does) and compute
//     the count each metric asks for (replicas.go), taking the largest
//     (ScalingActive True, ValidMetricFound; False, FailedGetResourceMetric
//     if the figures are missing);
//  3. brake it: stabilization, rate policies, bounds (behavior.go);
//  4. if it differs, write it to the target's scale subresource — the
//     Deployment controller does the rest — with the Event SuccessfulRescale
//     "New size: N; reason: cpu resource utilization (percentage of
//     request) above target";
//  5. write the status: currentReplicas, desiredReplicas, currentMetrics
//     (what `kubectl get hpa` shows as TARGETS, "cpu: 80%/50%") and the
//     conditions.
//
// Glassplane's metrics are simulated (kubelet usage.go): a pod whose
// command keeps a CPU busy reads as busy. Options.Second lets a cluster run
// the autoscaler's clock faster, so a lesson or a test need not wait out the
// 300-second scale-down window.
//
// Interface rules: as kubernetes/sample-controller, with the shared work
// loop (workloop); the key is the autoscaler's, and each key comes back
// after one sync period.
package podautoscaler

import (
	"context"
	"fmt"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	autoscalinglisters "k8s.io/client-go/listers/autoscaling/v2"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/scale"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned/typed/metrics/v1beta1"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
	"github.com/glassplane/glassplane/controlplane/controllers/workloop"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Name is the controller's name (kube's component name for its Events).
const Name = "horizontal-pod-autoscaler"

// syncPeriod is kube's --horizontal-pod-autoscaler-sync-period, in the
// autoscaler's seconds.
const syncPeriod = 15

// Options tune the controller.
type Options struct {
	// Second is how long one of the autoscaler's seconds lasts: its sync
	// period, stabilization windows and policy periods are counted in
	// them (0: a real second).
	Second time.Duration
}

// Controller is the horizontal pod autoscaler controller.
type Controller struct {
	client      kubernetes.Interface
	scales      scale.ScalesGetter
	mapper      meta.RESTMapper
	metrics     metricsclient.MetricsV1beta1Interface
	rec         *steps.Recorder
	second      time.Duration
	hpaLister   autoscalinglisters.HorizontalPodAutoscalerLister
	podLister   corelisters.PodLister
	synced      []cache.InformerSynced
	queue       workqueue.TypedRateLimitingInterface[string]
	broadcaster record.EventBroadcaster
	events      record.EventRecorder
	memory      *memory
}

// New returns an autoscaler controller fed by factory's informers, finding
// targets through mapper, scaling them through scales and reading usage
// through metrics.
func New(client kubernetes.Interface, scales scale.ScalesGetter, mapper meta.RESTMapper, metrics metricsclient.MetricsV1beta1Interface,
	factory informers.SharedInformerFactory, rec *steps.Recorder, opts Options) *Controller {
	if opts.Second <= 0 {
		opts.Second = time.Second
	}
	hpas, pods := factory.Autoscaling().V2().HorizontalPodAutoscalers(), factory.Core().V1().Pods()
	b := record.NewBroadcaster()
	c := &Controller{
		client: client, scales: scales, mapper: mapper, metrics: metrics, rec: rec, second: opts.Second,
		hpaLister: hpas.Lister(), podLister: pods.Lister(),
		synced: []cache.InformerSynced{hpas.Informer().HasSynced, pods.Informer().HasSynced},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "horizontalpodautoscaler"}),
		broadcaster: b, events: b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: Name}),
		memory: newMemory(),
	}
	_, _ = hpas.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { c.watched(trace.Added, obj); c.enqueue(obj) },
		UpdateFunc: func(old, cur any) {
			o, n := old.(*autoscalingv2.HorizontalPodAutoscaler), cur.(*autoscalingv2.HorizontalPodAutoscaler)
			if !apiequality.Semantic.DeepEqual(o.Spec, n.Spec) {
				c.watched(trace.Modified, cur)
				c.enqueue(cur)
			}
		},
		DeleteFunc: func(obj any) {
			if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
				c.memory.forget(key)
			}
		},
	})
	return c
}

// Run starts workers until ctx ends, and blocks until they have stopped.
func (c *Controller) Run(ctx context.Context, workers int) {
	c.broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.client.CoreV1().Events("")})
	defer c.broadcaster.Shutdown()
	workloop.Run(ctx, Name, c.queue, c.synced, workers, c.syncHorizontalPodAutoscaler)
}

func (c *Controller) enqueue(obj any) {
	if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
		c.queue.Add(key)
	}
}

// syncHorizontalPodAutoscaler reconciles one autoscaler, then asks to be
// called again after a sync period.
func (c *Controller) syncHorizontalPodAutoscaler(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	hpa, err := c.hpaLister.HorizontalPodAutoscalers(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	c.queue.AddAfter(key, syncPeriod*c.second)
	return c.reconcileAutoscaler(ctx, key, hpa.DeepCopy())
}

// targetResource is the group and resource of the autoscaler's target,
// from its apiVersion and kind ("apps/v1", "Deployment" → deployments.apps),
// through discovery as kube's controller finds it.
func (c *Controller) targetResource(ref autoscalingv2.CrossVersionObjectReference) (schema.GroupResource, error) {
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return schema.GroupResource{}, fmt.Errorf("invalid API version in scale target reference: %v", err)
	}
	m, err := c.mapper.RESTMapping(schema.GroupKind{Group: gv.Group, Kind: ref.Kind})
	if err != nil {
		return schema.GroupResource{}, fmt.Errorf("unable to determine resource for scale target reference: %v", err)
	}
	return m.Resource.GroupResource(), nil
}

// reconcileAutoscaler is kube's reconcileAutoscaler, steps 1 to 5 of the
// package comment.
func (c *Controller) reconcileAutoscaler(ctx context.Context, key string, hpa *autoscalingv2.HorizontalPodAutoscaler) error {
	before := hpa.Status.DeepCopy()
	ref := hpa.Spec.ScaleTargetRef
	gr, err := c.targetResource(ref)
	var sc *autoscalingv1.Scale
	if err == nil {
		sc, err = c.scales.Scales(hpa.Namespace).Get(ctx, gr, ref.Name, metav1.GetOptions{})
	}
	if err != nil {
		c.events.Event(hpa, corev1.EventTypeWarning, "FailedGetScale", err.Error())
		setCondition(hpa, autoscalingv2.AbleToScale, corev1.ConditionFalse, "FailedGetScale", "the HPA controller was unable to get the target's current scale: %v", err)
		c.writeStatus(ctx, hpa, before)
		return fmt.Errorf("failed to query scale subresource for %s: %v", key, err)
	}
	setCondition(hpa, autoscalingv2.AbleToScale, corev1.ConditionTrue, "SucceededGetScale", "the HPA controller was able to get the target's current scale")

	current := sc.Spec.Replicas
	minReplicas := int32(1)
	if hpa.Spec.MinReplicas != nil {
		minReplicas = *hpa.Spec.MinReplicas
	}
	desired, reason := current, ""
	var statuses []autoscalingv2.MetricStatus
	now := time.Now()
	switch {
	case current == 0 && minReplicas != 0:
		desired = 0
		setCondition(hpa, autoscalingv2.ScalingActive, corev1.ConditionFalse, "ScalingDisabled", "scaling is disabled since the replica count of the target is zero")
	case current > hpa.Spec.MaxReplicas:
		desired, reason = hpa.Spec.MaxReplicas, "Current number of replicas above Spec.MaxReplicas"
	case current < minReplicas:
		desired, reason = minReplicas, "Current number of replicas below Spec.MinReplicas"
	default:
		var metricName string
		var proposal int32
		proposal, metricName, statuses, err = c.replicasForMetrics(ctx, hpa, sc, current)
		if err != nil {
			hpa.Status.CurrentMetrics = statuses
			c.writeStatus(ctx, hpa, before)
			return fmt.Errorf("failed to compute desired number of replicas based on listed metrics for %s: %v", key, err)
		}
		l := c.memory.normalize(key, hpa.Spec.Behavior, minReplicas, hpa.Spec.MaxReplicas, current, proposal, now, c.second)
		setCondition(hpa, autoscalingv2.AbleToScale, corev1.ConditionTrue, l.stabilizedReason, "%s", l.stabilizedMsg)
		limited := corev1.ConditionFalse
		if l.limited {
			limited = corev1.ConditionTrue
		}
		setCondition(hpa, autoscalingv2.ScalingLimited, limited, l.limitedReason, "%s", l.limitedMsg)
		desired = l.replicas
		switch {
		case desired > current:
			reason = metricName + " above target"
		case desired < current:
			reason = "All metrics below target"
		}
	}

	rescale := desired != current
	if rescale {
		ctx = c.decide(ctx, hpa, current, desired, reason)
		sc.Spec.Replicas = desired
		if _, err := c.scales.Scales(hpa.Namespace).Update(ctx, gr, sc, metav1.UpdateOptions{}); err != nil {
			c.events.Eventf(hpa, corev1.EventTypeWarning, "FailedRescale", "New size: %d; reason: %s; error: %v", desired, reason, err)
			setCondition(hpa, autoscalingv2.AbleToScale, corev1.ConditionFalse, "FailedUpdateScale", "the HPA controller was unable to update the target scale: %v", err)
			c.writeStatus(ctx, hpa, before)
			return fmt.Errorf("failed to rescale %s: %v", key, err)
		}
		setCondition(hpa, autoscalingv2.AbleToScale, corev1.ConditionTrue, "SucceededRescale", "the HPA controller was able to update the target scale to %d", desired)
		c.events.Eventf(hpa, corev1.EventTypeNormal, "SuccessfulRescale", "New size: %d; reason: %s", desired, reason)
		c.memory.recordScale(key, hpa.Spec.Behavior, current, desired, now, c.second)
		hpa.Status.LastScaleTime = &metav1.Time{Time: now}
	}
	hpa.Status.CurrentReplicas, hpa.Status.DesiredReplicas, hpa.Status.CurrentMetrics = current, desired, statuses
	hpa.Status.ObservedGeneration = &hpa.Generation
	c.writeStatus(ctx, hpa, before)
	return nil
}

// decide records the reconcile step of a rescale.
func (c *Controller) decide(ctx context.Context, hpa *autoscalingv2.HorizontalPodAutoscaler, current, desired int32, reason string) context.Context {
	d := trace.Reconcile{Controller: Name,
		Desired:  fmt.Sprintf("%d replicas (%s)", desired, reason),
		Actual:   fmt.Sprintf("%d replicas", current),
		Decision: fmt.Sprintf("scale %s %s to %d replicas", hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name, desired)}
	return trace.Decided(c.rec.ContextFor(ctx, hpa), c.rec, "autoscaling/v2", "HorizontalPodAutoscaler", hpa, d)
}

// writeStatus writes hpa's status if it changed from before.
func (c *Controller) writeStatus(ctx context.Context, hpa *autoscalingv2.HorizontalPodAutoscaler, before *autoscalingv2.HorizontalPodAutoscalerStatus) {
	if apiequality.Semantic.DeepEqual(*before, hpa.Status) {
		return
	}
	_, _ = c.client.AutoscalingV2().HorizontalPodAutoscalers(hpa.Namespace).UpdateStatus(ctx, hpa, metav1.UpdateOptions{})
}

// watched records that the autoscaler informer delivered event for obj.
func (c *Controller) watched(event string, obj any) {
	trace.Watched(c.rec, "autoscaling/v2", "HorizontalPodAutoscaler", obj,
		trace.Watch{Controller: Name, Informer: "horizontalpodautoscalers", Event: event})
}
