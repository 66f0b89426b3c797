package scheduler

// Preemption (kube-scheduler's DefaultPreemption PostFilter). When a pod
// fits on no node, the scheduler asks whether it would fit somewhere if
// pods of lower priority were gone. For each node refused for a reason
// eviction could cure (not a taint or a missing label), it removes every
// lower-priority pod in imagination; if the pod then fits, it gives back
// ("reprieves") as many of them as it can, highest priority first, and the
// ones it cannot give back are that node's victims. Of the nodes with
// victims it picks the one whose most important victim matters least, then
// the one with the smallest sum of victim priorities, then the fewest
// victims (then the name). It then writes the node into the pod's
// status.nominatedNodeName, marks each victim with a DisruptionTarget
// condition, deletes it, and tells it why in an Event ("Preempted by pod
// <uid> on node <node>"). The pod goes back to wait; when the victims are
// gone it fits, and binds like any other.
//
// Unlike kube, PodDisruptionBudgets are not weighed when choosing victims.

import (
	"context"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// candidate is a node where preemption makes room, and its victims.
type candidate struct {
	node    string
	victims []*corev1.Pod
}

// PreemptDetail is the detail of a preemption step.
type PreemptDetail struct {
	Node    string   `json:"node"`
	Victims []string `json:"victims"`
}

// findCandidate returns the best node to preempt on for pod, or nil.
func findCandidate(pod *corev1.Pod, nodes []*framework.NodeInfo, failures []*framework.Status, profile framework.Profile) *candidate {
	if pod.Spec.PreemptionPolicy != nil && *pod.Spec.PreemptionPolicy == corev1.PreemptNever {
		return nil
	}
	var best *candidate
	for i := range nodes {
		if failures[i].Code() != framework.Unschedulable {
			continue // unresolvable: no eviction helps
		}
		victims, ok := victimsOn(pod, nodes, i, profile)
		if !ok || len(victims) == 0 {
			continue
		}
		c := &candidate{node: nodes[i].Node.Name, victims: victims}
		if best == nil || better(c, best) {
			best = c
		}
	}
	return best
}

// victimsOn is the fewest lower-priority pods of nodes[i] whose going lets
// pod fit there, and whether any set does.
func victimsOn(pod *corev1.Pod, nodes []*framework.NodeInfo, i int, profile framework.Profile) ([]*corev1.Pod, bool) {
	prio := corev1helpers.PodPriority(pod)
	var keep, lower []*corev1.Pod
	for _, p := range nodes[i].Pods {
		if corev1helpers.PodPriority(p) < prio && p.DeletionTimestamp == nil {
			lower = append(lower, p)
		} else {
			keep = append(keep, p)
		}
	}
	if len(lower) == 0 || !fitsWith(pod, nodes, i, keep, profile) {
		return nil, false
	}
	// Reprieve the most important first: each that still lets pod fit stays.
	sort.SliceStable(lower, func(a, b int) bool {
		return corev1helpers.PodPriority(lower[a]) > corev1helpers.PodPriority(lower[b])
	})
	var victims []*corev1.Pod
	for _, p := range lower {
		if fitsWith(pod, nodes, i, append(keep, p), profile) {
			keep = append(keep, p)
		} else {
			victims = append(victims, p)
		}
	}
	return victims, true
}

// fitsWith reports whether pod passes every filter on nodes[i] holding only pods.
func fitsWith(pod *corev1.Pod, nodes []*framework.NodeInfo, i int, pods []*corev1.Pod, profile framework.Profile) bool {
	without := framework.NewNodeInfo(nodes[i].Node, pods...)
	imagined := append([]*framework.NodeInfo(nil), nodes...)
	imagined[i] = without
	pi := framework.NewPodInfo(pod)
	if _, st := preFilter(profile, pi, imagined); !st.IsSuccess() {
		return false
	}
	for _, f := range profile.Filters {
		if !f.Filter(pi, without).IsSuccess() {
			return false
		}
	}
	return true
}

// better: kube's pickOneNodeForPreemption, its first three rules.
func better(a, b *candidate) bool {
	ha, hb := highest(a.victims), highest(b.victims)
	if ha != hb {
		return ha < hb
	}
	sa, sb := sum(a.victims), sum(b.victims)
	if sa != sb {
		return sa < sb
	}
	if len(a.victims) != len(b.victims) {
		return len(a.victims) < len(b.victims)
	}
	return a.node < b.node
}

func highest(pods []*corev1.Pod) int32 {
	h := int32(-1 << 31)
	for _, p := range pods {
		h = max(h, corev1helpers.PodPriority(p))
	}
	return h
}

func sum(pods []*corev1.Pod) int64 {
	var s int64
	for _, p := range pods {
		s += int64(corev1helpers.PodPriority(p)) + 1<<31 // kube shifts so negative priorities count
	}
	return s
}

// waitingForVictims: the pod already preempted on its nominated node and
// lower-priority pods there are still terminating, so it waits rather than
// preempting again (kube's PodEligibleToPreemptOthers).
func waitingForVictims(pod *corev1.Pod, nodes []*framework.NodeInfo) bool {
	n := pod.Status.NominatedNodeName
	if n == "" {
		return false
	}
	for _, ni := range nodes {
		if ni.Node.Name != n {
			continue
		}
		for _, p := range ni.Pods {
			if p.DeletionTimestamp != nil && corev1helpers.PodPriority(p) < corev1helpers.PodPriority(pod) {
				return true
			}
		}
	}
	return false
}

// preempt carries out c for pod: nominate, then evict each victim.
func (s *Scheduler) preempt(ctx context.Context, pod *corev1.Pod, c *candidate) {
	names := make([]string, len(c.victims))
	for i, v := range c.victims {
		names[i] = v.Namespace + "/" + v.Name
	}
	ctx = s.record(ctx, steps.Filter, pod, steps.OK, steps.Msg("scheduler.preempt",
		"pod", pod.Namespace+"/"+pod.Name, "node", c.node, "victims", fmt.Sprint(len(c.victims))), PreemptDetail{Node: c.node, Victims: names})
	patch := fmt.Appendf(nil, `{"status":{"nominatedNodeName":%q}}`, c.node)
	if _, err := s.client.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "status"); err != nil {
		return
	}
	for _, v := range c.victims {
		cond := fmt.Appendf(nil, `{"status":{"conditions":[{"type":%q,"status":"True","reason":"PreemptionByScheduler","message":"%s: preempting to accommodate a higher priority pod","lastTransitionTime":%q}]}}`,
			corev1.DisruptionTarget, SchedulerName, metav1.Now().UTC().Format("2006-01-02T15:04:05Z"))
		_, _ = s.client.CoreV1().Pods(v.Namespace).Patch(ctx, v.Name, types.StrategicMergePatchType, cond, metav1.PatchOptions{}, "status")
		err := s.client.CoreV1().Pods(v.Namespace).Delete(ctx, v.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &v.UID}})
		if err != nil && !apierrors.IsNotFound(err) {
			continue
		}
		s.events.Eventf(v, corev1.EventTypeNormal, "Preempted", "Preempted by pod %v on node %v", pod.UID, c.node)
	}
}
