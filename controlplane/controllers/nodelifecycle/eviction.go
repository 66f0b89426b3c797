package nodelifecycle

// Taint-based eviction. A pod may stay on a node with a NoExecute taint only
// while it tolerates the taint: a pod without a matching toleration is
// deleted at once; one whose toleration has tolerationSeconds is deleted
// that long after the taint was added; one whose toleration has no time
// stays for good. (The DefaultTolerationSeconds admission plugin gives every
// pod 300s for not-ready and unreachable, which is why a failed node's pods
// move after five minutes.) The controller first adds the DisruptionTarget
// condition to the pod, so its owner can tell why it went, then deletes it.
//
// Deleting a pod whose node is down only marks it Terminating: the kubelet
// that would finish the deletion is the one that is gone. Its ReplicaSet
// does not count it any more, so replacements start elsewhere at once.

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

const (
	reasonTaintEviction = "TaintManagerEviction"
	reasonDeletion      = "DeletionByTaintManager"
	messageDeletion     = "Taint manager: deleting due to NoExecute taint"
)

// evictPods deletes the node's pods whose tolerations have run out, and
// returns when the next one runs out (0 if none will).
func (c *Controller) evictPods(ctx context.Context, node *corev1.Node) (time.Duration, error) {
	taints := noExecuteTaints(node)
	if len(taints) == 0 {
		return 0, nil
	}
	pods, err := c.podsOn(node.Name)
	if err != nil {
		return 0, err
	}
	now := time.Now()
	var next time.Duration
	for _, pod := range pods {
		if pod.DeletionTimestamp != nil {
			continue
		}
		at, evict := evictionTime(pod, taints, c.opts.EvictionTimeout)
		if !evict {
			continue
		}
		if wait := at.Sub(now); wait > 0 {
			if next == 0 || wait < next {
				next = wait
			}
			continue
		}
		if err := c.evict(ctx, pod, node); err != nil {
			return 0, err
		}
	}
	return next, nil
}

// evictionTime is when pod must leave a node with the NoExecute taints; evict
// is false if the pod tolerates them for good. limit, if set, caps every
// tolerationSeconds.
func evictionTime(pod *corev1.Pod, taints []corev1.Taint, limit time.Duration) (at time.Time, evict bool) {
	var seconds *int64
	since := time.Now()
	for i := range taints {
		t := &taints[i]
		if t.TimeAdded != nil && t.TimeAdded.Time.Before(since) {
			since = t.TimeAdded.Time
		}
		tolerated := false
		for j := range pod.Spec.Tolerations {
			tol := &pod.Spec.Tolerations[j]
			if !tol.ToleratesTaint(klog.Background(), t, false) {
				continue
			}
			tolerated = true
			if s := tol.TolerationSeconds; s != nil && (seconds == nil || *s < *seconds) {
				seconds = s
			}
		}
		if !tolerated {
			return time.Time{}, true
		}
	}
	if seconds == nil {
		return time.Time{}, false
	}
	wait := time.Duration(max(*seconds, 0)) * time.Second
	if limit > 0 && wait > limit {
		wait = limit
	}
	return since.Add(wait), true
}

// evict marks pod as disrupted by the taint and deletes it.
func (c *Controller) evict(ctx context.Context, pod *corev1.Pod, node *corev1.Node) error {
	ref := pod.Namespace + "/" + pod.Name
	ctx = c.reconciled(ctx, pod, "Pod", trace.Reconcile{
		Desired:  fmt.Sprintf("pods on %s tolerate its NoExecute taints", node.Name),
		Actual:   fmt.Sprintf("pod %s no longer tolerates them", ref),
		Decision: "delete pod " + ref,
	})
	c.podEvents.Eventf(pod, corev1.EventTypeNormal, reasonTaintEviction, "Marking for deletion Pod %s", ref)
	if !disrupted(pod) {
		marked := pod.DeepCopy()
		marked.Status.Conditions = append(marked.Status.Conditions, corev1.PodCondition{
			Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now(),
			Reason: reasonDeletion, Message: messageDeletion,
		})
		if _, err := c.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, marked, metav1.UpdateOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	err := c.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
		Preconditions: metav1.NewUIDPreconditions(string(pod.UID)),
	})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil // gone already, or another pod by that name now
	}
	return err
}

func disrupted(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.DisruptionTarget && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}
