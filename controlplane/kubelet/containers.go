package kubelet

// Containers. For each container of a pod the kubelet makes sure its image
// is on the node (pulling it, or not, as imagePullPolicy says), then has the
// runtime create and start it, recording the Events `kubectl describe pod`
// shows: Pulling, Pulled, Created, Started.
//
// When a container exits, the pod's restartPolicy decides: Always restarts
// it whatever its exit code, OnFailure only after a non-zero code, Never
// never. The first restart is immediate; after that the kubelet waits a
// back-off that doubles each time (10s, 20s, 40s … up to 5m in Kubernetes),
// and the container waits in CrashLoopBackOff meanwhile. A failed image pull
// backs off the same way: ErrImagePull, then ImagePullBackOff.

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// Waiting reasons, as kubelet reports them.
const (
	reasonCrashLoopBackOff = "CrashLoopBackOff"
	reasonErrImagePull     = "ErrImagePull"
	reasonImagePullBackOff = "ImagePullBackOff"
)

// syncContainer moves container c one step closer to running, or through an
// exit and a restart. It returns when it wants to be called again.
func (w *podWorkers) syncContainer(ctx context.Context, pod *corev1.Pod, sb *sandbox, c *corev1.Container) time.Duration {
	ctr := sb.containers[c.Name]
	if ctr == nil {
		return 0
	}
	if ctr.running() {
		proc := processOf(c)
		if !proc.exits {
			return 0
		}
		if left := time.Until(ctr.startedAt.Add(proc.runs)); left > 0 {
			return left
		}
		w.exited(ctx, pod, ctr, proc.code)
	}
	if ctr.terminated != nil {
		if !restarts(pod.Spec.RestartPolicy, ctr.terminated.ExitCode) {
			return 0
		}
		w.backOffRestart(ctx, pod, ctr)
	}
	if ctr.waiting != nil && ctr.waiting.Reason == reasonErrImagePull {
		w.backOffPull(ctx, c, pod, ctr)
	}
	if left := time.Until(ctr.retryAt); left > 0 {
		return left
	}
	img, ok := w.ensureImage(ctx, pod, c, ctr)
	if !ok {
		return max(time.Until(ctr.retryAt), 10*time.Millisecond)
	}
	w.startContainer(ctx, pod, c, ctr, img)
	if proc := processOf(c); proc.exits {
		return proc.runs
	}
	return 0
}

// restarts reports whether restartPolicy restarts a container that exited with code.
func restarts(policy corev1.RestartPolicy, code int32) bool {
	switch policy {
	case corev1.RestartPolicyNever:
		return false
	case corev1.RestartPolicyOnFailure:
		return code != 0
	}
	return true
}

// backOff is the wait before the n-th retry (n from 1): none for the first,
// then BackOff, doubling up to MaxBackOff.
func (k *Kubelet) backOff(n int32) time.Duration {
	if n <= 1 {
		return 0
	}
	d := k.opts.BackOff
	for i := int32(2); i < n && d < k.opts.MaxBackOff; i++ {
		d *= 2
	}
	return min(d, k.opts.MaxBackOff)
}

// ensureImage makes sure c's image is on the node, pulling it if the pull
// policy says so. It reports false if the image is not there (back-off set).
func (w *podWorkers) ensureImage(ctx context.Context, pod *corev1.Pod, c *corev1.Container, ctr *container) (image, bool) {
	rt, ref := w.k.runtime, imageRef(c.Image)
	ev := containerRef(pod, c.Name)
	if img, ok := rt.present(ref); ok && c.ImagePullPolicy != corev1.PullAlways {
		w.events.eventf(ctx, ev, corev1.EventTypeNormal, reasonPulled,
			"Container image %q already present on machine and can be accessed by the pod", c.Image)
		return img, true
	}
	if c.ImagePullPolicy == corev1.PullNever {
		msg := fmt.Sprintf("Container image %q is not present with pull policy of Never", c.Image)
		w.events.eventf(ctx, ev, corev1.EventTypeWarning, reasonErrImageNeverPull, "%s", msg)
		w.events.eventf(ctx, ev, corev1.EventTypeWarning, reasonFailed, "Error: %s", reasonErrImageNeverPull)
		rt.update(func() {
			ctr.waiting = &corev1.ContainerStateWaiting{Reason: reasonErrImageNeverPull, Message: msg}
			ctr.retryAt = time.Now().Add(w.k.opts.BackOff)
		})
		return image{}, false
	}
	ctx = w.k.step(ctx, steps.Step{Stage: steps.Pull, Outcome: steps.Waiting, Object: podObject(pod),
		Message: steps.Msg(msgPulling, "image", c.Image, "container", c.Name)})
	w.events.eventf(ctx, ev, corev1.EventTypeNormal, reasonPulling, "Pulling image %q", c.Image)
	start := time.Now()
	if !sleep(ctx, w.k.opts.PullDelay) {
		return image{}, false
	}
	if imageMissing(c.Image) {
		msg := pullError(c.Image)
		w.k.step(ctx, steps.Step{Stage: steps.Pull, Outcome: steps.Failed, Object: podObject(pod),
			Message: steps.Msg(msgPullFailed, "image", c.Image, "container", c.Name, "error", msg)})
		w.events.eventf(ctx, ev, corev1.EventTypeWarning, reasonFailed, "Failed to pull image %q: %s", c.Image, msg)
		w.events.eventf(ctx, ev, corev1.EventTypeWarning, reasonFailed, "Error: %s", reasonErrImagePull)
		rt.update(func() { ctr.waiting = &corev1.ContainerStateWaiting{Reason: reasonErrImagePull, Message: msg} })
		return image{}, false
	}
	img := rt.pulled(ref)
	took := time.Since(start).Truncate(time.Millisecond)
	w.k.step(ctx, steps.Step{Stage: steps.Pull, Object: podObject(pod),
		Message: steps.Msg(msgPulled, "image", c.Image, "container", c.Name, "duration", took.String())})
	w.events.eventf(ctx, ev, corev1.EventTypeNormal, reasonPulled,
		"Successfully pulled image %q in %v (%v including waiting). Image size: %d bytes.", c.Image, took, took, img.size)
	rt.update(func() { ctr.pullFailures = 0 })
	return img, true
}

// backOffPull turns a failed pull into ImagePullBackOff until the next try.
func (w *podWorkers) backOffPull(ctx context.Context, c *corev1.Container, pod *corev1.Pod, ctr *container) {
	var d time.Duration
	w.k.runtime.update(func() {
		ctr.pullFailures++
		d = w.k.backOff(ctr.pullFailures + 1)
		ctr.retryAt = time.Now().Add(d)
		ctr.waiting = &corev1.ContainerStateWaiting{Reason: reasonImagePullBackOff,
			Message: fmt.Sprintf("Back-off pulling image %q: %s: %s", c.Image, reasonErrImagePull, ctr.waiting.Message)}
	})
	ev := containerRef(pod, c.Name)
	w.events.eventf(ctx, ev, corev1.EventTypeNormal, reasonBackOff, "Back-off pulling image %q", c.Image)
	w.events.eventf(ctx, ev, corev1.EventTypeWarning, reasonFailed, "Error: %s", reasonImagePullBackOff)
}

// startContainer has the runtime create and start c from img.
func (w *podWorkers) startContainer(ctx context.Context, pod *corev1.Pod, c *corev1.Container, ctr *container, img image) {
	ctx = w.k.step(ctx, steps.Step{Stage: steps.Run, Object: podObject(pod),
		Message: steps.Msg(msgStarted, "container", c.Name, "image", c.Image, "restartCount", fmt.Sprint(ctr.restartCount))})
	ev := containerRef(pod, c.Name)
	w.events.eventf(ctx, ev, corev1.EventTypeNormal, reasonCreated, "Created container: %s", c.Name)
	if !sleep(ctx, w.k.opts.StartDelay) {
		return
	}
	now := time.Now()
	w.k.runtime.update(func() {
		if ctr.last != nil {
			ctr.prevLog = ctr.log
		}
		ctr.image, ctr.id = img, containerID(pod.UID, c.Name, ctr.restartCount)
		ctr.startedAt, ctr.waiting, ctr.terminated = now, nil, nil
		ctr.log = containerLog(c, img.ref, now, w.k.opts.CPU.Value())
	})
	w.events.eventf(ctx, ev, corev1.EventTypeNormal, reasonStarted, "Started container %s", c.Name)
}

// exited records that a running container's process ended with code.
func (w *podWorkers) exited(ctx context.Context, pod *corev1.Pod, ctr *container, code int32) {
	w.k.step(ctx, steps.Step{Stage: steps.Run, Object: podObject(pod),
		Message: steps.Msg(msgExited, "container", ctr.name, "exitCode", fmt.Sprint(code))})
	now := time.Now()
	w.k.runtime.update(func() {
		ctr.terminated = &corev1.ContainerStateTerminated{ExitCode: code, Reason: exitReason(code),
			StartedAt: stamp(ctr.startedAt), FinishedAt: stamp(now), ContainerID: ctr.id}
	})
}

// backOffRestart schedules the restart of an exited container: at once the
// first time, after a growing back-off (CrashLoopBackOff) after that.
func (w *podWorkers) backOffRestart(ctx context.Context, pod *corev1.Pod, ctr *container) {
	var d time.Duration
	w.k.runtime.update(func() {
		ctr.last, ctr.terminated, ctr.startedAt = ctr.terminated, nil, time.Time{}
		ctr.restartCount++
		d = w.k.backOff(ctr.restartCount)
		ctr.retryAt = time.Now().Add(d)
		ctr.waiting = &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}
		if d > 0 {
			ctr.waiting = &corev1.ContainerStateWaiting{Reason: reasonCrashLoopBackOff,
				Message: fmt.Sprintf("back-off %s restarting failed container=%s pod=%s_%s(%s)", d, ctr.name, pod.Name, pod.Namespace, pod.UID)}
		}
	})
	if d > 0 {
		w.events.eventf(ctx, containerRef(pod, ctr.name), corev1.EventTypeWarning, reasonBackOff,
			"Back-off restarting failed container %s in pod %s_%s(%s)", ctr.name, pod.Name, pod.Namespace, pod.UID)
	}
}
