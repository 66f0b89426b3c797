package lessons

// Keeping progress. The engine holds each sandbox's progress in memory, and,
// given a Store, writes it through on every change (a lesson started, a step
// passed) and reads it back the first time a sandbox asks about a lesson
// after a restart. The server keeps it in etcd beside the sandbox's own
// keys, so it lives and dies with the sandbox.
//
// What is kept is where the learner is (the step, what passed, whether the
// recap is done, since when), not the verdicts' details: a check is
// evaluated again when asked. A step recorded in the step history before the
// restart is gone with that history, so checks that look at the recorded
// steps count from the restart.

import (
	"context"
	"log/slog"
	"time"
)

// Saved is the part of a sandbox's progress in one lesson that is kept.
type Saved struct {
	Step   int       `json:"step"`
	Done   bool      `json:"done"`
	Passed []int     `json:"passed"`
	StepAt time.Time `json:"stepAt"`
}

// Store keeps progress across restarts.
type Store interface {
	// Save records sandbox's progress in lesson.
	Save(ctx context.Context, sandbox, lesson string, s Saved) error
	// Load returns what Save last recorded (false if nothing).
	Load(ctx context.Context, sandbox, lesson string) (Saved, bool, error)
}

// storeTimeout bounds one Save or Load: a slow store delays the learner's
// check by at most this much.
const storeTimeout = 2 * time.Second

// UseStore makes the engine keep progress in s. Call it before the engine
// is used.
func (e *Engine) UseStore(s Store) { e.store = s }

// saveLocked writes p through to the store, if there is one; p.mu is held.
func (e *Engine) saveLocked(sandboxID string, p *progress) {
	if e.store == nil {
		return
	}
	s := Saved{Step: p.step, Done: p.done, Passed: []int{}, StepAt: p.stepAt}
	for i := range p.lesson.Steps {
		if p.passed[i] {
			s.Passed = append(s.Passed, i)
		}
	}
	ctx, cancel := context.WithTimeout(e.base, storeTimeout)
	defer cancel()
	if err := e.store.Save(ctx, sandboxID, p.lesson.ID, s); err != nil {
		slog.Warn("saving lesson progress", "sandbox", sandboxID, "lesson", p.lesson.ID, "err", err)
	}
}

// restore fills a new p from the store, if it holds progress that fits the
// lesson as it is now.
func (e *Engine) restore(sandboxID string, p *progress) {
	if e.store == nil {
		return
	}
	ctx, cancel := context.WithTimeout(e.base, storeTimeout)
	defer cancel()
	s, ok, err := e.store.Load(ctx, sandboxID, p.lesson.ID)
	if err != nil {
		slog.Warn("loading lesson progress", "sandbox", sandboxID, "lesson", p.lesson.ID, "err", err)
	}
	if !ok || s.Step < 0 || s.Step >= len(p.lesson.Steps) {
		return
	}
	p.step, p.done, p.stepAt = s.Step, s.Done, s.StepAt
	for _, i := range s.Passed {
		if i >= 0 && i < len(p.lesson.Steps) {
			p.passed[i] = true
		}
	}
}
