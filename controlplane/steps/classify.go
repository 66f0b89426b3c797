package steps

// Foreground and background.
//
// The learner's own actions, and what they cause, are the foreground: the
// story. Everything else is background: what would happen anyway or adds no
// new idea — the boot, lease and heartbeat renewals, node status, Event
// writes, status-only updates, informer deliveries that lead to no action.
// Background is hidden by default and counted, one toggle away; it is never
// dropped from the record or the export.
//
// A trace is the learner's when it began with an API request from a person
// (a user who is not one of the control plane's own "system:" identities).
// Inside such a trace a beat is background when it changes nothing a learner
// would look for: a controller that only wrote status or wrote nothing, an
// Event, a kubelet that only reported status, a watch nobody acted on.

import "strings"

// userTraces returns the traces begun by a person's request.
func userTraces(all []Step) map[string]bool {
	requests := map[uint64]Step{}
	users := map[string]bool{}
	for _, s := range all {
		if s.Stage == Request {
			requests[s.Seq] = s
		}
		if req, ok := requests[s.Parent]; (ok && beganByPerson(req, s)) || isPersonsBreak(s) {
			users[s.Trace] = true
		}
	}
	return users
}

// beganByPerson reports whether auth, the authentication step of request
// req, shows a trace begun by a person: a request with no cause, by a user
// who is not one of the control plane's own "system:" identities. Beats and
// the recorder (beatpace.go) use this one rule.
func beganByPerson(req, auth Step) bool {
	u := auth.Message.Args["user"]
	return auth.Trace != "" && auth.Stage == Authenticate && req.Stage == Request && req.Parent == 0 &&
		req.Component == APIServer && u != "" && !strings.HasPrefix(u, "system:")
}

// isPersonsBreak reports whether s begins a trace with a person stopping or
// starting a component or restoring a snapshot (nothing else records those
// stages).
func isPersonsBreak(s Step) bool {
	return s.Trace != "" && s.Parent == 0 && isPersonsAct(s.Stage)
}

// isPersonsAct reports whether stage is one only a person's act outside the
// API records.
func isPersonsAct(stage string) bool { return stage == Stop || stage == Start || stage == Restore }

// background reports whether a beat of a learner's trace adds nothing to
// the story.
func background(b *Beat, ss []*Step) bool {
	switch b.Kind {
	case BeatComponent:
		return false // the learner's own act
	case BeatRequest:
		// A component's own write that no act of its carried (a status
		// report, an Event) is not one of the learner's requests.
		return strings.HasPrefix(b.Headline.Args["user"], "system:") || statusOnly(ss[0].Message.Args["resource"])
	case BeatReconcile:
		for _, s := range ss {
			if s.Stage == Request && isWrite(s.Message.Args["verb"]) && !statusOnly(s.Message.Args["resource"]) {
				return false
			}
		}
		return true
	case BeatSchedule:
		for _, s := range ss {
			if s.Stage == Filter {
				return false
			}
		}
		return true
	case BeatKubelet:
		for _, s := range ss {
			if s.Component == ss[0].Component && (s.Stage == Pull || s.Stage == Run) {
				return false
			}
		}
		return true
	}
	return true
}

func isWrite(verb string) bool {
	switch verb {
	case "create", "update", "patch", "delete", "deletecollection":
		return true
	}
	return false
}

// statusOnly reports whether a write to resource changes nothing but
// status or the record of Events.
func statusOnly(resource string) bool {
	return strings.HasSuffix(resource, "/status") || resource == "events" || resource == "events.events.k8s.io"
}
