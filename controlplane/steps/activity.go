package steps

// Activity: what a teacher's roster shows of a sandbox without reading its
// history. A person's request (one begun by a user who is not one of the
// control plane's own identities: beganByPerson) counts whether it came from
// the browser or from the student's own kubectl, so a student who only uses
// kubectl is seen as active too; a refused one (an error answer to the
// person's own request, not to a controller's) counts as an error hit.

import "time"

// Activity counts a person's requests to one cluster.
type Activity struct {
	LastRequest time.Time `json:"lastRequest"` // zero: none yet
	Requests    int       `json:"requests"`
	Refused     int       `json:"refused"`
}

// Activity returns the counts so far.
func (r *Recorder) Activity() Activity {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.activity
}

// noteActivityLocked counts s if it is a person's request being
// authenticated, or the error answer to one.
func (r *Recorder) noteActivityLocked(s Step, byPerson bool) {
	switch {
	case byPerson:
		r.activity.Requests++
		r.activity.LastRequest = s.Time
	case s.Stage == Respond && s.Message.Key == "apiserver.error" && r.users[s.Trace]:
		if req, ok := r.stepLocked(s.Parent); ok && req.Stage == Request && req.Parent == 0 {
			r.activity.Refused++
		}
	}
}
