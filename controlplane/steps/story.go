package steps

// The story outlives the background. The recorder's history is bounded and
// the background — heartbeats, leases, node status, about sixteen steps a
// second on an idle laptop — would push a learner's own actions out of it
// within the hour. So a step of a learner's trace (one begun by a person's
// request, beatpace.go) that ages out of the history is kept in the story:
// the learner's actions and everything they caused stay replayable and
// exportable for the life of the sandbox, up to StoryLimit steps (the oldest
// tenth of the story is forgotten when it is full).
//
// Since merges the story into what it returns, so a replay from an old
// sequence number gets the learner's steps in order, with the background
// that has aged out missing.

// StoryLimit bounds the learner's steps kept after they leave the history:
// about two hundred seed creates.
const StoryLimit = 40000

// keepLocked moves the learner's steps among old (leaving the history) into
// the story.
func (r *Recorder) keepLocked(old []Step) {
	for _, s := range old {
		if !r.users[s.Trace] {
			continue
		}
		if r.story.Len() >= StoryLimit {
			r.story.DropFirstPage() // the oldest tenth
		}
		r.story.Append(s)
	}
}

// storySinceLocked returns the range of the story's steps after seq that
// are older than the history's oldest step.
func (r *Recorder) storySinceLocked(seq uint64) (int, int) {
	oldest := r.seq + 1
	if r.history.Len() > 0 {
		oldest = r.history.At(0).Seq
	}
	i := r.story.After(seq)
	j := r.story.After(oldest - 1)
	if i >= j {
		return 0, 0
	}
	return i, j
}

// Trace returns every step still kept of trace, oldest first.
func (r *Recorder) Trace(trace string) []Step {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Step
	i, j := r.storySinceLocked(0)
	for ; i < j; i++ {
		if s := r.story.At(i); s.Trace == trace {
			out = append(out, *s)
		}
	}
	for i := range r.history.Len() {
		if s := r.history.At(i); s.Trace == trace {
			out = append(out, *s)
		}
	}
	return out
}

// IsLearners reports whether trace was begun by a person's request.
func (r *Recorder) IsLearners(trace string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.users[trace]
}
