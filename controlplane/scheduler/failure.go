package scheduler

// When no node fits, Kubernetes tells the user why in one line, the line
// `kubectl describe pod` shows under Events and in the PodScheduled
// condition:
//
//	0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu.
//	preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.
//
// (on one line). The first part counts, over all nodes, the reasons of the
// first filter that refused each node, as "count reason", sorted as strings
// and joined with ", ". The second part is what preemption — evicting pods of
// lower priority to make room (preemption.go) — concluded, the same verdict
// Kubernetes 1.37 prints when preemption finds nothing:
//
//   - a pod with preemptionPolicy: Never is "not eligible";
//   - a node refused as unresolvable (a taint, a label, a cordon, or a
//     request larger than the whole node) is not worth trying: "Preemption
//     is not helpful for scheduling";
//   - a node with no pod of lower priority has "No preemption victims found
//     for incoming pod";
//   - otherwise the lower-priority pods are taken off in imagination and the
//     filters run again; if the pod still does not fit, that filter's reasons
//     are counted.
//
// If it finds a node where eviction makes room, it preempts there and the
// message has no preemption part.

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Kubernetes' words.
const (
	noNodesAvailable        = "no nodes available to schedule pods"
	noVictims               = "No preemption victims found for incoming pod"
	preemptionNotHelpful    = "Preemption is not helpful for scheduling"
	notEligibleNeverPreempt = "not eligible due to preemptionPolicy=Never."
)

// fitErrorMessage is kube-scheduler's FitError.Error(): "0/N nodes are
// available: " and the sorted reason histogram.
func fitErrorMessage(numNodes int, reasons map[string]int) string {
	parts := make([]string, 0, len(reasons))
	for reason, n := range reasons {
		parts = append(parts, fmt.Sprintf("%v %v", n, reason))
	}
	sort.Strings(parts)
	msg := fmt.Sprintf("0/%v nodes are available:", numNodes)
	if len(parts) > 0 {
		msg += " " + strings.Join(parts, ", ") + "."
	}
	return msg
}

// unschedulableMessage is the whole message for a pod no node fitted.
func unschedulableMessage(pod *corev1.Pod, nodes []*framework.NodeInfo, d decision, profile framework.Profile) string {
	if len(nodes) == 0 {
		return noNodesAvailable
	}
	var msg string
	if d.preFilter != nil {
		// kube-scheduler's FitError: a prefilter's message replaces the
		// per-node count.
		msg = fmt.Sprintf("0/%v nodes are available: %s.", len(nodes), d.preFilter.Message())
	} else {
		reasons := map[string]int{}
		for _, st := range d.failures {
			for _, r := range st.Reasons() {
				reasons[r]++
			}
		}
		msg = fitErrorMessage(len(nodes), reasons)
	}
	if p := preemptionMessage(pod, nodes, d.failures, profile); p != "" {
		msg += " " + p
	}
	return msg
}

// preemptionMessage runs preemption's dry run and returns its verdict, or
// "" if eviction would have made room somewhere.
func preemptionMessage(pod *corev1.Pod, nodes []*framework.NodeInfo, failures []*framework.Status, profile framework.Profile) string {
	if pod.Spec.PreemptionPolicy != nil && *pod.Spec.PreemptionPolicy == corev1.PreemptNever {
		return "preemption: " + notEligibleNeverPreempt
	}
	reasons := map[string]int{}
	tried := 0
	for i := range nodes {
		if failures[i].Code() != framework.Unschedulable {
			continue
		}
		tried++
		st := filterWithoutLowerPriority(pod, nodes, i, profile)
		if st.IsSuccess() {
			return ""
		}
		for _, r := range st.Reasons() {
			reasons[r]++
		}
	}
	if absent := len(nodes) - tried; absent > 0 {
		reasons[preemptionNotHelpful] += absent
	}
	return "preemption: " + fitErrorMessage(len(nodes), reasons)
}

// filterWithoutLowerPriority runs the filters on nodes[i] as if every pod
// of lower priority than pod had been evicted from it.
func filterWithoutLowerPriority(pod *corev1.Pod, nodes []*framework.NodeInfo, i int, profile framework.Profile) *framework.Status {
	node := nodes[i]
	prio := corev1helpers.PodPriority(pod)
	var keep []*corev1.Pod
	for _, p := range node.Pods {
		if corev1helpers.PodPriority(p) >= prio {
			keep = append(keep, p)
		}
	}
	if len(keep) == len(node.Pods) {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, noVictims)
	}
	without := framework.NewNodeInfo(node.Node, keep...)
	imagined := append([]*framework.NodeInfo(nil), nodes...)
	imagined[i] = without
	pi := framework.NewPodInfo(pod)
	preFilter(profile, pi, imagined)
	for _, f := range profile.Filters {
		if st := f.Filter(pi, without); !st.IsSuccess() {
			return st
		}
	}
	return nil
}

// handleFailure records why the pod was not placed, puts it back in the
// queue, writes PodScheduled=False to its status and emits FailedScheduling.
func (s *Scheduler) handleFailure(ctx context.Context, qp *queuedPod, reason, msg string) {
	pod := qp.Pod
	ctx = s.record(ctx, steps.Error, pod, steps.Failed, steps.Msg("scheduler.unschedulable",
		"pod", pod.Namespace+"/"+pod.Name, "reason", reason, "message", msg), nil)
	s.queue.AddUnschedulable(qp)
	s.events.Event(pod, corev1.EventTypeWarning, "FailedScheduling", msg)
	if err := s.setUnschedulable(ctx, pod, reason, msg); err != nil && !apierrors.IsNotFound(err) {
		s.record(ctx, steps.Status, pod, steps.Failed, steps.Msg("scheduler.statusFailed",
			"pod", pod.Namespace+"/"+pod.Name, "error", err.Error()), nil)
	}
}

// setUnschedulable writes the PodScheduled=False condition through
// pods/status, unless the pod already says exactly that.
func (s *Scheduler) setUnschedulable(ctx context.Context, pod *corev1.Pod, reason, msg string) error {
	want := corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: reason, Message: msg}
	current := pod
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		updated := current.DeepCopy()
		if !setCondition(&updated.Status, want) {
			return nil
		}
		_, err := s.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{})
		if apierrors.IsConflict(err) {
			if fresh, getErr := s.client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{}); getErr == nil {
				current = fresh
			}
		}
		return err
	})
}

// setCondition sets c in status, keeping LastTransitionTime when the
// condition's status does not change. It reports whether anything changed.
func setCondition(status *corev1.PodStatus, c corev1.PodCondition) bool {
	for i := range status.Conditions {
		old := &status.Conditions[i]
		if old.Type != c.Type {
			continue
		}
		if old.Status == c.Status && old.Reason == c.Reason && old.Message == c.Message {
			return false
		}
		c.LastTransitionTime = old.LastTransitionTime
		if old.Status != c.Status {
			c.LastTransitionTime = metav1.Now()
		}
		*old = c
		return true
	}
	c.LastTransitionTime = metav1.Now()
	status.Conditions = append(status.Conditions, c)
	return true
}
