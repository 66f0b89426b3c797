package server

// The story's index: the traces a sandbox holds and each one's beats.
//
//	GET /sandboxes/{id}/traces            the learner's traces, newest last
//	GET /sandboxes/{id}/traces?all=true   background traces too
//	GET /sandboxes/{id}/traces/{trace}    one trace: its steps and its beats
//
// A trace's summary says what began it (the request's verb, resource, name
// and user, and the answer's code) and how its steps divide into beats:
// foreground beats are the story, background steps are counted, never
// dropped. The beats are grouped by steps.Beats, the one place that decides
// them, so the browser, a replay and an export all agree.

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// TraceSummary is one line of the traces list.
type TraceSummary struct {
	Trace           string            `json:"trace"`
	First           uint64            `json:"first"`
	Last            uint64            `json:"last"`
	Learners        bool              `json:"learners"` // begun by a person's request
	Request         map[string]string `json:"request,omitempty"`
	Steps           int               `json:"steps"`
	Beats           int               `json:"beats"`
	Foreground      int               `json:"foregroundBeats"`
	BackgroundSteps int               `json:"backgroundSteps"`
}

// TraceDetail is one whole trace.
type TraceDetail struct {
	TraceSummary
	StepList []steps.Step `json:"stepList"`
	BeatList []steps.Beat `json:"beatList"`
}

func (w *Web) listTraces(c echo.Context) error {
	rec := sandboxOf(c).Cluster.Steps
	all := c.QueryParam("all") == "true"
	byTrace := map[string][]steps.Step{}
	var order []string
	for _, s := range rec.Since(0, 0) {
		if s.Trace == "" {
			continue
		}
		if _, ok := byTrace[s.Trace]; !ok {
			order = append(order, s.Trace)
		}
		byTrace[s.Trace] = append(byTrace[s.Trace], s)
	}
	out := make([]TraceSummary, 0, len(order))
	for _, t := range order {
		if all || rec.IsLearners(t) { // one look per trace, not per step
			out = append(out, summarize(rec, byTrace[t], steps.Beats(byTrace[t])))
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (w *Web) getTrace(c echo.Context) error {
	rec := sandboxOf(c).Cluster.Steps
	ss := rec.Trace(c.Param("trace"))
	if len(ss) == 0 {
		return fail(c, http.StatusNotFound, "this sandbox keeps no step of trace "+c.Param("trace"))
	}
	beats := steps.Beats(ss)
	return c.JSON(http.StatusOK, TraceDetail{TraceSummary: summarize(rec, ss, beats), StepList: ss, BeatList: beats})
}

func summarize(rec *steps.Recorder, ss []steps.Step, beats []steps.Beat) TraceSummary {
	sum := TraceSummary{Trace: ss[0].Trace, First: ss[0].Seq, Last: ss[len(ss)-1].Seq,
		Learners: rec.IsLearners(ss[0].Trace), Steps: len(ss), Beats: len(beats)}
	for _, b := range beats {
		if b.Background {
			sum.BackgroundSteps += len(b.Steps)
		} else {
			sum.Foreground++
		}
	}
	if b := beats[0]; b.Kind == steps.BeatRequest {
		h := b.Headline.Args
		sum.Request = map[string]string{"verb": h["verb"], "resource": h["resource"], "name": h["name"],
			"namespace": h["namespace"], "user": h["user"], "code": h["code"]}
	}
	return sum
}
