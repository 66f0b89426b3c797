package scheduler

// One scheduling cycle: one pod, one decision.
//
//  1. Snapshot the cache: every node and the pods counted on it.
//  2. PreFilter: a plugin may refuse the pod before any node is tried (an
//     unbound claim); plugins that judge a node by the pods elsewhere
//     (inter-pod affinity, topology spread) count those pods once, over
//     every node.
//  3. Filter: run every filter plugin on every node. A node on which all of
//     them say Success is feasible. (kube-scheduler stops at the first
//     failing filter per node, and in big clusters at "enough" feasible
//     nodes; Glassplane runs them all so the table is complete. The failure
//     message still counts only each node's first failing filter, as
//     Kubernetes does.)
//  4. Score: each score plugin scores each feasible node; plugins that
//     normalize rescale their scores to 0..100; each score is multiplied by
//     the plugin's weight and the products are summed.
//  5. Select the node with the highest total. Ties go to the node whose name
//     sorts first — kube-scheduler picks among tied nodes at random;
//     Glassplane prefers a choice a lesson can predict and a test can check.
//     If no node fits, preemption (preemption.go) may make room on one by
//     deleting pods of lower priority; the pod then waits for them to go.
//  6. Assume the pod onto that node in the cache, then bind: POST the
//     pods/binding subresource, which sets spec.nodeName. If binding fails,
//     forget the assumption and put the pod back in the queue.
//
// The binding runs on a goroutine of its own, as kube-scheduler's binding
// cycle does: the assumption already counts the pod on its node, so the
// next pod's cycle need not wait for the API server's answer and its etcd
// write. (Waiting cost each pod a full round trip and a disk sync; the
// binding is most of a cycle's time.) The bind step is still recorded, and
// paced, in the scheduling loop, so a learner stepping through sees
// filter, score, bind for one pod before the next pod's filter; only the
// request and what follows from its answer run apart. At most
// maxBindingsInFlight run at once; the loop waits for a free one, so a
// burst of thousands of pods does not open thousands of requests.
//
// No feasible node: the pod gets PodScheduled=False with Kubernetes' message
// and a FailedScheduling event, and waits in the unschedulable set
// (failure.go).

import (
	"context"
	"fmt"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/metrics"
	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// decision is the outcome of filtering and scoring one pod.
type decision struct {
	preFilter *framework.Status   // a prefilter's refusal of the pod itself
	nodes     []NodeResult        // the table, in node-name order
	failures  []*framework.Status // per node: the first filter that refused it
	feasible  []int               // indexes of feasible nodes
	selected  string              // "" when no node is feasible
}

// maxBindingsInFlight bounds the bindings running at once.
const maxBindingsInFlight = 16

// scheduleOne runs one cycle for a popped pod. The pod's cycle ends (queue
// Done) here, or, once a binding has started, when the binding ends.
func (s *Scheduler) scheduleOne(ctx context.Context, qp *queuedPod) {
	// qp belongs to the queue again once the cycle hands it back
	// (AddUnschedulable), so read it only before.
	pod := qp.Pod
	bindingStarted := false
	defer func() {
		if !bindingStarted {
			s.queue.Done(pod.UID)
		}
	}()
	if pod.DeletionTimestamp != nil || s.cache.Counted(pod.UID) {
		return // being deleted, or already placed
	}
	ctx = s.rec.ContextFor(ctx, pod)
	if s.pace(ctx, steps.Filter, pod) != nil {
		return
	}
	start := time.Now()
	nodes := s.cache.Snapshot()
	d := s.decide(pod, nodes)
	ctx = s.recordDecision(ctx, pod, d)
	if d.selected == "" {
		msg := unschedulableMessage(pod, nodes, d, s.profile)
		if !waitingForVictims(pod, nodes) {
			if c := findCandidate(pod, nodes, d.failures, s.profile, s.budgets()); c != nil {
				s.preempt(ctx, pod, c)
			}
		}
		s.handleFailure(ctx, qp, corev1.PodReasonUnschedulable, msg)
		metrics.SchedulingAttempt("unschedulable", SchedulerName, time.Since(start))
		return
	}
	s.cache.Assume(pod, d.selected)
	bindCtx, ok := s.beginBind(ctx, pod, d.selected)
	if !ok {
		metrics.SchedulingAttempt("error", SchedulerName, time.Since(start))
		return
	}
	bindingStarted = true
	s.bindings <- struct{}{}
	s.binding.Go(func() {
		defer func() { <-s.bindings }()
		defer s.queue.Done(pod.UID)
		if s.bind(ctx, bindCtx, qp, d.selected) {
			metrics.SchedulingAttempt("scheduled", SchedulerName, time.Since(start))
		} else {
			metrics.SchedulingAttempt("error", SchedulerName, time.Since(start))
		}
	})
}

// decide filters and scores pod against nodes and selects a node. It only
// reads; it is the part BenchmarkSchedulingCycle measures.
func (s *Scheduler) decide(pod *corev1.Pod, nodes []*framework.NodeInfo) decision {
	pi := framework.NewPodInfo(pod)
	d := decision{nodes: make([]NodeResult, len(nodes)), failures: make([]*framework.Status, len(nodes))}
	if p, st := preFilter(s.profile, pi, nodes); !st.IsSuccess() {
		// No node is looked at: each shows the prefilter's verdict.
		d.preFilter = st
		for i, n := range nodes {
			d.nodes[i] = NodeResult{Name: n.Node.Name, Filters: []FilterVerdict{verdict(p.Name(), st)}}
			d.failures[i] = st
		}
		return d
	}
	for i, n := range nodes {
		row := NodeResult{Name: n.Node.Name, Filters: make([]FilterVerdict, 0, len(s.profile.Filters))}
		for _, f := range s.profile.Filters {
			st := f.Filter(pi, n)
			row.Filters = append(row.Filters, verdict(f.Name(), st))
			if !st.IsSuccess() && d.failures[i] == nil {
				d.failures[i] = st
			}
		}
		row.Feasible = d.failures[i] == nil
		if row.Feasible {
			d.feasible = append(d.feasible, i)
		}
		d.nodes[i] = row
	}
	s.score(pi, nodes, &d)
	d.selected = selectHost(d)
	return d
}

// preFilter runs the profile's PreFilters, then the PreFilter of every other
// plugin that has one, once each, so Filter and Score can read what it
// counted in pod.State. It stops at the first that refuses the pod, and
// returns it with its status.
func preFilter(profile framework.Profile, pod *framework.PodInfo, nodes []*framework.NodeInfo) (framework.Plugin, *framework.Status) {
	plugins := make([]framework.Plugin, 0, len(profile.PreFilters)+len(profile.Filters)+len(profile.Scores))
	for _, p := range profile.PreFilters {
		plugins = append(plugins, p)
	}
	for _, f := range profile.Filters {
		plugins = append(plugins, f)
	}
	for _, w := range profile.Scores {
		plugins = append(plugins, w.Plugin)
	}
	done := map[string]bool{}
	for _, p := range plugins {
		pf, ok := p.(framework.PreFilterPlugin)
		if !ok || done[p.Name()] {
			continue
		}
		done[p.Name()] = true
		if st := pf.PreFilter(pod, nodes); !st.IsSuccess() {
			return p, st
		}
	}
	return nil, nil
}

// score fills in the weighted scores and totals of the feasible nodes.
func (s *Scheduler) score(pod *framework.PodInfo, nodes []*framework.NodeInfo, d *decision) {
	if len(d.feasible) == 0 {
		return
	}
	for _, i := range d.feasible {
		d.nodes[i].Scores = make(map[string]int64, len(s.profile.Scores))
	}
	scores := make([]int64, len(d.feasible))
	feasible := make([]*framework.NodeInfo, len(d.feasible))
	for j, i := range d.feasible {
		feasible[j] = nodes[i]
	}
	for _, w := range s.profile.Scores {
		if p, ok := w.Plugin.(framework.PreScorer); ok && !p.PreScore(pod, feasible, nodes) {
			continue
		}
		for j, i := range d.feasible {
			scores[j] = w.Plugin.Score(pod, nodes[i])
		}
		if n, ok := w.Plugin.(framework.ScoreNormalizer); ok {
			n.NormalizeScore(scores)
		}
		for j, i := range d.feasible {
			d.nodes[i].Scores[w.Plugin.Name()] = scores[j] * w.Weight
			d.nodes[i].Total += scores[j] * w.Weight
		}
	}
}

// selectHost picks the feasible node with the highest total; on a tie, the
// one whose name sorts first (the table is in name order).
func selectHost(d decision) string {
	best := -1
	for _, i := range d.feasible {
		if best < 0 || d.nodes[i].Total > d.nodes[best].Total {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return d.nodes[best].Name
}

// ranking lists the feasible nodes by total, best first.
func ranking(d decision) []RankedNode {
	out := make([]RankedNode, 0, len(d.feasible))
	for _, i := range d.feasible {
		out = append(out, RankedNode{Name: d.nodes[i].Name, Total: d.nodes[i].Total})
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Total > out[b].Total })
	return out
}

// recordDecision emits the filter and score steps of a cycle.
func (s *Scheduler) recordDecision(ctx context.Context, pod *corev1.Pod, d decision) context.Context {
	outcome := steps.OK
	if len(d.feasible) == 0 {
		outcome = steps.Failed
	}
	ctx = s.record(ctx, steps.Filter, pod, outcome, steps.Msg("scheduler.filter",
		"pod", pod.Namespace+"/"+pod.Name, "nodes", fmt.Sprint(len(d.nodes)), "feasible", fmt.Sprint(len(d.feasible))),
		FilterDetail{Nodes: d.nodes})
	if len(d.feasible) == 0 {
		return ctx
	}
	return s.record(ctx, steps.Score, pod, steps.OK, steps.Msg("scheduler.score",
		"pod", pod.Namespace+"/"+pod.Name, "node", d.selected),
		ScoreDetail{Ranking: ranking(d), Selected: d.selected})
}

// beginBind paces and records the bind step of pod, in the scheduling
// loop; it returns the context the binding request carries, or false (the
// assumption forgotten) when the scheduler is being stopped.
func (s *Scheduler) beginBind(ctx context.Context, pod *corev1.Pod, node string) (context.Context, bool) {
	if s.pace(ctx, steps.Bind, pod) != nil {
		s.cache.Forget(pod.UID)
		return nil, false
	}
	// The bind step comes before the request it causes, so the binding's
	// own steps (and the kubelet's reaction) follow it in the trace.
	return s.record(ctx, steps.Bind, pod, steps.OK, steps.Msg("scheduler.bind",
		"pod", pod.Namespace+"/"+pod.Name, "node", node), BindDetail{Node: node}), true
}

// bind writes the decision to the API server through pods/binding, with
// bindCtx from beginBind; it reports whether the pod is bound.
func (s *Scheduler) bind(ctx, bindCtx context.Context, qp *queuedPod, node string) bool {
	pod := qp.Pod
	binding := &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID},
		Target:     corev1.ObjectReference{Kind: "Node", Name: node},
	}
	err := s.client.CoreV1().Pods(pod.Namespace).Bind(bindCtx, binding, metav1.CreateOptions{})
	if err != nil {
		s.cache.Forget(pod.UID)
		s.record(ctx, steps.Bind, pod, steps.Failed, steps.Msg("scheduler.bindFailed",
			"pod", pod.Namespace+"/"+pod.Name, "node", node, "error", err.Error()), BindDetail{Node: node})
		s.handleFailure(ctx, qp, corev1.PodReasonSchedulerError, fmt.Sprintf("Binding rejected: %v", err))
		return false
	}
	s.events.Eventf(pod, corev1.EventTypeNormal, "Scheduled", "Successfully assigned %v/%v to %v", pod.Namespace, pod.Name, node)
	return true
}
