package job

// The Job's pods: made from its template with the tracking finalizer,
// deleted when the Job has too many or is over, and let go (finalizer off)
// once counted — or once their Job is gone, so a deleted Job's pods do not
// hang in Terminating.

import (
	"context"
	"encoding/json"
	"slices"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
)

// podsOf returns the pods job controls.
func (c *Controller) podsOf(job *batchv1.Job) ([]*corev1.Pod, error) {
	all, err := c.podLister.Pods(job.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	var out []*corev1.Pod
	for _, p := range all {
		if ref := metav1.GetControllerOfNoCopy(p); ref != nil && ref.UID == job.UID {
			out = append(out, p)
		}
	}
	return out, nil
}

// createPods creates n pods from job's template.
func (c *Controller) createPods(ctx context.Context, key string, job *batchv1.Job, n int) error {
	if n <= 0 {
		return nil
	}
	c.expectations.ExpectCreations(key, n)
	for i := range n {
		pod, err := c.client.CoreV1().Pods(job.Namespace).Create(ctx, podFromTemplate(job), metav1.CreateOptions{})
		if err != nil {
			for range n - i { // none of these will be seen
				c.expectations.CreationObserved(key)
			}
			if !apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
				c.events.Eventf(job, corev1.EventTypeWarning, FailedCreate, "Error creating: %v", err)
			}
			return err
		}
		c.events.Eventf(job, corev1.EventTypeNormal, SuccessfulCreate, "Created pod: %v", pod.Name)
	}
	return nil
}

// podFromTemplate is a pod of job: its template, named "<job>-<random>",
// controlled by job and held by the tracking finalizer until counted.
func podFromTemplate(job *batchv1.Job) *corev1.Pod {
	t := job.Spec.Template.DeepCopy()
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName:    job.Name + "-",
			Namespace:       job.Namespace,
			Labels:          t.Labels,
			Annotations:     t.Annotations,
			Finalizers:      append(t.Finalizers, batchv1.JobTrackingFinalizer),
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(job, controllerKind)},
		},
		Spec: t.Spec,
	}
}

// deletePods deletes pods (running ones the Job no longer wants).
func (c *Controller) deletePods(ctx context.Context, key string, job *batchv1.Job, pods []*corev1.Pod) error {
	if len(pods) == 0 {
		return nil
	}
	keys := make([]string, len(pods))
	for i, p := range pods {
		keys[i], _ = cache.MetaNamespaceKeyFunc(p)
	}
	c.expectations.ExpectDeletions(key, keys)
	for i, p := range pods {
		err := c.client.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{})
		if apierrors.IsNotFound(err) {
			c.expectations.DeletionObserved(key, keys[i])
			continue
		}
		if err != nil {
			for _, k := range keys[i:] {
				c.expectations.DeletionObserved(key, k)
			}
			return err
		}
		c.events.Eventf(job, corev1.EventTypeNormal, SuccessfulDelete, "Deleted pod: %v", p.Name)
	}
	return nil
}

// removeFinalizers takes the tracking finalizer off pods, with the strategic
// merge patch kube's controller sends: it deletes the finalizer by value, so
// sending it twice (a sync that read a stale cache) does no harm.
func (c *Controller) removeFinalizers(ctx context.Context, pods []*corev1.Pod) error {
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{
		"$deleteFromPrimitiveList/finalizers": []string{batchv1.JobTrackingFinalizer}}})
	for _, p := range pods {
		if !tracked(p) {
			continue
		}
		_, err := c.client.CoreV1().Pods(p.Namespace).Patch(ctx, p.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	return nil
}

// releaseOrphans lets go of the pods of a Job named name that is gone.
func (c *Controller) releaseOrphans(ctx context.Context, namespace, name string) error {
	pods, err := c.podLister.Pods(namespace).List(labels.Everything())
	if err != nil {
		return err
	}
	var held []*corev1.Pod
	for _, p := range pods {
		ref := metav1.GetControllerOfNoCopy(p)
		if ref == nil || ref.Kind != controllerKind.Kind || ref.Name != name || !slices.Contains(p.Finalizers, batchv1.JobTrackingFinalizer) {
			continue
		}
		if j, err := c.jobLister.Jobs(namespace).Get(name); err == nil && j.UID == ref.UID {
			continue // a Job of that name is back and owns it
		}
		held = append(held, p)
	}
	return c.removeFinalizers(ctx, held)
}
