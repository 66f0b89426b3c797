package steps

// The recorder keeps one sandbox's steps: it numbers them, keeps a bounded
// history for replay, and hands each new step to its subscribers.
//
// Rules: Record never blocks on a subscriber. A subscriber whose buffer is full
// is dropped (its channel closed, Dropped reports true); it resumes from the
// history with Since. This keeps a stuck browser from slowing the control plane.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/glassplane/glassplane/controlplane/metrics"
)

// Recorder numbers, keeps and publishes the steps of one sandbox.
type Recorder struct {
	mu      sync.Mutex // guards the fields below
	seq     uint64
	history stepLog // the newest steps, oldest first, in pages of a tenth of limit
	limit   int
	subs    map[*Subscription]struct{}
	// causes remembers which trace wrote each object version (causes.go).
	causes     map[versionKey]Cause
	causeOrder []versionKey
	pacer      *Pacer
	users      map[string]bool // traces begun by a person (beatpace.go)
	story      stepLog         // their steps after they left history (story.go)
	activity   Activity        // a person's requests (activity.go)
	// reserved is the last number reserved, block how many a reservation
	// takes and reserve how (reserve.go); reserve is nil on one server.
	reserved, block uint64
	reserve         func(upTo uint64)
}

// NewRecorder returns a recorder that remembers up to limit steps.
func NewRecorder(limit int) *Recorder {
	return &Recorder{limit: limit, subs: map[*Subscription]struct{}{},
		history: newStepLog(limit/10+1, false), story: newStepLog(StoryLimit/10, true)}
}

// NewTrace returns a fresh trace id for a user action.
func NewTrace() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Record stamps s with the next sequence number, the time and the cause in
// ctx (unless s already names a trace), stores it and publishes it. It returns
// the stamped step; its Seq is the parent for the steps it causes.
func (r *Recorder) Record(ctx context.Context, s Step) Step {
	if r == nil || isQuiet(ctx) {
		return s
	}
	if s.Trace == "" {
		if c, ok := CauseFrom(ctx); ok {
			s.Trace, s.Parent = c.Trace, c.Parent
		}
	}
	if s.Outcome == "" {
		s.Outcome = OK
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	r.reserveLocked()
	s.Seq = r.seq
	s.Time = time.Now()
	if r.history.Len() >= r.limit {
		// Forget the oldest tenth, its first page, at once; the learner's
		// steps among it stay in the story (story.go).
		r.keepLocked(r.history.DropFirstPage())
	}
	r.history.Append(s)
	metrics.StepsEmitted.Inc()
	r.noteUserLocked(s)
	var live *Live // one copy for every subscriber (live.go)
	if len(r.subs) > 0 {
		live = &Live{Step: s}
	}
	for sub := range r.subs {
		select {
		case sub.c <- live:
		default:
			sub.dropped = true
			metrics.StepsDropped.Inc()
			r.unsubscribeLocked(sub)
		}
	}
	return s
}

// Last returns the sequence number of the newest step (0 if none).
func (r *Recorder) Last() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seq
}

// Since returns up to limit steps with Seq > seq, oldest first (limit <= 0: all).
func (r *Recorder) Since(seq uint64, limit int) []Step {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sinceLocked(seq, limit)
}

func (r *Recorder) sinceLocked(seq uint64, limit int) []Step {
	// Seqs increase along the history, so a binary search finds the start:
	// streams read it a page at a time.
	i := r.history.After(seq)
	si, sj := r.storySinceLocked(seq)
	story, recent := sj-si, r.history.Len()-i
	if limit > 0 && story >= limit {
		return r.story.AppendTo(make([]Step, 0, limit), si, si+limit)
	}
	if limit > 0 && story+recent > limit {
		recent = limit - story
	}
	out := r.story.AppendTo(make([]Step, 0, story+recent), si, sj)
	return r.history.AppendTo(out, i, i+recent)
}

// Subscription delivers live steps on C until it is closed.
type Subscription struct {
	c       chan *Live
	dropped bool // set under Recorder.mu before c is closed
	r       *Recorder
}

// C delivers steps; it is closed when the subscription ends.
func (s *Subscription) C() <-chan *Live { return s.c }

// Dropped reports whether the subscriber fell behind and was cut off.
func (s *Subscription) Dropped() bool {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	return s.dropped
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.unsubscribeLocked(s)
}

// Subscribe returns the history after since and a subscription for every step
// after it, with no step lost or repeated in between. buffer bounds how far
// the subscriber may fall behind.
func (r *Recorder) Subscribe(since uint64, buffer int) ([]Step, *Subscription) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sub := &Subscription{c: make(chan *Live, buffer), r: r}
	r.subs[sub] = struct{}{}
	return r.sinceLocked(since, 0), sub
}

func (r *Recorder) unsubscribeLocked(s *Subscription) {
	if _, ok := r.subs[s]; ok {
		delete(r.subs, s)
		close(s.c)
	}
}

// Close ends every subscription; later steps are still recorded.
func (r *Recorder) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for sub := range r.subs {
		r.unsubscribeLocked(sub)
	}
}
