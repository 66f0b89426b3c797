// Pods: the columns of `kubectl get pods` (NAME READY STATUS RESTARTS AGE,
// and with -o wide IP NODE NOMINATED NODE READINESS GATES).
//
// The STATUS column is not simply status.phase: like kube-apiserver we look
// at the init containers and containers to explain *why* a pod is where it
// is (Init:0/1, ContainerCreating, CrashLoopBackOff, Completed, Terminating...).
package printers

import (
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var podColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Ready", Type: "string", Description: "The aggregate readiness state of this pod for accepting traffic."},
	{Name: "Status", Type: "string", Description: "The aggregate status of the containers in this pod."},
	{Name: "Restarts", Type: "string", Description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."},
	ageColumn,
	{Name: "IP", Type: "string", Priority: 1, Description: corev1.PodStatus{}.SwaggerDoc()["podIP"]},
	{Name: "Node", Type: "string", Priority: 1, Description: corev1.PodSpec{}.SwaggerDoc()["nodeName"]},
	{Name: "Nominated Node", Type: "string", Priority: 1, Description: corev1.PodStatus{}.SwaggerDoc()["nominatedNodeName"]},
	{Name: "Readiness Gates", Type: "string", Priority: 1, Description: corev1.PodSpec{}.SwaggerDoc()["readinessGates"]},
}

func init() { register(podColumns, printPod) }

// podSummary is what we learn by walking a pod's container statuses.
type podSummary struct {
	reason      string // the STATUS column
	ready       int    // ready containers
	total       int    // containers that count towards READY
	restarts    int    // sum of restart counts
	lastRestart metav1.Time
}

func printPod(pod *corev1.Pod) metav1.TableRow {
	s := summarizePod(pod)
	row := cells(
		pod.Name,
		fmt.Sprintf("%d/%d", s.ready, s.total),
		s.reason,
		restartsCell(s.restarts, s.lastRestart),
		age(pod.CreationTimestamp),
		orNone(podIP(pod)),
		orNone(pod.Spec.NodeName),
		orNone(pod.Status.NominatedNodeName),
		readinessGates(pod),
	)
	row.Conditions = podRowConditions(pod.Status.Phase)
	return row
}

// summarizePod computes READY, STATUS and RESTARTS like kube-apiserver does.
func summarizePod(pod *corev1.Pod) podSummary {
	s := podSummary{reason: string(pod.Status.Phase), total: len(pod.Spec.Containers)}
	if pod.Status.Reason != "" {
		s.reason = pod.Status.Reason
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Reason == corev1.PodReasonSchedulingGated {
			s.reason = corev1.PodReasonSchedulingGated
		}
	}
	// Sidecars (init containers with restartPolicy: Always) count as containers.
	for i := range pod.Spec.InitContainers {
		if isSidecar(&pod.Spec.InitContainers[i]) {
			s.total++
		}
	}

	initializing, sidecarRestarts, sidecarLastRestart := summarizeInitContainers(pod, &s)
	if !initializing || podInitialized(pod) {
		// Once init is done, only sidecar restarts and regular containers count.
		s.restarts, s.lastRestart = sidecarRestarts, sidecarLastRestart
		summarizeContainers(pod, &s)
	}

	switch {
	case pod.DeletionTimestamp != nil && pod.Status.Reason == "NodeLost":
		s.reason = "Unknown"
	case pod.DeletionTimestamp != nil && !isTerminalPhase(pod.Status.Phase):
		s.reason = "Terminating"
	}
	return s
}

// summarizeInitContainers walks init containers in order and stops at the
// first one that has not finished, turning it into an "Init:..." status.
// It reports whether the pod is still initializing, and the restarts of
// sidecar containers (which keep counting after initialization).
func summarizeInitContainers(pod *corev1.Pod, s *podSummary) (bool, int, metav1.Time) {
	sidecarRestarts, sidecarLastRestart := 0, metav1.Time{}
	initContainers := map[string]*corev1.Container{}
	for i := range pod.Spec.InitContainers {
		initContainers[pod.Spec.InitContainers[i].Name] = &pod.Spec.InitContainers[i]
	}

	for i, status := range pod.Status.InitContainerStatuses {
		sidecar := isSidecar(initContainers[status.Name])
		s.restarts += int(status.RestartCount)
		s.lastRestart = latestRestart(s.lastRestart, status)
		if sidecar {
			sidecarRestarts += int(status.RestartCount)
			sidecarLastRestart = latestRestart(sidecarLastRestart, status)
		}

		state := status.State
		switch {
		case state.Terminated != nil && state.Terminated.ExitCode == 0:
			continue // finished successfully
		case sidecar && status.Started != nil && *status.Started:
			if status.Ready {
				s.ready++
			}
			continue // a started sidecar does not block initialization
		case state.Terminated != nil:
			s.reason = "Init:" + terminatedReason(state.Terminated)
		case state.Waiting != nil && state.Waiting.Reason != "" && state.Waiting.Reason != "PodInitializing":
			s.reason = "Init:" + state.Waiting.Reason
		default:
			s.reason = fmt.Sprintf("Init:%d/%d", i, len(pod.Spec.InitContainers))
		}
		return true, sidecarRestarts, sidecarLastRestart
	}
	return false, sidecarRestarts, sidecarLastRestart
}

// summarizeContainers walks the regular containers. The last container in
// the list with something to say (waiting/terminated reason) wins STATUS.
func summarizeContainers(pod *corev1.Pod, s *podSummary) {
	hasRunning := false
	for i := len(pod.Status.ContainerStatuses) - 1; i >= 0; i-- {
		status := pod.Status.ContainerStatuses[i]
		s.restarts += int(status.RestartCount)
		s.lastRestart = latestRestart(s.lastRestart, status)

		state := status.State
		switch {
		case state.Waiting != nil && state.Waiting.Reason != "":
			s.reason = state.Waiting.Reason // e.g. ContainerCreating, CrashLoopBackOff
		case state.Terminated != nil:
			s.reason = terminatedReason(state.Terminated) // e.g. Completed, Error
		case status.Ready && state.Running != nil:
			hasRunning = true
			s.ready++
		}
	}
	// One container finished but another is still running: not "Completed".
	if s.reason == "Completed" && hasRunning {
		if podReady(pod) {
			s.reason = "Running"
		} else {
			s.reason = "NotReady"
		}
	}
}

// terminatedReason is the reason a container stopped, or its exit code/signal.
func terminatedReason(t *corev1.ContainerStateTerminated) string {
	switch {
	case t.Reason != "":
		return t.Reason
	case t.Signal != 0:
		return fmt.Sprintf("Signal:%d", t.Signal)
	default:
		return fmt.Sprintf("ExitCode:%d", t.ExitCode)
	}
}

// latestRestart keeps the most recent time a container last terminated.
func latestRestart(latest metav1.Time, status corev1.ContainerStatus) metav1.Time {
	if t := status.LastTerminationState.Terminated; t != nil && latest.Before(&t.FinishedAt) {
		return t.FinishedAt
	}
	return latest
}

// restartsCell prints "3" or, when we know when it happened, "3 (5m ago)".
func restartsCell(restarts int, last metav1.Time) string {
	if restarts != 0 && !last.IsZero() {
		return fmt.Sprintf("%d (%s ago)", restarts, age(last))
	}
	return strconv.Itoa(restarts)
}

func podIP(pod *corev1.Pod) string {
	if len(pod.Status.PodIPs) > 0 {
		return pod.Status.PodIPs[0].IP
	}
	return ""
}

// readinessGates prints "1/2": how many of the pod's readiness gates are True.
func readinessGates(pod *corev1.Pod) string {
	if len(pod.Spec.ReadinessGates) == 0 {
		return "<none>"
	}
	trueCount := 0
	for _, gate := range pod.Spec.ReadinessGates {
		if podCondition(pod, gate.ConditionType) == corev1.ConditionTrue {
			trueCount++
		}
	}
	return fmt.Sprintf("%d/%d", trueCount, len(pod.Spec.ReadinessGates))
}

func podCondition(pod *corev1.Pod, t corev1.PodConditionType) corev1.ConditionStatus {
	for _, c := range pod.Status.Conditions {
		if c.Type == t {
			return c.Status
		}
	}
	return ""
}

func podReady(pod *corev1.Pod) bool {
	return podCondition(pod, corev1.PodReady) == corev1.ConditionTrue
}

func podInitialized(pod *corev1.Pod) bool {
	return podCondition(pod, corev1.PodInitialized) == corev1.ConditionTrue
}

// isSidecar reports whether an init container is a sidecar (restartPolicy: Always).
func isSidecar(c *corev1.Container) bool {
	return c != nil && c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

func isTerminalPhase(phase corev1.PodPhase) bool {
	return phase == corev1.PodSucceeded || phase == corev1.PodFailed
}

// podRowConditions marks finished pods so clients can tell them apart.
func podRowConditions(phase corev1.PodPhase) []metav1.TableRowCondition {
	switch phase {
	case corev1.PodSucceeded:
		return []metav1.TableRowCondition{{Type: metav1.RowCompleted, Status: metav1.ConditionTrue, Reason: string(phase), Message: "The pod has completed successfully."}}
	case corev1.PodFailed:
		return []metav1.TableRowCondition{{Type: metav1.RowCompleted, Status: metav1.ConditionTrue, Reason: string(phase), Message: "The pod failed."}}
	}
	return nil
}
