package steps

// A beat's headline: who did what to which object, with the real values the
// steps carried — the user and the verb, how many admission plugins looked at
// the object, the etcd key and revision, the node the scheduler chose, the
// image and the pod IP. It is a catalogue key and arguments like every
// message, so the browser says it in the learner's language.

import "strconv"

// headline builds the headline of beat b from its steps.
func headline(b *Beat, ss []*Step) Message {
	args := map[string]string{"kind": b.Object.Kind, "name": b.Object.Name, "namespace": b.Object.Namespace}
	set := func(k, v string) {
		if v != "" {
			args[k] = v
		}
	}
	admitted, writes := 0, 0
	for _, s := range ss {
		a := s.Message.Args
		switch {
		case s.Outcome != OK && s.Outcome != Waiting && args["outcome"] == "":
			args["outcome"] = s.Outcome
			set("error", a["error"])
			set("code", a["code"])
		case s.Stage == Authenticate && args["user"] == "":
			set("user", a["user"])
		case s.Stage == Admit && s.Component == APIServer:
			admitted++
		case s.Stage == Store && s.Component == Etcd && args["revision"] == "":
			set("key", a["key"])
			set("revision", a["revision"])
		case s.Stage == Respond && args["code"] == "":
			set("code", a["code"])
		case s.Stage == Request && s != ss[0] && isWrite(a["verb"]):
			writes++
		case s.Stage == Filter:
			set("feasible", a["feasible"])
			set("nodes", a["nodes"])
		case s.Stage == Bind:
			set("node", a["node"])
		case s.Stage == Pull:
			set("image", a["image"])
		case s.Stage == Status && s.Component == ss[0].Component:
			set("phase", a["phase"])
			set("podIP", a["podIP"])
		}
	}
	first := ss[0].Message.Args
	switch b.Kind {
	case BeatRequest:
		set("verb", first["verb"])
		set("resource", first["resource"])
		args["plugins"] = strconv.Itoa(admitted)
	case BeatReconcile:
		for _, s := range ss {
			if s.Stage == Reconcile {
				set("controller", s.Message.Args["controller"])
				set("decision", s.Message.Args["decision"])
				break
			}
		}
		if args["controller"] == "" {
			set("controller", first["controller"])
		}
		args["writes"] = strconv.Itoa(writes)
	case BeatKubelet:
		set("node", b.Component[len("kubelet/"):])
	case BeatComponent:
		set("component", ss[0].Component)
		set("action", ss[0].Stage)
		for _, k := range []string{"snapshot", "revision", "written", "deleted"} {
			set(k, ss[0].Message.Args[k])
		}
	}
	if args["outcome"] == "" {
		args["outcome"] = OK
	}
	return Message{Key: "beat." + b.Kind, Args: args}
}
