package steps

// The pacer lets a learner slow the real control plane down. Components ask
// it before each step they take (Wait); it answers at once (live), after a
// delay (slow), or only when the learner presses Next (step mode, a matching
// breakpoint, or a paused component). A component that waits really stops:
// while the scheduler waits before binding, the pod really is unbound for
// every client.
//
// Rules: Wait records a step with outcome "waiting" when it has to wait, so
// the browser can show what is held. Next releases the oldest waiting step
// (or, when none is held, cuts short the slow-mode delays being slept).
// Changing the mode or resuming a component releases whatever no longer has
// to wait, a slow-mode delay included: a sleeper wakes on every change and
// sleeps only what the new settings still ask. Wait returns early with
// ctx.Err() when ctx ends.
//
// The waiting step is recorded outside the pacer's lock: recording fans the
// step out to every stream, and every component's Wait takes this lock. So
// the settings are checked again after recording; a step that a Set released
// meanwhile goes on at once. A Next pressed in that instant finds the step
// not yet queued and releases nothing (the learner presses again).

import (
	"context"
	"sync"
	"time"
)

// Pacer modes.
const (
	ModeLive = "live"
	ModeSlow = "slow"
	ModeStep = "step"
)

// Breakpoint holds steps of one component, narrowed to a stage and to a
// kind of object when those are set ("before etcd stores a Pod").
type Breakpoint struct {
	Component string `json:"component"`
	Stage     string `json:"stage,omitempty"`
	Kind      string `json:"kind,omitempty"`
}

// PacerState is what the learner set.
type PacerState struct {
	Mode        string       `json:"mode"`
	Unit        string       `json:"unit"` // in step mode: hold each beat (default) or each step
	DelayMs     int          `json:"delayMs"`
	Breakpoints []Breakpoint `json:"breakpoints"`
	Paused      []string     `json:"paused"`
	Waiting     []Step       `json:"waiting"` // read only: the steps being held
	// Version counts the pacer's changes (read only). A page hears of the
	// pacer both in the app API's answers and on its stream; it keeps the
	// newer, so an answer overtaken by the stream cannot undo what it shows.
	Version uint64 `json:"version"`
}

// Pacer holds components' steps as the learner asks.
type Pacer struct {
	mu       sync.Mutex // guards everything below
	state    PacerState
	waiters  []*waiter       // oldest first
	sleepers int             // steps sleeping out a slow-mode delay
	wake     chan struct{}   // closed by Next to end every slow-mode sleep
	changed  chan struct{}   // closed at every change of settings or waiters
	opened   map[string]bool // beats already held once, in beat mode
	version  uint64          // changes so far (PacerState.Version)
}

type waiter struct {
	step     Step
	released chan struct{}
}

// NewPacer returns a pacer in live mode.
func NewPacer() *Pacer {
	return &Pacer{state: PacerState{Mode: ModeLive, Unit: UnitBeat, DelayMs: 400}, wake: make(chan struct{}),
		changed: make(chan struct{}), opened: map[string]bool{}}
}

// State returns the current settings and the waiting steps.
func (p *Pacer) State() PacerState {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.state
	st.Breakpoints = append([]Breakpoint{}, st.Breakpoints...)
	st.Paused = append([]string{}, st.Paused...)
	st.Version = p.version
	st.Waiting = make([]Step, len(p.waiters))
	for i, w := range p.waiters {
		st.Waiting[i] = w.step
	}
	return st
}

// Set replaces the settings (Waiting and Version are ignored) and releases
// what no longer has to wait.
func (p *Pacer) Set(st PacerState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setLocked(st)
}

// Update changes the settings with change, which sees the current ones, in
// one step: two changes at once (a mode and a breakpoint) both take effect.
func (p *Pacer) Update(change func(*PacerState)) PacerState {
	p.mu.Lock()
	st := p.state
	st.Breakpoints = append([]Breakpoint{}, st.Breakpoints...)
	st.Paused = append([]string{}, st.Paused...)
	change(&st)
	p.setLocked(st)
	p.mu.Unlock()
	return p.State()
}

func (p *Pacer) setLocked(st PacerState) {
	if st.Mode != ModeSlow && st.Mode != ModeStep {
		st.Mode = ModeLive
	}
	if st.DelayMs <= 0 {
		st.DelayMs = p.state.DelayMs
	}
	if st.Unit != UnitStep {
		st.Unit = UnitBeat
	}
	st.Waiting, st.Version = nil, 0
	p.state = st
	kept := p.waiters[:0]
	for _, w := range p.waiters {
		if p.holdsLocked(w.step, "") {
			kept = append(kept, w)
		} else {
			close(w.released)
		}
	}
	p.waiters = kept
	p.notifyLocked()
}

// Changes returns a channel closed at the next change of settings or
// waiters. Take it before reading State, so no change falls in between.
func (p *Pacer) Changes() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.changed
}

func (p *Pacer) notifyLocked() {
	p.version++
	close(p.changed)
	p.changed = make(chan struct{})
}

// Next releases the oldest waiting step, or when none waits every step
// sleeping out a slow-mode delay, and reports whether it released any.
func (p *Pacer) Next() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.waiters) == 0 {
		if p.sleepers == 0 {
			return false
		}
		close(p.wake)
		p.wake = make(chan struct{})
		return true
	}
	close(p.waiters[0].released)
	p.waiters = p.waiters[1:]
	p.notifyLocked()
	return true
}

// holdsLocked reports whether s must wait for Next. opener is the beat s
// begins ("" if none), for step mode by beat.
func (p *Pacer) holdsLocked(s Step, opener string) bool {
	if p.stoppedLocked(s) {
		return true
	}
	if p.state.Mode != ModeStep {
		return false
	}
	if p.state.Unit == UnitStep || s.Outcome == Waiting {
		return true // a step already held stays held until Next
	}
	if opener == "" || p.opened[opener] {
		return false
	}
	if len(p.opened) >= userTraceMemory {
		clear(p.opened)
	}
	p.opened[opener] = true
	return true
}

// stoppedLocked reports whether a paused component or a breakpoint holds s:
// those hold every matching step, whatever the unit.
func (p *Pacer) stoppedLocked(s Step) bool {
	for _, c := range p.state.Paused {
		if c == s.Component {
			return true
		}
	}
	for _, b := range p.state.Breakpoints {
		if b.Component == s.Component && (b.Stage == "" || b.Stage == s.Stage) && (b.Kind == "" || b.Kind == s.Object.Kind) {
			return true
		}
	}
	return false
}

// Wait is called by a component before it takes step s. It records a waiting
// step on rec when it holds s.
func (p *Pacer) Wait(ctx context.Context, rec *Recorder, s Step) error {
	if p == nil {
		return nil
	}
	opener := rec.beatOpener(ctx, s) // before p.mu: the recorder has its own lock
	start := time.Now()
	for {
		p.mu.Lock()
		if p.holdsLocked(s, opener) {
			p.mu.Unlock()
			return p.hold(ctx, rec, s)
		}
		delay := -time.Since(start)
		if p.state.Mode == ModeSlow {
			delay += time.Duration(p.state.DelayMs) * time.Millisecond
		}
		if delay <= 0 {
			p.mu.Unlock()
			return nil
		}
		changed, wake := p.changed, p.wake
		p.sleepers++
		p.mu.Unlock()
		again, err := sleep(ctx, delay, changed, wake)
		p.mu.Lock()
		p.sleepers--
		p.mu.Unlock()
		if err != nil || !again {
			return err
		}
	}
}

// hold records s as waiting and queues it until Next or a change releases it.
func (p *Pacer) hold(ctx context.Context, rec *Recorder, s Step) error {
	s.Outcome = Waiting
	s = rec.Record(ctx, s)
	p.mu.Lock()
	if !p.holdsLocked(s, "") { // a Set released it while it was being recorded
		p.mu.Unlock()
		return nil
	}
	w := &waiter{step: s, released: make(chan struct{})}
	p.waiters = append(p.waiters, w)
	p.notifyLocked()
	p.mu.Unlock()
	select {
	case <-w.released:
		return nil
	case <-ctx.Done():
		p.forget(w)
		return ctx.Err()
	}
}

func (p *Pacer) forget(w *waiter) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, x := range p.waiters {
		if x == w {
			p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
			p.notifyLocked()
			return
		}
	}
}

// sleep sleeps d. It ends early when Next closes wake (again false), or when
// the settings change (again true: the caller looks at them again).
func sleep(ctx context.Context, d time.Duration, changed, wake <-chan struct{}) (again bool, err error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return false, nil
	case <-wake:
		return false, nil
	case <-changed:
		return true, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// Pacer returns the pacer attached to the recorder (nil: never wait).
func (r *Recorder) Pacer() *Pacer {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pacer
}

// SetPacer attaches p; components of this sandbox then pace through it.
func (r *Recorder) SetPacer(p *Pacer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pacer = p
}

// Pace is what a component calls before it takes step s: it returns when the
// pacer lets the step go (at once when no pacer is attached).
func (r *Recorder) Pace(ctx context.Context, s Step) error {
	return r.Pacer().Wait(ctx, r, s)
}
