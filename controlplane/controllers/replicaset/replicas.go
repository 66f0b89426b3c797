package replicaset

// Managing replicas: the heart of the controller. It counts the pods the
// ReplicaSet owns, and creates or deletes the difference from spec.replicas.
//
// Creations go in slow-start batches (1, 2, 4, …): if the first create fails
// (a quota, an invalid template) the controller learns it after one request
// rather than after a thousand. Deletions pick the pods that matter least
// (ranking.go): unscheduled before scheduled, pending before running,
// not-ready before ready, the newest first.

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/cache"

	"github.com/glassplane/glassplane/controlplane/controllers/controllerref"
	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

// claimPods returns the active pods rs owns, adopting and releasing, and
// the pods it owns that are leaving (being deleted or finished).
func (c *Controller) claimPods(ctx context.Context, rs *appsv1.ReplicaSet) (owned, leaving []*corev1.Pod, err error) {
	selector, err := metav1.LabelSelectorAsSelector(rs.Spec.Selector)
	if err != nil {
		return nil, nil, nil // an invalid selector selects nothing; validation reports it
	}
	all, err := c.podLister.Pods(rs.Namespace).List(labels.Everything())
	if err != nil {
		return nil, nil, err
	}
	m := controllerref.ForPods(c.client, rs, c.kind.gvk, selector, func(ctx context.Context) (metav1.Object, error) {
		return c.kind.fresh(ctx, rs.Namespace, rs.Name)
	})
	for _, pod := range all {
		if !isActive(pod) {
			if ref := metav1.GetControllerOfNoCopy(pod); ref != nil && ref.UID == rs.UID {
				leaving = append(leaving, pod)
			}
			continue
		}
		ok, err := m.Claim(ctx, pod)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			owned = append(owned, pod)
		}
	}
	return owned, leaving, nil
}

// isActive: not finished and not being deleted.
func isActive(pod *corev1.Pod) bool {
	return pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed && pod.DeletionTimestamp == nil
}

// manageReplicas creates or deletes pods so that rs owns spec.replicas.
// Pods it creates replace those leaving, so the creation joins the newest
// trace among theirs (trace.Newest).
func (c *Controller) manageReplicas(ctx context.Context, key string, rs *appsv1.ReplicaSet, pods, leaving []*corev1.Pod) error {
	desired, actual := int(replicas(rs)), len(pods)
	d := trace.Reconcile{
		Desired: fmt.Sprintf("%d replicas", desired),
		Actual:  fmt.Sprintf("%d pods", actual),
	}
	if !c.expectations.Satisfied(key) {
		adds, dels := c.expectations.Outstanding(key)
		d.Decision = fmt.Sprintf("wait: %d creations and %d deletions not yet seen", adds, dels)
		c.reconciled(ctx, rs, d)
		return nil
	}
	diff := desired - actual
	switch {
	case diff > 0:
		n := min(diff, burstReplicas)
		d.Decision = fmt.Sprintf("create %d pods", n)
		ctx = trace.Newest(ctx, c.rec, podsAsAny(leaving)...)
		return c.createPods(c.reconciled(ctx, rs, d), key, rs, n)
	case diff < 0:
		n := min(-diff, burstReplicas)
		d.Decision = fmt.Sprintf("delete %d pods", n)
		return c.deletePods(c.reconciled(ctx, rs, d), key, rs, podsToDelete(pods, n))
	}
	d.Decision = "in sync: nothing to do"
	c.reconciled(ctx, rs, d)
	return nil
}

// createPods creates n pods from rs's template, in slow-start batches.
func (c *Controller) createPods(ctx context.Context, key string, rs *appsv1.ReplicaSet, n int) error {
	c.expectations.ExpectCreations(key, n)
	created := 0
	for batch := 1; created < n; batch *= 2 {
		batch = min(batch, n-created)
		for range batch {
			if err := c.createPod(ctx, rs); err != nil {
				// Nothing of this batch or later will be seen: stop waiting for it.
				for range n - created {
					c.expectations.CreationObserved(key)
				}
				return err
			}
			created++
		}
	}
	return nil
}

func (c *Controller) createPod(ctx context.Context, rs *appsv1.ReplicaSet) error {
	pod, err := c.client.CoreV1().Pods(rs.Namespace).Create(ctx, podFromTemplate(rs, c.kind.gvk), metav1.CreateOptions{})
	if err != nil {
		if apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) || apierrors.IsForbidden(err) {
			// The namespace is going away; don't shout about it.
			return err
		}
		c.eventRecorder.Eventf(rs, corev1.EventTypeWarning, FailedCreate, "Error creating: %v", err)
		return err
	}
	c.eventRecorder.Eventf(rs, corev1.EventTypeNormal, SuccessfulCreate, "Created pod: %v", pod.Name)
	return nil
}

// podFromTemplate is the pod rs creates: its template, named "<rs>-<random>",
// controlled by rs, of kind.
func podFromTemplate(rs *appsv1.ReplicaSet, kind schema.GroupVersionKind) *corev1.Pod {
	t := rs.Spec.Template.DeepCopy()
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName:    rs.Name + "-",
			Namespace:       rs.Namespace,
			Labels:          t.Labels,
			Annotations:     t.Annotations,
			Finalizers:      t.Finalizers,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(rs, kind)},
		},
		Spec: t.Spec,
	}
}

// deletePods deletes the chosen pods.
func (c *Controller) deletePods(ctx context.Context, key string, rs *appsv1.ReplicaSet, pods []*corev1.Pod) error {
	keys := make([]string, len(pods))
	for i, pod := range pods {
		keys[i], _ = cache.MetaNamespaceKeyFunc(pod)
	}
	c.expectations.ExpectDeletions(key, keys)
	for i, pod := range pods {
		err := c.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{})
		if apierrors.IsNotFound(err) {
			c.expectations.DeletionObserved(key, keys[i])
			continue
		}
		if err != nil {
			for _, k := range keys[i:] { // none of these will be seen going
				c.expectations.DeletionObserved(key, k)
			}
			c.eventRecorder.Eventf(rs, corev1.EventTypeWarning, FailedDelete, "Error deleting: %v", err)
			return err
		}
		c.eventRecorder.Eventf(rs, corev1.EventTypeNormal, SuccessfulDelete, "Deleted pod: %v", pod.Name)
	}
	return nil
}
