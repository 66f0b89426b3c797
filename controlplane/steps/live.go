package steps

// A live step is a recorded step on its way to the streams that watch a
// sandbox. A classroom has several streams per sandbox (the student's page,
// its panes, the teacher following), so the recorder hands every subscriber
// the same *Live: one copy of the step per step, not one per subscriber,
// and its JSON made by the first stream that sends it and reused by the
// others.
//
// Rules: a Live never changes once published (its Step is a copy taken
// under the recorder's lock), so any number of goroutines may read it and
// call JSON at once.

import (
	"encoding/json"
	"sync"
)

// Live is one published step, shared by every subscriber.
type Live struct {
	Step
	once    sync.Once
	encoded []byte
}

// JSON is the step encoded as a stream sends it, made once.
func (l *Live) JSON() []byte {
	l.once.Do(func() {
		b, err := json.Marshal(l.Step)
		if err != nil {
			// A detail that cannot be encoded must not cost the learner
			// the step: it goes without its detail.
			s := l.Step
			s.Detail = nil
			b, _ = json.Marshal(s)
		}
		l.encoded = b
	})
	return l.encoded
}
