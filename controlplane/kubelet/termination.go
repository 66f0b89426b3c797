package kubelet

// Graceful deletion. Deleting a pod that runs on a node does not remove it
// at once: the API server only sets metadata.deletionTimestamp (and the
// grace period), and `kubectl get pods` shows it Terminating. The pod's
// kubelet sees that, stops the containers — an Event "Killing" per
// container, then a status with every container terminated — and finally
// deletes the pod itself with a grace period of 0 and a UID precondition, so
// it can only ever remove the very pod it stopped. Only that second delete
// takes the pod out of etcd.
//
// A node that is down does none of this, so pods deleted meanwhile stay
// Terminating until their kubelet comes back (or someone force-deletes them).

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// killPod stops pod's containers, reports it and deletes the pod. It returns
// when to try again if the delete failed.
func (w *podWorkers) killPod(ctx context.Context, pod *corev1.Pod) time.Duration {
	if sb, known := w.k.runtime.lookup(pod.UID); known {
		ctx = w.k.step(ctx, steps.Step{Stage: steps.Run, Object: podObject(pod),
			Message: steps.Msg(msgKilled, "pod", pod.Namespace+"/"+pod.Name)})
		for _, c := range pod.Spec.Containers {
			if ctr := sb.containers[c.Name]; ctr != nil && ctr.running() {
				w.events.eventf(ctx, containerRef(pod, c.Name), corev1.EventTypeNormal, reasonKilling, "Stopping container %s", c.Name)
				w.stop(ctr)
			}
		}
		pod = w.writeStatus(ctx, pod)
	}
	err := w.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
		GracePeriodSeconds: ptr.To[int64](0),
		Preconditions:      metav1.NewUIDPreconditions(string(pod.UID)),
	})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return time.Second
	}
	w.k.forgetPod(pod.UID)
	return 0
}

// stop ends a running container the way SIGTERM ends a well-behaved process.
func (w *podWorkers) stop(ctr *container) {
	now := time.Now()
	w.k.runtime.update(func() {
		ctr.terminated = &corev1.ContainerStateTerminated{ExitCode: 0, Reason: exitReason(0),
			StartedAt: stamp(ctr.startedAt), FinishedAt: stamp(now), ContainerID: ctr.id}
	})
}
