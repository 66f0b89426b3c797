// Package statefulset is the StatefulSet controller: it keeps the pods
// web-0 … web-(N−1) of each StatefulSet, creating them in order, removing
// them in reverse order, and replacing them from the highest ordinal when the
// template changes.
//
// In Kubernetes a StatefulSet is for pods that are not interchangeable:
// members of a database, each with its name, its address and (with
// volumeClaimTemplates) its own disk. Each sync of one set claims the pods
// that are its own, makes sure the revision of its template exists
// (history.go), decides one step (plan.go: create, delete, or wait for a pod
// to be Running and Ready), takes it, and reports the counts and revisions
// in status (status.go).
//
// Interface rules (as kubernetes/sample-controller, with the shared work
// loop): informer handlers only enqueue "namespace/name" keys; objects from
// the listers are never modified. No expectations are needed: pods have
// fixed names, so a sync that runs before the informer has shown the last
// one's pod finds that it already exists.
package statefulset

import (
	"context"
	"errors"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"

	"github.com/glassplane/glassplane/controlplane/controllers/controllerref"
	"github.com/glassplane/glassplane/controlplane/controllers/history"
	"github.com/glassplane/glassplane/controlplane/controllers/trace"
	"github.com/glassplane/glassplane/controlplane/controllers/workloop"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Name is the controller's name, and the component of its Events.
const Name = "statefulset-controller"

// controllerKind is the kind a pod's owner reference names.
var controllerKind = appsv1.SchemeGroupVersion.WithKind("StatefulSet")

// Event reasons, as kube's.
const (
	SuccessfulCreate = "SuccessfulCreate"
	SuccessfulDelete = "SuccessfulDelete"
	FailedCreate     = "FailedCreate"
	FailedDelete     = "FailedDelete"
)

// Controller is the StatefulSet controller.
type Controller struct {
	client        kubernetes.Interface
	rec           *steps.Recorder
	broadcaster   record.EventBroadcaster
	eventRecorder record.EventRecorder

	setLister      appslisters.StatefulSetLister
	podLister      corelisters.PodLister
	revisionLister appslisters.ControllerRevisionLister
	claimLister    corelisters.PersistentVolumeClaimLister
	synced         []cache.InformerSynced

	queue workqueue.TypedRateLimitingInterface[string]
}

// New returns a StatefulSet controller fed by factory's informers.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder) *Controller {
	sets := factory.Apps().V1().StatefulSets()
	pods := factory.Core().V1().Pods()
	revisions := factory.Apps().V1().ControllerRevisions()
	claims := factory.Core().V1().PersistentVolumeClaims()
	b := record.NewBroadcaster()
	c := &Controller{
		client: client, rec: rec, broadcaster: b,
		eventRecorder: b.NewRecorder(scheme.Scheme, corev1.EventSource{Component: Name}),
		setLister:     sets.Lister(), podLister: pods.Lister(), revisionLister: revisions.Lister(),
		claimLister: claims.Lister(),
		synced: []cache.InformerSynced{sets.Informer().HasSynced, pods.Informer().HasSynced, revisions.Informer().HasSynced,
			claims.Informer().HasSynced},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "statefulset"}),
	}
	c.handleStatefulSets(sets.Informer())
	c.handlePods(pods.Informer())
	return c
}

// Run starts workers that sync StatefulSets until ctx ends, and blocks.
func (c *Controller) Run(ctx context.Context, workers int) {
	c.broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: c.client.CoreV1().Events("")})
	defer c.broadcaster.Shutdown()
	workloop.Run(ctx, Name, c.queue, c.synced, workers, c.syncStatefulSet)
}

// syncStatefulSet takes one step towards set's spec and reports status.
func (c *Controller) syncStatefulSet(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil // a malformed key will never sync
	}
	set, err := c.setLister.StatefulSets(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	pods, err := c.claimPods(ctx, set)
	if err != nil {
		return err
	}
	owned, err := history.Owned(c.revisionLister, set)
	if err != nil {
		return err
	}
	ctx = c.rec.ContextFor(ctx, set)
	updateRevision := updateRevisionName(set)
	currentRevision := set.Status.CurrentRevision
	if currentRevision == "" {
		currentRevision = updateRevision // a new set starts at its first revision
	}
	found := calculateStatus(set, pods, currentRevision, updateRevision)
	if set.DeletionTimestamp != nil {
		return c.updateStatus(ctx, set, found, false)
	}
	if err := c.ensureUpdateRevision(ctx, set, owned); err != nil {
		return err
	}
	s := planStep(set, pods, updateRevision)
	decided, stepErr := c.take(ctx, set, found, s, owned, currentRevision, updateRevision)
	if err := c.truncateHistory(ctx, set, owned, pods, currentRevision, updateRevision); err != nil {
		stepErr = errors.Join(stepErr, err)
	}
	if err := c.updateStatus(ctx, set, found, decided); err != nil {
		return err
	}
	return stepErr
}

// take records the step's decision and makes its writes.
func (c *Controller) take(ctx context.Context, set *appsv1.StatefulSet, found appsv1.StatefulSetStatus, s step,
	owned []*appsv1.ControllerRevision, currentRevision, updateRevision string) (bool, error) {
	sentence := decision(set, s)
	if sentence == "" {
		return false, nil
	}
	ctx = c.decide(ctx, set, found, sentence)
	var errs []error
	for _, i := range s.create {
		revision := updateRevision
		if set.Spec.UpdateStrategy.Type == appsv1.RollingUpdateStatefulSetStrategyType && i < partition(set) {
			revision = currentRevision // below the partition pods keep the current revision
		}
		errs = append(errs, c.createPod(ctx, set, newStatefulSetPod(set, templateOf(set, owned, revision), revision, i)))
	}
	for _, pod := range s.delete {
		errs = append(errs, c.deletePod(ctx, set, pod))
	}
	return true, errors.Join(errs...)
}

func (c *Controller) createPod(ctx context.Context, set *appsv1.StatefulSet, pod *corev1.Pod) error {
	if _, i := parentAndOrdinal(pod.Name); i >= 0 {
		if err := c.createClaims(ctx, set, pod, i); err != nil {
			return err
		}
	}
	_, err := c.client.CoreV1().Pods(set.Namespace).Create(ctx, pod, metav1.CreateOptions{})
	switch {
	case apierrors.IsAlreadyExists(err):
		return nil // made by an earlier sync the informer has not shown yet
	case err != nil:
		c.eventRecorder.Eventf(set, corev1.EventTypeWarning, FailedCreate, "create Pod %s in StatefulSet %s failed error: %s", pod.Name, set.Name, err)
		return err
	}
	c.eventRecorder.Eventf(set, corev1.EventTypeNormal, SuccessfulCreate, "create Pod %s in StatefulSet %s successful", pod.Name, set.Name)
	return nil
}

func (c *Controller) deletePod(ctx context.Context, set *appsv1.StatefulSet, pod *corev1.Pod) error {
	if err := c.condemnClaims(ctx, set, pod); err != nil {
		return err
	}
	err := c.client.CoreV1().Pods(set.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		c.eventRecorder.Eventf(set, corev1.EventTypeWarning, FailedDelete, "delete Pod %s in StatefulSet %s failed error: %s", pod.Name, set.Name, err)
		return err
	}
	c.eventRecorder.Eventf(set, corev1.EventTypeNormal, SuccessfulDelete, "delete Pod %s in StatefulSet %s successful", pod.Name, set.Name)
	return nil
}

// claimPods returns the pods set owns, adopting matching orphans that are
// named for it and releasing pods that no longer match.
func (c *Controller) claimPods(ctx context.Context, set *appsv1.StatefulSet) ([]*corev1.Pod, error) {
	selector, err := metav1.LabelSelectorAsSelector(set.Spec.Selector)
	if err != nil {
		return nil, nil // an invalid selector selects nothing; validation reports it
	}
	all, err := c.podLister.Pods(set.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	m := controllerref.ForPods(c.client, set, controllerKind, selector, func(ctx context.Context) (metav1.Object, error) {
		return c.client.AppsV1().StatefulSets(set.Namespace).Get(ctx, set.Name, metav1.GetOptions{})
	})
	var owned []*corev1.Pod
	for _, pod := range all {
		if !isMemberOf(set, pod) && metav1.GetControllerOfNoCopy(pod) == nil {
			continue // an orphan not named for the set is never adopted
		}
		ok, err := m.Claim(ctx, pod)
		if err != nil {
			return nil, err
		}
		if ok && isMemberOf(set, pod) {
			owned = append(owned, pod)
		}
	}
	return owned, nil
}

// updateStatus writes status if it changed; when the sync decided nothing
// else, the write is its decision.
func (c *Controller) updateStatus(ctx context.Context, set *appsv1.StatefulSet, status appsv1.StatefulSetStatus, decided bool) error {
	if apiequality.Semantic.DeepEqual(set.Status, status) {
		return nil
	}
	if !decided {
		ctx = c.decide(ctx, set, status, fmt.Sprintf("report status: %d of %d pods ready, %d at revision %s",
			status.ReadyReplicas, status.Replicas, status.UpdatedReplicas, status.UpdateRevision))
	}
	next := set.DeepCopy()
	next.Status = status
	_, err := c.client.AppsV1().StatefulSets(set.Namespace).UpdateStatus(ctx, next, metav1.UpdateOptions{})
	return err
}

// decide records the controller's decision for set and returns a context
// whose writes are filed under it: the one place this controller shows a
// decision (and where a pacer holds it).
func (c *Controller) decide(ctx context.Context, set *appsv1.StatefulSet, found appsv1.StatefulSetStatus, decision string) context.Context {
	d := trace.Reconcile{Controller: Name,
		Desired:  fmt.Sprintf("%d pods %s-0…, at revision %s", replicas(set), set.Name, found.UpdateRevision),
		Actual:   fmt.Sprintf("%d pods, %d ready, %d at revision %s", found.Replicas, found.ReadyReplicas, found.UpdatedReplicas, found.UpdateRevision),
		Decision: decision}
	return trace.Decided(ctx, c.rec, "apps/v1", "StatefulSet", set, d)
}
