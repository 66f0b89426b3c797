package lessons

// Field paths. A check looks into an object the way a learner reads
// `kubectl get -o yaml`: spec.nodeName, status.conditions[type=Ready].status,
// spec.template.spec.containers[0].image, and, for keys with dots in them,
// metadata.annotations[deployment.kubernetes.io/revision], and a pick on
// several fields: spec.taints[key=node.kubernetes.io/unreachable,effect=NoExecute]. It is a small
// cousin of kubectl's JSONPath, enough for lessons and easy to read.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// pathPart is one step into an object: a map key, a list index, or a pick
// of the first list element whose fields equal the given values
// ([key=node.kubernetes.io/unreachable,effect=NoExecute]).
type pathPart struct {
	key   string
	index int               // -1 unless an index
	pick  map[string]string // field → value
}

func parsePath(p string) ([]pathPart, error) {
	if p == "" {
		return nil, fmt.Errorf("empty path")
	}
	var parts []pathPart
	for i := 0; i < len(p); {
		switch p[i] {
		case '.':
			i++
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q: [ without ]", p)
			}
			parts = append(parts, bracket(p[i+1:i+end]))
			i += end + 1
		default:
			end := strings.IndexAny(p[i:], ".[")
			if end < 0 {
				end = len(p) - i
			}
			parts = append(parts, pathPart{key: p[i : i+end], index: -1})
			i += end
		}
	}
	return parts, nil
}

func bracket(s string) pathPart {
	if n, err := strconv.Atoi(s); err == nil {
		return pathPart{index: n}
	}
	if strings.Contains(s, "=") {
		pick := map[string]string{}
		for _, cond := range strings.Split(s, ",") {
			k, v, _ := strings.Cut(cond, "=")
			pick[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
		return pathPart{index: -1, pick: pick}
	}
	return pathPart{index: -1, key: s}
}

// lookup follows path into obj (decoded JSON) and returns what is there.
func lookup(obj any, path string) (any, bool) {
	parts, err := parsePath(path)
	if err != nil {
		return nil, false
	}
	cur := obj
	for _, part := range parts {
		var ok bool
		if cur, ok = next(cur, part); !ok || cur == nil {
			return nil, false
		}
	}
	return cur, true
}

func next(cur any, part pathPart) (any, bool) {
	switch {
	case part.index >= 0:
		l, ok := cur.([]any)
		if !ok || part.index >= len(l) {
			return nil, false
		}
		return l[part.index], true
	case part.pick != nil:
		l, _ := cur.([]any)
		for _, e := range l {
			if m, ok := e.(map[string]any); ok && picks(m, part.pick) {
				return e, true
			}
		}
		return nil, false
	default:
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		v, ok := m[part.key]
		return v, ok
	}
}

func picks(m map[string]any, pick map[string]string) bool {
	for k, v := range pick {
		if text(m[k]) != v {
			return false
		}
	}
	return true
}

// text is how a value reads in a check: strings as they are, everything
// else as JSON (true, 3, {"a":"b"}).
func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// matchWhere evaluates one clause on obj; the note says why it failed.
func matchWhere(obj map[string]any, w Where) (bool, Note) {
	v, found := lookup(obj, w.Path)
	unset := note(w.Path+" is not set", "check.unset", "path", w.Path)
	switch w.Op {
	case "exists":
		return found, unset
	case "notExists":
		return !found, note(fmt.Sprintf("%s is %s", w.Path, text(v)), "check.is", "path", w.Path, "got", text(v))
	}
	if !found {
		return w.Op == "notEquals", unset
	}
	got := text(v)
	switch w.Op {
	case "equals":
		return got == w.Value, note(fmt.Sprintf("%s is %s, not %s", w.Path, got, w.Value), "check.isNot",
			"path", w.Path, "got", got, "want", w.Value)
	case "notEquals":
		return got != w.Value, note(fmt.Sprintf("%s is %s", w.Path, got), "check.is", "path", w.Path, "got", got)
	case "contains":
		if l, ok := v.([]any); ok {
			for _, e := range l {
				if text(e) == w.Value {
					return true, Note{}
				}
			}
			return false, note(fmt.Sprintf("%s has no %s", w.Path, w.Value), "check.hasNo", "path", w.Path, "want", w.Value)
		}
		return strings.Contains(got, w.Value), note(fmt.Sprintf("%s (%s) does not contain %s", w.Path, got, w.Value), "check.lacks",
			"path", w.Path, "got", got, "want", w.Value)
	}
	return false, note("unknown operator "+w.Op, "check.unknownOperator", "op", w.Op)
}
