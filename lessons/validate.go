package lessons

// What the types alone cannot say about actions and checks: each has exactly
// one kind, components and users exist, counts and operators are spelt
// right. Problems are reported with the line of the node at fault.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

var actionKinds = []string{"apply", "kubectl", "pacer", "next", "nextUntilPassed", "stop", "start", "stopEtcdLeader", "startEtcdMembers",
	"saveSnapshot", "restoreSnapshot", "delete"}

// kubectlOnly are action fields that modify a kubectl action.
var kubectlOnly = []string{"as", "stdin", "fails", "background"}

var checkKinds = []string{"object", "component", "pacer", "canI", "events", "recorded", "etcd", "all", "any", "not", "none"}

// Users lessons may act as or ask about.
var Users = []string{"admin", "alice", "bob"}

var whereOps = []string{"exists", "notExists", "equals", "notEquals", "contains"}

// KnownComponent reports whether name is a component of a sandbox that can
// be stopped and started (etcd-N when etcd runs several members).
func KnownComponent(name string) bool {
	return name == "controller-manager" || name == "scheduler" || kubeletName.MatchString(name) || etcdMemberName.MatchString(name)
}

var (
	kubeletName    = regexp.MustCompile(`^kubelet/node-[1-3]$`)
	etcdMemberName = regexp.MustCompile(`^etcd-[1-5]$`)
)

// steppedComponent reports whether steps of name can be held by the pacer.
func steppedComponent(name string) bool {
	return KnownComponent(name) || name == "apiserver" || name == "etcd"
}

func (v *validator) oneKind(n *yaml.Node, what string, kinds, extra []string) string {
	if n.Kind != yaml.MappingNode {
		v.errorf(n, "%s must be a mapping with one of: %s", what, strings.Join(kinds, ", "))
		return ""
	}
	var found []string
	for _, k := range keys(n) {
		switch {
		case contains(kinds, k.Value):
			found = append(found, k.Value)
		case contains(extra, k.Value):
		default:
			v.errorf(k, "unknown %s kind %q (want one of: %s)", what, k.Value, strings.Join(kinds, ", "))
			return ""
		}
	}
	if len(found) != 1 {
		v.errorf(n, "%s must have exactly one of: %s (it has %d)", what, strings.Join(kinds, ", "), len(found))
		return ""
	}
	return found[0]
}

func (v *validator) action(n *yaml.Node) {
	kind := v.oneKind(n, "action", actionKinds, kubectlOnly)
	if kind == "" {
		return
	}
	if kind != "kubectl" {
		for _, k := range kubectlOnly {
			if f := field(n, k); f != nil {
				v.errorf(f, "%s goes only with a kubectl action", k)
			}
		}
	}
	switch kind {
	case "kubectl":
		if k := field(n, "kubectl"); k.Kind != yaml.SequenceNode || len(k.Content) == 0 {
			v.errorf(k, "kubectl takes a list of arguments, like [get, pods]")
		}
		if as := field(n, "as"); as != nil && !contains(Users, as.Value) {
			v.errorf(as, "unknown user %q (want one of: %s)", as.Value, strings.Join(Users, ", "))
		}
	case "stop", "start":
		if c := field(n, kind); !KnownComponent(c.Value) {
			v.errorf(c, "unknown component %q (want controller-manager, scheduler, kubelet/node-1..3 or etcd-1..5)", c.Value)
		}
	case "pacer":
		v.pacerAction(field(n, "pacer"))
	case "apply":
		if a := field(n, "apply"); strings.TrimSpace(a.Value) == "" {
			v.errorf(a, "apply needs a manifest")
		}
	case "delete":
		d := field(n, "delete")
		v.require(d, "delete", "apiVersion", "kind")
		if field(d, "name") != nil && field(d, "selector") != nil {
			v.errorf(d, "delete takes a name or a selector, not both")
		}
	}
}

// resetKinds are the action kinds a reset may use: it runs before the first
// step, so nothing in it waits for a step (nextUntilPassed), the learner
// (next) or the pacer (a background kubectl).
var resetKinds = []string{"pacer", "kubectl", "apply", "start", "startEtcdMembers", "delete"}

// reset checks a lesson's reset: a list of actions of resetKinds.
func (v *validator) reset(n *yaml.Node) {
	if n == nil {
		return
	}
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		v.errorf(n, "reset is a list of actions, like [{pacer: {mode: live}}, {delete: {apiVersion: v1, kind: Pod, name: x}}]")
		return
	}
	for _, a := range n.Content {
		v.action(a)
		if a.Kind != yaml.MappingNode {
			continue
		}
		for _, k := range keys(a) {
			if contains(actionKinds, k.Value) && !contains(resetKinds, k.Value) {
				v.errorf(k, "a reset cannot %s (it may: %s)", k.Value, strings.Join(resetKinds, ", "))
			}
		}
		if b := field(a, "background"); b != nil && b.Value == "true" {
			v.errorf(b, "a reset waits for each of its actions: background is not allowed")
		}
	}
}

func (v *validator) pacerAction(p *yaml.Node) {
	if m := field(p, "mode"); m != nil && !contains([]string{"live", "slow", "step"}, m.Value) {
		v.errorf(m, "unknown pacer mode %q (want live, slow or step)", m.Value)
	}
	if bs := field(p, "breakpoints"); bs != nil {
		for _, b := range bs.Content {
			if c := field(b, "component"); c == nil || !steppedComponent(c.Value) {
				v.errorf(b, "a breakpoint needs a known component (apiserver, etcd, controller-manager, scheduler, kubelet/node-N)")
			}
		}
	}
	if ps := field(p, "paused"); ps != nil {
		for _, c := range ps.Content {
			if !steppedComponent(c.Value) {
				v.errorf(c, "unknown component %q", c.Value)
			}
		}
	}
}

func (v *validator) check(n *yaml.Node, recap bool) {
	kind := v.oneKind(n, "check", checkKinds, nil)
	body := field(n, kind)
	switch kind {
	case "none":
		if !recap {
			v.errorf(body, "none: true is only allowed on a recap step")
		}
	case "all", "any":
		if body.Kind != yaml.SequenceNode || len(body.Content) == 0 {
			v.errorf(body, "%s takes a list of checks", kind)
			return
		}
		for _, c := range body.Content {
			v.check(c, false)
		}
	case "not":
		v.check(body, false)
	case "object":
		v.require(body, "object check", "apiVersion", "kind")
		v.count(body)
		if ws := field(body, "where"); ws != nil {
			for _, w := range ws.Content {
				v.where(w)
			}
		}
	case "component":
		if c := field(body, "name"); c == nil || !KnownComponent(c.Value) {
			v.errorf(orNode(c, body), "unknown component name (want controller-manager, scheduler, kubelet/node-1..3 or etcd-1..5)")
		}
		v.require(body, "component check", "running")
	case "pacer":
		if m := field(body, "mode"); m != nil && !contains([]string{"live", "slow", "step"}, m.Value) {
			v.errorf(m, "unknown pacer mode %q", m.Value)
		}
	case "canI":
		v.require(body, "canI check", "user", "verb", "resource", "allowed")
		if u := field(body, "user"); u != nil && !contains(Users, u.Value) {
			v.errorf(u, "unknown user %q (want one of: %s)", u.Value, strings.Join(Users, ", "))
		}
	case "recorded":
		if c := field(body, "component"); c == nil || !steppedComponent(c.Value) {
			v.errorf(orNode(c, body), "the recorded check needs a known component (apiserver, etcd, controller-manager, scheduler, kubelet/node-N)")
		}
	case "etcd":
		if body.Kind != yaml.MappingNode || len(body.Content) == 0 {
			v.errorf(body, "the etcd check takes members, running or leader")
		}
	case "events":
		v.require(body, "events check", "reason")
		v.count(body)
	}
}

func (v *validator) require(n *yaml.Node, what string, names ...string) {
	for _, k := range names {
		if field(n, k) == nil {
			v.errorf(n, "the %s needs %s", what, k)
		}
	}
}

func (v *validator) count(n *yaml.Node) {
	if c := field(n, "count"); c != nil {
		if _, _, err := parseCount(c.Value); err != nil {
			v.errorf(c, "%v", err)
		}
	}
}

func (v *validator) where(w *yaml.Node) {
	v.require(w, "where clause", "path", "op")
	op := field(w, "op")
	if op == nil {
		return
	}
	if !contains(whereOps, op.Value) {
		v.errorf(op, "unknown operator %q (want one of: %s)", op.Value, strings.Join(whereOps, ", "))
	}
	if op.Value != "exists" && op.Value != "notExists" && field(w, "value") == nil {
		v.errorf(w, "the operator %s needs a value", op.Value)
	}
	if p := field(w, "path"); p != nil {
		if _, err := parsePath(p.Value); err != nil {
			v.errorf(p, "%v", err)
		}
	}
}

var countSyntax = regexp.MustCompile(`^(>=|<=|==|!=|>|<)?\s*(\d+)$`)

// parseCount reads ">=1", "==3", "0" (meaning ==0).
func parseCount(s string) (op string, n int, err error) {
	if s == "" {
		return ">=", 1, nil
	}
	m := countSyntax.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", 0, fmt.Errorf("bad count %q (write it like \">=1\", \"==3\" or \"0\")", s)
	}
	op = m[1]
	if op == "" {
		op = "=="
	}
	n, _ = strconv.Atoi(m[2])
	return op, n, nil
}

func compareCount(op string, got, want int) bool {
	switch op {
	case ">=":
		return got >= want
	case "<=":
		return got <= want
	case ">":
		return got > want
	case "<":
		return got < want
	case "!=":
		return got != want
	}
	return got == want
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
