package steps

// Beats: the story told at the pace a person follows it.
//
// A create is a couple of hundred real steps, but a learner follows it as a
// handful of acts: kubectl's request is authenticated, authorized, admitted,
// validated and stored; the deployment controller makes a ReplicaSet; the
// replicaset controller makes a pod; the scheduler picks a node; the kubelet
// pulls and runs. A beat is one such act of one component, made of the real
// steps under it. Nothing is summarised away: every step belongs to exactly
// one beat, and a beat lists its steps.
//
// The grouping is read from the steps' own causal tree, in this one place, so
// the browser, the replay, the export and the pacer agree on it:
//   - An API request is one beat, from its arrival to its answer (every
//     admission plugin and the etcd write included), when a person made it.
//   - A component that acts — a controller, the scheduler, a kubelet — makes
//     one beat of the steps it takes for one cause (the etcd write that woke
//     it), together with the API requests it makes: a controller's reconcile
//     with the writes it makes is one act. The scheduler's watch, filter,
//     score, bind and its binding request are one beat; the kubelet's watch,
//     pull, run and the status it reports are one beat.
//   - The Events a component records about its act are a beat of their own,
//     in the background: they retell the act, they are not part of it.
//   - Anything else (boot writes, heartbeats) is a beat of its own step tree.
//
// Beats are foreground or background (classify.go). Background is hidden by
// default in the story and counted, never dropped.

import (
	"strconv"
	"strings"
)

// Beat kinds.
const (
	BeatRequest   = "request"   // a person's API request
	BeatReconcile = "reconcile" // a controller woke up (and maybe wrote)
	BeatSchedule  = "schedule"  // the scheduler placed (or tried to place) a pod
	BeatKubelet   = "kubelet"   // a kubelet acted on a pod or its node
	BeatComponent = "component" // a person stopped or started a component, or restored a snapshot
	BeatOther     = "other"     // a step tree of its own (boot, compaction)
)

// Beat is one act of one component and the real steps under it.
type Beat struct {
	Trace      string   `json:"trace"`
	First      uint64   `json:"first"` // Seq of its first step: beats sort by it
	Last       uint64   `json:"last"`
	Kind       string   `json:"kind"`
	Component  string   `json:"component"`
	Object     Object   `json:"object"`
	Background bool     `json:"background"`
	Headline   Message  `json:"headline"`
	Steps      []uint64 `json:"steps"`
}

// Beats groups steps (any mix of traces, oldest first) into beats, in the
// order each beat began.
func Beats(all []Step) []Beat {
	g := grouping{bySeq: make(map[uint64]*Step, len(all)), memo: map[uint64]string{}}
	for i := range all {
		g.bySeq[all[i].Seq] = &all[i]
	}
	index := map[string]int{}
	var beats []Beat
	var members [][]*Step
	for i := range all {
		s := &all[i]
		key := g.opener(s)
		j, ok := index[key]
		if !ok {
			j = len(beats)
			index[key] = j
			actor := actorOf(s.Component)
			if isPersonsBreak(*s) {
				actor = s.Component // etcd restoring a snapshot is etcd's act, not the API server's
			}
			beats = append(beats, Beat{Trace: s.Trace, First: s.Seq, Component: actor})
			members = append(members, nil)
		}
		beats[j].Steps = append(beats[j].Steps, s.Seq)
		beats[j].Last = s.Seq
		members[j] = append(members[j], s)
	}
	users := userTraces(all)
	for i := range beats {
		describe(&beats[i], members[i], users[beats[i].Trace])
	}
	return beats
}

// grouping finds each step's beat: the key of the step that opened it.
type grouping struct {
	bySeq map[uint64]*Step
	memo  map[uint64]string
}

func (g *grouping) opener(s *Step) string {
	if k, ok := g.memo[s.Seq]; ok {
		return k
	}
	var k string
	switch {
	case isActor(s.Component):
		top := s
		for p := g.bySeq[top.Parent]; p != nil && p.Component == s.Component; p = g.bySeq[top.Parent] {
			top = p
		}
		if g.bySeq[top.Parent] == nil {
			k = "own|" + strconv.FormatUint(top.Seq, 10)
		} else {
			// One cause may wake several controllers: each is its own act.
			k = s.Component + "|" + strconv.FormatUint(top.Parent, 10) + "|" + top.Message.Args["controller"]
		}
	case s.Component == APIServer || s.Component == Etcd:
		r := s
		for r.Stage != Request {
			p := g.bySeq[r.Parent]
			if p == nil || (p.Component != APIServer && p.Component != Etcd) {
				break
			}
			r = p
		}
		switch p := g.bySeq[r.Parent]; {
		case r.Stage != Request:
			k = "own|" + strconv.FormatUint(r.Seq, 10)
		case p != nil && isActor(p.Component) && r.Message.Args["resource"] != "events":
			k = g.opener(p) // a component's write belongs to its act; an Event it records is background of its own
		default:
			k = "req|" + strconv.FormatUint(r.Seq, 10)
		}
	default:
		k = "own|" + strconv.FormatUint(s.Seq, 10)
	}
	g.memo[s.Seq] = k
	return k
}

// isActor reports whether component acts on what it watches: the components
// whose acts are beats of their own.
func isActor(component string) bool {
	return component == ControllerManager || component == Scheduler || strings.HasPrefix(component, "kubelet/")
}

func actorOf(component string) string {
	if component == Etcd {
		return APIServer
	}
	return component
}

// describe fills a beat's kind, object, headline and background flag from
// its steps.
func describe(b *Beat, ss []*Step, userTrace bool) {
	first := ss[0]
	b.Object = first.Object
	for _, s := range ss {
		if s.Object.Name != "" { // a create's request step knows no name yet
			b.Object = s.Object
			break
		}
	}
	switch {
	case isPersonsAct(first.Stage):
		b.Kind = BeatComponent
	case first.Component == ControllerManager:
		b.Kind = BeatReconcile
	case first.Component == Scheduler:
		b.Kind = BeatSchedule
	case strings.HasPrefix(first.Component, "kubelet/"):
		b.Kind = BeatKubelet
	case first.Stage == Request:
		b.Kind = BeatRequest
	default:
		b.Kind = BeatOther
	}
	b.Headline = headline(b, ss)
	b.Background = !userTrace || background(b, ss)
}
