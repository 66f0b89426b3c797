package lessons

// Checks are evaluated the way a learner would find out: through the
// sandbox's API server, as its admin, with client-go — a get or a list, a
// SubjectAccessReview, a list of Events. Only the component and pacer checks
// look at the sandbox itself, because those are Glassplane's own knobs, not
// Kubernetes objects.
//
// Every check returns a verdict and a Note that says what was found, in
// English and as a catalogue key with its values, so a learner (in either
// language) and a failing test can see why a step has not passed yet.

import (
	"context"
	"fmt"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// evaluate decides check c; since is the last step recorded before the
// lesson started (what a recorded check looks after).
func (e *Engine) evaluate(ctx context.Context, sb *Sandbox, c Check, since uint64) (bool, Note) {
	switch {
	case c.None:
		return true, note("nothing to check: think about the question", "check.none")
	case c.Object != nil:
		return e.checkObject(ctx, sb, c.Object)
	case c.Component != nil:
		return checkComponent(sb, c.Component)
	case c.Pacer != nil:
		return checkPacer(sb, c.Pacer)
	case c.CanI != nil:
		return e.checkCanI(ctx, sb, c.CanI)
	case c.Events != nil:
		return e.checkEvents(ctx, sb, c.Events)
	case c.Recorded != nil:
		return checkRecorded(sb, c.Recorded, since)
	case c.Etcd != nil:
		return checkEtcd(ctx, sb, c.Etcd)
	case c.Not != nil:
		ok, detail := e.evaluate(ctx, sb, *c.Not, since)
		n := note("not: "+detail.String(), "check.not")
		n.Parts = []Note{detail}
		return !ok, n
	case len(c.All) > 0:
		var details []Note
		for _, sub := range c.All {
			ok, detail := e.evaluate(ctx, sb, sub, since)
			if !ok {
				return false, detail
			}
			details = append(details, detail)
		}
		return true, joined("check.all", "; ", details)
	case len(c.Any) > 0:
		var details []Note
		for _, sub := range c.Any {
			ok, detail := e.evaluate(ctx, sb, sub, since)
			if ok {
				return true, detail
			}
			details = append(details, detail)
		}
		return false, joined("check.any", "; or ", details)
	}
	return false, note("the step has no check", "check.noCheck")
}

// joined is a note made of parts, said one after another with sep.
func joined(key, sep string, parts []Note) Note {
	texts := make([]string, len(parts))
	for i, p := range parts {
		texts[i] = p.String()
	}
	n := note(strings.Join(texts, sep), key)
	n.Parts = parts
	return n
}

func (e *Engine) checkObject(ctx context.Context, sb *Sandbox, oc *ObjectCheck) (bool, Note) {
	cl, err := e.clientsFor(sb)
	if err != nil {
		return false, errorNote(err)
	}
	gv, err := schema.ParseGroupVersion(oc.APIVersion)
	if err != nil {
		return false, errorNote(err)
	}
	mapping, err := cl.mapping(gv.WithKind(oc.Kind))
	if err != nil {
		return false, note(fmt.Sprintf("the API server does not serve %s %s", oc.APIVersion, oc.Kind), "check.notServed",
			"apiVersion", oc.APIVersion, "kind", oc.Kind)
	}
	ns := ""
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		ns = oc.Namespace
		if ns == "" {
			ns = "default"
		}
	}
	objs, err := cl.find(ctx, mapping.Resource, ns, oc.Name, oc.Selector)
	if err != nil {
		return false, note(fmt.Sprintf("reading %s: %v", mapping.Resource.Resource, err), "check.readFailed",
			"resource", mapping.Resource.Resource, "error", err)
	}
	matched, why, whyNot := 0, "", []Note(nil)
	for _, o := range objs {
		ok, detail := matchAll(o.Object, oc.Where)
		if ok {
			matched++
		} else if why == "" {
			why = fmt.Sprintf(" (%s %s: %s)", oc.Kind, o.GetName(), detail)
			whyNot = []Note{note(why, "check.objectNot", "kind", oc.Kind, "name", o.GetName()), detail}
		}
	}
	op, want, _ := parseCount(oc.Count)
	ok := compareCount(op, matched, want)
	which := strings.TrimSpace(oc.Name + " " + bracketed(oc.Selector))
	key := "check.objects"
	if ns == "" {
		key = "check.objectsClusterWide"
	}
	n := note(fmt.Sprintf("%d %s%s matching (want %s%d)%s", matched, describeObjects(oc, ns), plural(matched), op, want, why), key,
		"matched", matched, "kind", oc.Kind, "which", which, "namespace", ns, "want", fmt.Sprintf("%s%d", op, want))
	n.Parts = whyNot // the first object that does not match, and why
	return ok, n
}

// bracketed is a label selector as the check's English shows it ("[app=web]").
func bracketed(selector string) string {
	if selector == "" {
		return ""
	}
	return "[" + selector + "]"
}

func matchAll(obj map[string]any, where []Where) (bool, Note) {
	for _, w := range where {
		if ok, detail := matchWhere(obj, w); !ok {
			return false, detail
		}
	}
	return true, Note{}
}

func describeObjects(oc *ObjectCheck, ns string) string {
	s := oc.Kind
	if oc.Name != "" {
		s += " " + oc.Name
	}
	if oc.Selector != "" {
		s += " " + bracketed(oc.Selector)
	}
	if ns != "" {
		s += " in " + ns
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "(s)"
}

// find gets the named object, or lists those the selector picks.
func (cl *clients) find(ctx context.Context, gvr schema.GroupVersionResource, ns, name, selector string) ([]unstructured.Unstructured, error) {
	r := cl.dynamic.Resource(gvr).Namespace(ns)
	if name != "" {
		o, err := r.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return []unstructured.Unstructured{*o}, nil
	}
	list, err := r.List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

func checkComponent(sb *Sandbox, cc *ComponentCheck) (bool, Note) {
	for _, st := range sb.Cluster.Components() {
		if st.Name == cc.Name {
			state := "stopped"
			if st.Running {
				state = "running"
			}
			return st.Running == cc.Running, note(cc.Name+" is "+state, "check.component."+state, "component", cc.Name)
		}
	}
	return false, note("there is no component "+cc.Name, "check.noComponent", "component", cc.Name)
}

func checkPacer(sb *Sandbox, pc *PacerCheck) (bool, Note) {
	st := sb.Cluster.Pacer.State()
	detail := fmt.Sprintf("the pacer is in %s mode, %d step(s) waiting", st.Mode, len(st.Waiting))
	pacer := note(detail, "check.pacer", "mode", st.Mode, "waiting", len(st.Waiting))
	if pc.Mode != "" && st.Mode != pc.Mode {
		return false, pacer
	}
	if pc.Paused != "" && !contains(st.Paused, pc.Paused) {
		return false, note(pc.Paused+" is not paused", "check.notPaused", "component", pc.Paused)
	}
	if w := pc.Waiting; w != nil {
		for _, s := range st.Waiting {
			if s.Component == w.Component && (w.Stage == "" || s.Stage == w.Stage) && (w.Kind == "" || s.Object.Kind == w.Kind) {
				return true, note(fmt.Sprintf("%s is holding %s %s", s.Component, s.Stage, s.Object.Name), "check.holding",
					"component", s.Component, "stage", s.Stage, "name", s.Object.Name)
			}
		}
		return false, note(fmt.Sprintf("%s; none from %s %s", detail, w.Component, w.Stage), "check.pacerNone",
			"mode", st.Mode, "waiting", len(st.Waiting), "component", w.Component, "stage", w.Stage)
	}
	return true, pacer
}

func (e *Engine) checkCanI(ctx context.Context, sb *Sandbox, ci *CanICheck) (bool, Note) {
	cl, err := e.clientsFor(sb)
	if err != nil {
		return false, errorNote(err)
	}
	groups := []string{"system:authenticated"}
	if ci.User == "admin" {
		groups = append(groups, "system:masters")
	}
	sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: ci.User, Groups: groups,
		ResourceAttributes: &authorizationv1.ResourceAttributes{
			Namespace: ci.Namespace, Verb: ci.Verb, Group: ci.Group, Resource: ci.Resource},
	}}
	out, err := cl.typed.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
	if err != nil {
		return false, note("asking the API server: "+err.Error(), "check.askFailed", "error", err)
	}
	answer := "no"
	if out.Status.Allowed {
		answer = "yes"
	}
	where := ""
	if ci.Namespace != "" {
		where = " in " + ci.Namespace
	}
	key := "check.canI." + answer
	if ci.Namespace != "" {
		key += ".in"
	}
	return out.Status.Allowed == ci.Allowed, note(fmt.Sprintf("may %s %s %s%s? %s", ci.User, ci.Verb, ci.Resource, where, answer), key,
		"user", ci.User, "verb", ci.Verb, "resource", ci.Resource, "namespace", ci.Namespace)
}

func (e *Engine) checkEvents(ctx context.Context, sb *Sandbox, ec *EventsCheck) (bool, Note) {
	cl, err := e.clientsFor(sb)
	if err != nil {
		return false, errorNote(err)
	}
	list, err := cl.typed.CoreV1().Events(ec.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return false, note("listing events: "+err.Error(), "check.readFailed", "resource", "events", "error", err)
	}
	n := 0
	for _, ev := range list.Items {
		if ev.Reason == ec.Reason && (ec.InvolvedKind == "" || ev.InvolvedObject.Kind == ec.InvolvedKind) &&
			(ec.InvolvedName == "" || ev.InvolvedObject.Name == ec.InvolvedName) {
			n++
		}
	}
	op, want, _ := parseCount(ec.Count)
	return compareCount(op, n, want), note(fmt.Sprintf("%d %s event%s (want %s%d)", n, ec.Reason, plural(n), op, want), "check.events",
		"n", n, "reason", ec.Reason, "want", fmt.Sprintf("%s%d", op, want))
}

func checkRecorded(sb *Sandbox, rc *RecordedCheck, since uint64) (bool, Note) {
	for _, s := range sb.Cluster.Steps.Since(since, 0) {
		if s.Component == rc.Component && (rc.Stage == "" || s.Stage == rc.Stage) &&
			(rc.Outcome == "" || s.Outcome == rc.Outcome) && (rc.Kind == "" || s.Object.Kind == rc.Kind) {
			return true, note(fmt.Sprintf("step %d: %s %s %s %s", s.Seq, s.Component, s.Stage, s.Outcome, s.Object.Kind), "check.recorded",
				"seq", s.Seq, "component", s.Component, "stage", s.Stage, "outcome", s.Outcome, "kind", s.Object.Kind)
		}
	}
	key := "check.notRecorded"
	if rc.Kind == "" {
		key = "check.notRecordedAny"
	}
	return false, note(fmt.Sprintf("no %s %s %s step for %s since the lesson started", rc.Component, rc.Stage, rc.Outcome, orAny(rc.Kind)), key,
		"component", rc.Component, "stage", rc.Stage, "outcome", rc.Outcome, "kind", rc.Kind)
}

func orAny(kind string) string {
	if kind == "" {
		return "any object"
	}
	return kind
}
