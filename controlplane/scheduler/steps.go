package scheduler

// What the scheduler tells the learner. Every step the scheduler takes goes
// through record, the one place a pacer (live / slow / step / breakpoints)
// will hook in to hold the scheduler back before each step.
//
// The filter step carries the whole decision table — every node, every
// filter's verdict, every plugin's weighted score and the total — so the
// browser can draw the grid the scheduler really filled in.

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// FilterDetail is the detail of the filter step: the decision table.
type FilterDetail struct {
	Nodes []NodeResult `json:"nodes"`
}

// NodeResult is one row of the table: one node, how each filter judged it,
// and (if every filter let it through) its scores.
type NodeResult struct {
	Name    string           `json:"name"`
	Filters []FilterVerdict  `json:"filters"`
	Scores  map[string]int64 `json:"scores,omitempty"` // plugin → normalized score × weight
	Total   int64            `json:"total"`
	// Feasible: every filter said Success.
	Feasible bool `json:"feasible"`
}

// FilterVerdict is one filter plugin's verdict on one node.
type FilterVerdict struct {
	Plugin string `json:"plugin"`
	Status string `json:"status"` // "Success" or "Unschedulable"
	Reason string `json:"reason,omitempty"`
	// Unresolvable: evicting pods would not change the verdict.
	Unresolvable bool `json:"unresolvable,omitempty"`
}

func verdict(plugin string, s *framework.Status) FilterVerdict {
	if s.IsSuccess() {
		return FilterVerdict{Plugin: plugin, Status: "Success"}
	}
	return FilterVerdict{Plugin: plugin, Status: "Unschedulable", Reason: s.Message(),
		Unresolvable: s.Code() == framework.UnschedulableAndUnresolvable}
}

// ScoreDetail is the detail of the score step: the feasible nodes, best first.
type ScoreDetail struct {
	Ranking  []RankedNode `json:"ranking"`
	Selected string       `json:"selected,omitempty"`
}

// RankedNode is one feasible node and its total score.
type RankedNode struct {
	Name  string `json:"name"`
	Total int64  `json:"total"`
}

// BindDetail is the detail of the bind step.
type BindDetail struct {
	Node string `json:"node"`
}

// record emits one scheduler step about pod and returns ctx with that step
// as the parent of whatever the scheduler does next for the pod.
func (s *Scheduler) record(ctx context.Context, stage string, pod *corev1.Pod, outcome string, msg steps.Message, detail any) context.Context {
	st := s.rec.Record(ctx, steps.Step{
		Component: steps.Scheduler, Stage: stage, Outcome: outcome,
		Object: steps.Object{APIVersion: "v1", Kind: "Pod", Namespace: pod.Namespace, Name: pod.Name,
			UID: string(pod.UID), ResourceVersion: pod.ResourceVersion},
		Message: msg, Detail: detail,
	})
	if st.Trace == "" {
		return ctx
	}
	return steps.WithCause(ctx, steps.Cause{Trace: st.Trace, Parent: st.Seq})
}

// pace holds the scheduler before it takes stage for pod, as the learner's
// pacer asks (step mode, a breakpoint, the scheduler paused). While it waits
// the pod really is unbound for every client. It returns an error only when
// the scheduler is being stopped.
func (s *Scheduler) pace(ctx context.Context, stage string, pod *corev1.Pod) error {
	return s.rec.Pace(ctx, steps.Step{
		Component: steps.Scheduler, Stage: stage,
		Object: steps.Object{APIVersion: "v1", Kind: "Pod", Namespace: pod.Namespace, Name: pod.Name,
			UID: string(pod.UID), ResourceVersion: pod.ResourceVersion},
		Message: steps.Msg("scheduler.wait", "stage", stage, "pod", pod.Namespace+"/"+pod.Name),
	})
}
