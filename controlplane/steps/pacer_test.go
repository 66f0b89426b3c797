package steps

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

func waitAsync(p *Pacer, r *Recorder, s Step) chan error {
	done := make(chan error, 1)
	go func() { done <- p.Wait(context.Background(), r, s) }()
	return done
}

func waitingCount(p *Pacer) int { return len(p.State().Waiting) }

func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestLivePacerDoesNotHold(t *testing.T) {
	p, r := NewPacer(), NewRecorder(10)
	if err := p.Wait(context.Background(), r, Step{Component: Scheduler, Stage: Bind}); err != nil {
		t.Fatal(err)
	}
	if r.Last() != 0 {
		t.Error("a live pacer recorded a waiting step")
	}
}

func TestBreakpointHoldsOnlyItsStageUntilNext(t *testing.T) {
	p, r := NewPacer(), NewRecorder(10)
	p.Set(PacerState{Breakpoints: []Breakpoint{{Component: Scheduler, Stage: Bind}}})
	if err := p.Wait(context.Background(), r, Step{Component: Scheduler, Stage: Filter}); err != nil {
		t.Fatal(err)
	}
	done := waitAsync(p, r, Step{Component: Scheduler, Stage: Bind})
	eventually(t, func() bool { return waitingCount(p) == 1 })
	if got := r.Since(0, 0); len(got) != 1 || got[0].Outcome != Waiting {
		t.Fatalf("recorded %v, want one waiting step", got)
	}
	// A negative check (the bind stays held): there is nothing to wait
	// for, so give a wrongly released bind a fixed 20 ms to finish.
	select {
	case <-done:
		t.Fatal("the breakpoint did not hold the bind")
	case <-time.After(20 * time.Millisecond):
	}
	if !p.Next() {
		t.Fatal("Next released nothing")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestStepModeReleasesOneStepPerNextInOrder(t *testing.T) {
	p, r := NewPacer(), NewRecorder(10)
	p.Set(PacerState{Mode: ModeStep, Unit: UnitStep})
	first := waitAsync(p, r, Step{Component: ControllerManager, Stage: Reconcile})
	eventually(t, func() bool { return waitingCount(p) == 1 })
	second := waitAsync(p, r, Step{Component: Scheduler, Stage: Filter})
	eventually(t, func() bool { return waitingCount(p) == 2 })
	p.Next()
	<-first
	// A negative check (the second step stays held): give a wrongly
	// released step a fixed 20 ms to finish.
	select {
	case <-second:
		t.Fatal("one Next released two steps")
	case <-time.After(20 * time.Millisecond):
	}
	p.Next()
	<-second
}

func TestResumingAPausedComponentReleasesIt(t *testing.T) {
	p, r := NewPacer(), NewRecorder(10)
	p.Set(PacerState{Paused: []string{Scheduler}})
	done := waitAsync(p, r, Step{Component: Scheduler, Stage: Bind})
	eventually(t, func() bool { return waitingCount(p) == 1 })
	p.Set(PacerState{})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestWaitEndsWithItsContext(t *testing.T) {
	p, r := NewPacer(), NewRecorder(10)
	p.Set(PacerState{Mode: ModeStep, Unit: UnitStep})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Wait(ctx, r, Step{Component: Scheduler}) }()
	eventually(t, func() bool { return waitingCount(p) == 1 })
	cancel()
	if err := <-done; err == nil {
		t.Fatal("Wait did not return the context's error")
	}
	if waitingCount(p) != 0 {
		t.Error("a cancelled wait is still listed")
	}
}

func TestBeatModeHoldsAPersonsRequestOnceAndLetsTheRestOfItsBeatRun(t *testing.T) {
	p, r := NewPacer(), NewRecorder(100)
	r.SetPacer(p)
	p.Set(PacerState{Mode: ModeStep})
	request := func(user string) context.Context {
		trace := NewTrace()
		req := r.Record(context.Background(), Step{Trace: trace, Component: APIServer, Stage: Request})
		ctx := WithCause(context.Background(), Cause{Trace: trace, Parent: req.Seq})
		r.Record(ctx, Step{Component: APIServer, Stage: Authenticate, Message: Msg("apiserver.authenticate.ok", "user", user)})
		return ctx
	}
	ctx := request("admin")
	done := make(chan error, 1)
	go func() { done <- r.Pace(ctx, Step{Component: APIServer, Stage: Authorize}) }()
	eventually(t, func() bool { return waitingCount(p) == 1 })
	p.Next()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The rest of the same request is the same beat: it runs through.
	for _, stage := range []string{Admit, Validate} {
		if err := r.Pace(ctx, Step{Component: APIServer, Stage: stage}); err != nil {
			t.Fatal(err)
		}
	}
	// A component's own request is not a beat of the learner's story.
	if err := r.Pace(request("system:node:node-1"), Step{Component: APIServer, Stage: Authorize}); err != nil {
		t.Fatal(err)
	}
	if n := waitingCount(p); n != 0 {
		t.Errorf("%d steps held after the beat began", n)
	}
}

func TestSlowModeSleepIsReleasedBySet(t *testing.T) {
	p, r := NewPacer(), NewRecorder(10)
	p.Set(PacerState{Mode: ModeSlow, DelayMs: 60_000})
	done := waitAsync(p, r, Step{Component: Scheduler, Stage: Bind})
	select {
	case err := <-done:
		t.Fatalf("a 60 s slow-mode delay ended at once: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	p.Set(PacerState{Mode: ModeSlow, DelayMs: 30_000}) // still slow: it keeps sleeping
	select {
	case err := <-done:
		t.Fatalf("a change to another long delay released the step: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	p.Set(PacerState{Mode: ModeLive})
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("switching to live did not release a step sleeping in slow mode")
	}
	if r.Last() != 0 {
		t.Error("a slow-mode delay recorded a waiting step")
	}
}

func TestSlowModeSleepIsReleasedByNext(t *testing.T) {
	p, r := NewPacer(), NewRecorder(10)
	p.Set(PacerState{Mode: ModeSlow, DelayMs: 60_000})
	done := waitAsync(p, r, Step{Component: Scheduler, Stage: Bind})
	eventually(t, p.Next) // false until the step is asleep
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Next did not release a step sleeping in slow mode")
	}
}

func TestSwitchingFromSlowToStepHoldsTheSleepingStep(t *testing.T) {
	p, r := NewPacer(), NewRecorder(10)
	p.Set(PacerState{Mode: ModeSlow, DelayMs: 60_000})
	done := waitAsync(p, r, Step{Component: Scheduler, Stage: Bind})
	time.Sleep(20 * time.Millisecond)
	p.Set(PacerState{Mode: ModeStep, Unit: UnitStep})
	eventually(t, func() bool { return waitingCount(p) == 1 })
	p.Next()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Next did not release the step held after the switch to step mode")
	}
}

// TestUpdatesAtOnceAllTakeEffectAndEachChangeHasANewerVersion: pages change
// different settings at the same instant (one the mode, others a pause) and
// none is lost; each change of the pacer counts up its version, which is
// how a page tells the newer of two states it heard of.
func TestUpdatesAtOnceAllTakeEffectAndEachChangeHasANewerVersion(t *testing.T) {
	p := NewPacer()
	v0 := p.State().Version
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p.Update(func(st *PacerState) { st.Paused = append(st.Paused, fmt.Sprint("c", i)) })
		})
	}
	wg.Go(func() { p.Update(func(st *PacerState) { st.Mode = ModeStep }) })
	wg.Wait()
	st := p.State()
	if st.Mode != ModeStep || len(st.Paused) != n {
		t.Errorf("after %d pauses and a mode change at once: mode %q, %d paused", n, st.Mode, len(st.Paused))
	}
	if st.Version != v0+n+1 {
		t.Errorf("version %d after %d changes from %d", st.Version, n+1, v0)
	}
}
