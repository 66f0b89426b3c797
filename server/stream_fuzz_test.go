package server

// Fuzzing the step stream's replay: a page that connects (or reconnects)
// with ?since=N gets the sandbox's history after N in pages of historyPage.
// Whatever the history held — background steps that aged out, a learner's
// steps kept in the story past them, any since — the pages together are
// exactly what the recorder holds after since, in order, each step once: a
// reconnecting page neither misses nor repeats a step.

import (
	"context"
	"testing"

	"github.com/glassplane/glassplane/controlplane/steps"
)

func FuzzReplayGivesEveryStepAfterSinceOnceInOrder(f *testing.F) {
	f.Add(uint16(600), uint16(300), uint8(3), uint16(0))
	f.Add(uint16(2000), uint16(100), uint8(1), uint16(777))
	f.Add(uint16(257), uint16(256), uint8(0), uint16(256))
	f.Add(uint16(0), uint16(10), uint8(2), uint16(5))
	f.Fuzz(func(t *testing.T, n, limit uint16, learnerEvery uint8, since uint16) {
		if limit < 10 || n > 5000 {
			return
		}
		rec := steps.NewRecorder(int(limit))
		learner, background := steps.NewTrace(), steps.NewTrace()
		for i := range int(n) {
			s := steps.Step{Trace: background, Component: steps.APIServer, Stage: steps.Watch}
			if learnerEvery > 0 && i%int(learnerEvery) == 0 {
				// A learner's create: request then authenticate, so the
				// recorder counts the trace as theirs and keeps it.
				s = steps.Step{Trace: learner, Component: steps.APIServer, Stage: steps.Request}
				req := rec.Record(context.Background(), s)
				s = steps.Step{Trace: learner, Parent: req.Seq, Component: steps.APIServer, Stage: steps.Authenticate,
					Message: steps.Msg("apiserver.authenticate.ok", "user", "admin")}
			}
			rec.Record(context.Background(), s)
		}
		want := rec.Since(uint64(since), 0)
		var got []steps.Step
		last, ok := replay(rec, uint64(since), func(m Message) bool {
			if len(m.Steps) > historyPage {
				t.Fatalf("a page of %d steps, more than %d", len(m.Steps), historyPage)
			}
			got = append(got, m.Steps...)
			return true
		})
		if !ok || len(got) != len(want) {
			t.Fatalf("replay from %d sent %d steps, the recorder holds %d after it", since, len(got), len(want))
		}
		prev := uint64(since)
		for i, s := range got {
			if s.Seq <= prev || s.Seq != want[i].Seq {
				t.Fatalf("step %d of the replay is seq %d after %d (want %d)", i, s.Seq, prev, want[i].Seq)
			}
			prev = s.Seq
		}
		if len(got) > 0 && last != got[len(got)-1].Seq {
			t.Errorf("replay says it ended at %d, its last step was %d", last, got[len(got)-1].Seq)
		}
	})
}
