package steps

// Step mode by beat. In step mode the pacer holds components either before
// every step ("unit": "step") or only where a beat of the learner's story
// begins ("unit": "beat", the default): Next then lets the held component
// finish its whole act — the request through to etcd and back, the
// controller's reconcile with its writes, the scheduler's filter, score and
// bind — and the next act stops where it begins. The components really wait
// between beats, as they do between steps.
//
// Which step begins a beat is decided as Beats decides it (beat.go), from the
// cause the step carries: a person's API request begins one; the scheduler or
// a kubelet begins one when it acts on a new cause; a controller's act is
// held just before its first write that changes more than status (until then
// it has changed nothing). The API requests those components make belong to
// their act. Background beats are not held in beat mode: heartbeats and the
// controllers' status-only work would otherwise cost the learner a press
// each.

import (
	"context"
	"strconv"
)

// Pacer units.
const (
	UnitBeat = "beat"
	UnitStep = "step"
)

// userTraceMemory bounds how many learners' traces the recorder remembers.
const userTraceMemory = 10000

// noteUserLocked remembers that s's trace began with a person's request.
func (r *Recorder) noteUserLocked(s Step) {
	if isPersonsBreak(s) {
		r.markUserLocked(s.Trace)
		return
	}
	if s.Stage != Authenticate {
		r.noteActivityLocked(s, false)
		return
	}
	if req, ok := r.stepLocked(s.Parent); !ok || !beganByPerson(req, s) {
		return
	}
	r.noteActivityLocked(s, true)
	r.markUserLocked(s.Trace)
}

func (r *Recorder) markUserLocked(trace string) {
	if r.users == nil {
		r.users = map[string]bool{}
	}
	if len(r.users) >= userTraceMemory {
		clear(r.users) // forgetting old traces only stops holding them
	}
	r.users[trace] = true
}

// stepLocked finds a step still in the history by its Seq.
func (r *Recorder) stepLocked(seq uint64) (Step, bool) {
	if i := r.history.After(seq - 1); i < r.history.Len() && r.history.At(i).Seq == seq {
		return *r.history.At(i), true
	}
	return Step{}, false
}

// beatOpener returns the key of the beat that step s (about to be taken,
// with the cause in ctx) begins, or "" when s continues a beat or is not
// part of a learner's story.
func (r *Recorder) beatOpener(ctx context.Context, s Step) string {
	c, ok := CauseFrom(ctx)
	if r == nil || !ok || c.Trace == "" || c.Parent == 0 {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.users[c.Trace] {
		return ""
	}
	p, ok := r.stepLocked(c.Parent)
	if !ok {
		return ""
	}
	switch {
	case s.Component == ControllerManager:
		return "" // held at its first write instead, below
	case isActor(s.Component):
		if p.Component == s.Component {
			return "" // the same act goes on
		}
		return s.Component + "|" + strconv.FormatUint(p.Seq, 10)
	case s.Component == APIServer || s.Component == Etcd:
		for p.Stage != Request {
			q, ok := r.stepLocked(p.Parent)
			if !ok || (q.Component != APIServer && q.Component != Etcd) {
				return ""
			}
			p = q
		}
		if p.Parent == 0 {
			return "req|" + strconv.FormatUint(p.Seq, 10)
		}
		// A controller's act is held before its first write that changes
		// more than status: a reconcile that finds nothing to do, or only
		// reports status, is background and runs through. Other
		// components' writes belong to the act they were held at.
		a, ok := r.stepLocked(p.Parent)
		if !ok || a.Component != ControllerManager || !isWrite(p.Message.Args["verb"]) || statusOnly(p.Message.Args["resource"]) {
			return ""
		}
		for {
			q, ok := r.stepLocked(a.Parent)
			if !ok || q.Component != ControllerManager {
				break
			}
			a = q
		}
		return ControllerManager + "|" + strconv.FormatUint(a.Parent, 10) + "|" + a.Message.Args["controller"]
	}
	return ""
}
