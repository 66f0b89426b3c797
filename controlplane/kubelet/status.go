package kubelet

// Pod status. The kubelet is the only writer of what a pod is actually doing:
// its phase, its IPs, the state of each container and the conditions that
// `kubectl get pods` summarises as READY. It writes them through the
// pods/status subresource, so a status update can never change the spec.
//
// podStatus builds the whole status from what the runtime knows, the way the
// kubelet's generateAPIPodStatus does, keeping what other components own
// (conditions it does not manage, such as DisruptionTarget, and the QoS
// class the API server set) and each condition's lastTransitionTime when the
// condition did not change. Building is pure: the same runtime state gives
// the same status, so the worker writes only when something changed.
//
// The phase, as in kubelet's getPhase: Pending while a container has not
// started; Running while one runs or will be restarted; Succeeded when all
// exited 0 and none will restart; Failed when one exited non-zero and will
// not restart. Containers are Ready as soon as they run (Glassplane runs no
// probes).

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// kubeletConditions are the pod conditions the kubelet manages, in the order
// it lists them.
var kubeletConditions = []corev1.PodConditionType{
	corev1.PodReadyToStartContainers, corev1.PodInitialized, corev1.PodReady,
	corev1.ContainersReady, corev1.PodScheduled,
}

// stamp is t as the API stores it: to the second.
func stamp(t time.Time) metav1.Time { return metav1.NewTime(t.Truncate(time.Second)) }

// podStatus is pod's status given its sandbox (nil before there is one), the
// node's IP and the time now. The caller holds the runtime's lock.
func podStatus(pod *corev1.Pod, sb *sandbox, hostIP string, terminating bool, now time.Time) corev1.PodStatus {
	st := *pod.Status.DeepCopy()
	st.ObservedGeneration = pod.Generation
	st.HostIP, st.HostIPs = hostIP, []corev1.HostIP{{IP: hostIP}}
	st.ContainerStatuses = nil
	for i := range pod.Spec.Containers {
		st.ContainerStatuses = append(st.ContainerStatuses, containerStatus(&pod.Spec.Containers[i], sb))
	}
	st.Phase = podPhase(pod.Spec.RestartPolicy, st.ContainerStatuses, terminating)
	if sb != nil {
		st.StartTime = ptr.To(stamp(sb.created))
		if sb.ip != "" {
			st.PodIP, st.PodIPs = sb.ip, []corev1.PodIP{{IP: sb.ip}}
		}
	}
	st.Conditions = podConditions(pod.Status.Conditions, st, sb != nil && sb.ip != "", now)
	return st
}

// containerStatus reports container c of the pod.
func containerStatus(c *corev1.Container, sb *sandbox) corev1.ContainerStatus {
	cs := corev1.ContainerStatus{Name: c.Name, Image: c.Image, Started: ptr.To(false),
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}}
	if sb == nil || sb.containers[c.Name] == nil {
		return cs
	}
	ctr := sb.containers[c.Name]
	cs.RestartCount = ctr.restartCount
	if ctr.image.ref != "" {
		cs.Image, cs.ImageID = ctr.image.ref, ctr.image.id
	}
	cs.ContainerID = ctr.id
	if ctr.last != nil {
		cs.LastTerminationState.Terminated = ctr.last.DeepCopy()
	}
	switch {
	case ctr.terminated != nil:
		cs.State = corev1.ContainerState{Terminated: ctr.terminated.DeepCopy()}
	case ctr.running():
		cs.State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: stamp(ctr.startedAt)}}
		cs.Ready, cs.Started = true, ptr.To(true)
	case ctr.waiting != nil:
		cs.State = corev1.ContainerState{Waiting: ctr.waiting.DeepCopy()}
	}
	return cs
}

// podPhase is kubelet's getPhase for pods without init containers.
func podPhase(policy corev1.RestartPolicy, statuses []corev1.ContainerStatus, terminating bool) corev1.PodPhase {
	var pending, running, succeeded, failed int
	for _, cs := range statuses {
		switch {
		case cs.State.Running != nil:
			running++
		case cs.State.Terminated != nil && cs.State.Terminated.ExitCode == 0:
			succeeded++
		case cs.State.Terminated != nil:
			failed++
		case cs.LastTerminationState.Terminated != nil:
			running++ // waiting to be restarted
		default:
			pending++
		}
	}
	switch {
	case pending > 0 && !terminating:
		return corev1.PodPending
	case running > 0:
		return corev1.PodRunning
	case !terminating && policy == corev1.RestartPolicyAlways:
		return corev1.PodRunning // every container will be restarted
	case !terminating && policy == corev1.RestartPolicyOnFailure && failed > 0:
		return corev1.PodRunning
	case failed > 0:
		return corev1.PodFailed
	case pending > 0:
		return corev1.PodFailed // deleted before it could start
	default:
		return corev1.PodSucceeded
	}
}

// podConditions sets the kubelet's conditions on top of old, keeping the
// conditions other components own and unchanged transition times.
func podConditions(old []corev1.PodCondition, st corev1.PodStatus, networked bool, now time.Time) []corev1.PodCondition {
	var unready []string
	for _, cs := range st.ContainerStatuses {
		if !cs.Ready {
			unready = append(unready, cs.Name)
		}
	}
	ready := corev1.PodCondition{Status: corev1.ConditionTrue}
	switch {
	case st.Phase == corev1.PodSucceeded || st.Phase == corev1.PodFailed:
		ready = corev1.PodCondition{Status: corev1.ConditionFalse, Reason: "PodCompleted"}
	case len(unready) > 0:
		ready = corev1.PodCondition{Status: corev1.ConditionFalse, Reason: "ContainersNotReady",
			Message: fmt.Sprintf("containers with unready status: [%s]", strings.Join(unready, " "))}
	}
	want := map[corev1.PodConditionType]corev1.PodCondition{
		corev1.PodReadyToStartContainers: {Status: boolStatus(networked && st.Phase != corev1.PodSucceeded && st.Phase != corev1.PodFailed)},
		corev1.PodInitialized:            {Status: corev1.ConditionTrue},
		corev1.PodReady:                  ready,
		corev1.ContainersReady:           ready,
		corev1.PodScheduled:              {Status: corev1.ConditionTrue},
	}
	if st.Phase == corev1.PodSucceeded || st.Phase == corev1.PodFailed {
		want[corev1.PodInitialized] = corev1.PodCondition{Status: corev1.ConditionTrue, Reason: "PodCompleted"}
	}
	var out []corev1.PodCondition
	for _, t := range kubeletConditions {
		c := want[t]
		c.Type, c.ObservedGeneration = t, st.ObservedGeneration
		c.LastTransitionTime = stamp(now)
		if prev := findCondition(old, t); prev != nil && prev.Status == c.Status {
			c.LastTransitionTime = prev.LastTransitionTime
		}
		out = append(out, c)
	}
	for _, c := range old {
		if !isKubeletCondition(c.Type) {
			out = append(out, c)
		}
	}
	return out
}

func findCondition(conds []corev1.PodCondition, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range conds {
		if conds[i].Type == t {
			return &conds[i]
		}
	}
	return nil
}

func isKubeletCondition(t corev1.PodConditionType) bool {
	for _, k := range kubeletConditions {
		if k == t {
			return true
		}
	}
	return false
}

func boolStatus(b bool) corev1.ConditionStatus {
	if b {
		return corev1.ConditionTrue
	}
	return corev1.ConditionFalse
}
