package steps

import (
	"context"
	"encoding/json"
	"testing"
)

func TestRecordStampsSequenceAndCause(t *testing.T) {
	r := NewRecorder(100)
	ctx := WithCause(context.Background(), Cause{Trace: "t1", Parent: 7})
	s := r.Record(ctx, Step{Component: APIServer, Stage: Request})
	if s.Seq != 1 || s.Trace != "t1" || s.Parent != 7 || s.Outcome != OK || s.Time.IsZero() {
		t.Errorf("recorded %+v", s)
	}
	if s2 := r.Record(ctx, Step{}); s2.Seq != 2 {
		t.Errorf("second step seq %d, want 2", s2.Seq)
	}
}

func TestSubscribeGetsHistoryThenLiveStepsWithoutGaps(t *testing.T) {
	r := NewRecorder(100)
	for i := 0; i < 5; i++ {
		r.Record(context.Background(), Step{})
	}
	history, sub := r.Subscribe(3, 10)
	defer sub.Close()
	if len(history) != 2 || history[0].Seq != 4 || history[1].Seq != 5 {
		t.Fatalf("history after 3 = %v", history)
	}
	r.Record(context.Background(), Step{})
	if s := <-sub.C(); s.Seq != 6 {
		t.Errorf("live step seq %d, want 6", s.Seq)
	}
}

func TestSlowSubscriberIsDroppedNotWaitedOn(t *testing.T) {
	r := NewRecorder(100)
	_, sub := r.Subscribe(0, 2)
	for i := 0; i < 5; i++ {
		r.Record(context.Background(), Step{}) // must not block
	}
	if !sub.Dropped() {
		t.Fatal("a subscriber that fell behind was not dropped")
	}
	n := 0
	for range sub.C() {
		n++
	}
	if n != 2 {
		t.Errorf("dropped subscriber got %d buffered steps, want 2", n)
	}
}

func TestHistoryIsBounded(t *testing.T) {
	r := NewRecorder(50)
	for i := 0; i < 1000; i++ {
		r.Record(context.Background(), Step{})
	}
	h := r.Since(0, 0)
	if len(h) > 50 || h[len(h)-1].Seq != 1000 {
		t.Errorf("history holds %d steps ending at %d", len(h), h[len(h)-1].Seq)
	}
	if got := r.Since(990, 3); len(got) != 3 || got[0].Seq != 991 {
		t.Errorf("Since(990, 3) = %v", got)
	}
}

func TestCausesAreRememberedPerObjectVersion(t *testing.T) {
	r := NewRecorder(10)
	r.Remember("uid-1", "5", Cause{Trace: "t", Parent: 3})
	if c, ok := r.CauseOf("uid-1", "5"); !ok || c.Trace != "t" || c.Parent != 3 {
		t.Errorf("CauseOf = %v %v", c, ok)
	}
	if _, ok := r.CauseOf("uid-1", "6"); ok {
		t.Error("a version nobody wrote has a cause")
	}
}

func TestQuietContextRecordsNothing(t *testing.T) {
	r := NewRecorder(10)
	r.Record(Quiet(context.Background()), Step{})
	if r.Last() != 0 {
		t.Error("a step in a quiet context was recorded")
	}
}

func TestALearnersTraceOutlivesAnHourOfBackground(t *testing.T) {
	r := NewRecorder(2000)
	ctx := context.Background()
	trace := NewTrace()
	req := r.Record(ctx, Step{Trace: trace, Component: APIServer, Stage: Request})
	mine := WithCause(ctx, Cause{Trace: trace, Parent: req.Seq})
	r.Record(mine, Step{Component: APIServer, Stage: Authenticate, Message: Msg("apiserver.authenticate.ok", "user", "admin")})
	r.Record(mine, Step{Component: Etcd, Stage: Store})
	// An idle hour: about sixteen background steps a second.
	for i := 0; i < 16*3600; i++ {
		hb := NewTrace()
		if i%100 == 0 {
			hb = "" // some background has no trace at all
		}
		r.Record(ctx, Step{Trace: hb, Component: "kubelet/node-1", Stage: Status})
	}
	if got := r.Trace(trace); len(got) != 3 || got[0].Seq != req.Seq {
		t.Fatalf("after an hour the learner's trace has %d steps: %+v", len(got), got)
	}
	all := r.Since(0, 0)
	if all[0].Trace != trace || len(all) > 2000+3 {
		t.Errorf("a replay from the start begins with %+v and holds %d steps", all[0], len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].Seq <= all[i-1].Seq {
			t.Fatalf("the replay is out of order at %d: #%d after #%d", i, all[i].Seq, all[i-1].Seq)
		}
	}
	if got := r.Since(0, 2); len(got) != 2 || got[1].Stage != Authenticate {
		t.Errorf("a page of two from the start: %+v", got)
	}
}

func TestSubscribersShareEachStepAndItsJSON(t *testing.T) {
	r := NewRecorder(100)
	_, a := r.Subscribe(0, 10)
	defer a.Close()
	_, b := r.Subscribe(0, 10)
	defer b.Close()
	s := r.Record(context.Background(), Step{Component: APIServer, Stage: Store, Message: Msg("k", "name", "<hello>"),
		Detail: map[string]any{"key": "/registry/pods/default/p"}})
	la, lb := <-a.C(), <-b.C()
	if la != lb {
		t.Fatal("two subscribers got two copies of one step")
	}
	want, _ := json.Marshal(s)
	if got := la.JSON(); string(got) != string(want) || &lb.JSON()[0] != &got[0] {
		t.Errorf("the shared JSON is %s, want %s made once", got, want)
	}
}
