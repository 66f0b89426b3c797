package scheduler

// Preemption (kube-scheduler's DefaultPreemption PostFilter). When a pod
// fits on no node, the scheduler asks whether it would fit somewhere if
// pods of lower priority were gone. For each node refused for a reason
// eviction could cure (not a taint or a missing label), it removes every
// lower-priority pod in imagination; if the pod then fits, it gives back
// ("reprieves") as many of them as it can, highest priority first, and the
// ones it cannot give back are that node's victims. PodDisruptionBudgets
// are weighed but not obeyed: the pods whose eviction would take a budget
// below zero are offered the reprieve first, so they are victims only when
// nothing else makes room. Of the nodes with victims it picks the one with
// the fewest such budget violations, then the one whose most important
// victim matters least, then the one with the smallest sum of victim
// priorities, then the fewest victims (then the name). It then writes the node into the pod's
// status.nominatedNodeName, marks each victim with a DisruptionTarget
// condition, deletes it, and tells it why in an Event ("Preempted by pod
// <uid> on node <node>"). The pod goes back to wait; when the victims are
// gone it fits, and binds like any other.

import (
	"context"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// candidate is a node where preemption makes room, its victims, and how
// many of them a PodDisruptionBudget would rather keep.
type candidate struct {
	node       string
	victims    []*corev1.Pod
	violations int
}

// PreemptDetail is the detail of a preemption step.
type PreemptDetail struct {
	Node    string   `json:"node"`
	Victims []string `json:"victims"`
}

// findCandidate returns the best node to preempt on for pod, or nil.
func findCandidate(pod *corev1.Pod, nodes []*framework.NodeInfo, failures []*framework.Status, profile framework.Profile,
	pdbs []*policyv1.PodDisruptionBudget) *candidate {
	if pod.Spec.PreemptionPolicy != nil && *pod.Spec.PreemptionPolicy == corev1.PreemptNever {
		return nil
	}
	var best *candidate
	for i := range nodes {
		if failures[i].Code() != framework.Unschedulable {
			continue // unresolvable: no eviction helps
		}
		victims, violations, ok := victimsOn(pod, nodes, i, profile, pdbs)
		if !ok || len(victims) == 0 {
			continue
		}
		c := &candidate{node: nodes[i].Node.Name, victims: victims, violations: violations}
		if best == nil || better(c, best) {
			best = c
		}
	}
	return best
}

// victimsOn is the fewest lower-priority pods of nodes[i] whose going lets
// pod fit there, how many of them violate a PodDisruptionBudget, and whether
// any set does.
func victimsOn(pod *corev1.Pod, nodes []*framework.NodeInfo, i int, profile framework.Profile,
	pdbs []*policyv1.PodDisruptionBudget) ([]*corev1.Pod, int, bool) {
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
		return nil, 0, false
	}
	// Reprieve the pods a budget protects first, then the others, the most
	// important first in each: each that still lets pod fit stays.
	sort.SliceStable(lower, func(a, b int) bool { return moreImportant(lower[a], lower[b]) })
	violating, nonViolating := splitByBudget(lower, pdbs)
	var victims []*corev1.Pod
	violations := 0
	for j, p := range append(violating, nonViolating...) {
		if fitsWith(pod, nodes, i, append(keep, p), profile) {
			keep = append(keep, p)
			continue
		}
		victims = append(victims, p)
		if j < len(violating) {
			violations++
		}
	}
	return victims, violations, true
}

// moreImportant is kube's MoreImportantPod: higher priority, then the
// earlier start.
func moreImportant(a, b *corev1.Pod) bool {
	pa, pb := corev1helpers.PodPriority(a), corev1helpers.PodPriority(b)
	if pa != pb {
		return pa > pb
	}
	ta, tb := a.Status.StartTime, b.Status.StartTime
	if ta == nil || tb == nil {
		return ta != nil
	}
	return ta.Before(tb)
}

// splitByBudget is kube's filterPodsWithPDBViolation: going through pods in
// order, each takes one from the disruptionsAllowed of every budget that
// selects it (unless the budget already counts it as disrupted); a pod that
// takes a budget below zero would violate it.
func splitByBudget(pods []*corev1.Pod, pdbs []*policyv1.PodDisruptionBudget) (violating, nonViolating []*corev1.Pod) {
	allowed := make([]int32, len(pdbs))
	for i, pdb := range pdbs {
		allowed[i] = pdb.Status.DisruptionsAllowed
	}
	for _, p := range pods {
		violates := false
		for i, pdb := range pdbs {
			if pdb.Namespace != p.Namespace || len(p.Labels) == 0 {
				continue
			}
			selector, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
			if err != nil || selector.Empty() || !selector.Matches(labels.Set(p.Labels)) {
				continue // an invalid or empty selector matches nothing
			}
			if _, counted := pdb.Status.DisruptedPods[p.Name]; counted {
				continue
			}
			allowed[i]--
			violates = violates || allowed[i] < 0
		}
		if violates {
			violating = append(violating, p)
		} else {
			nonViolating = append(nonViolating, p)
		}
	}
	return violating, nonViolating
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

// better: kube's pickOneNodeForPreemption, its first four rules.
func better(a, b *candidate) bool {
	if a.violations != b.violations {
		return a.violations < b.violations
	}
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
