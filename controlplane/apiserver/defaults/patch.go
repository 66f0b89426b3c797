// What did defaulting change? DefaultWithPatch answers with an RFC 6902 JSON
// patch, the same format a mutating admission webhook returns, so learners
// can read "admission added /spec/replicas" line by line.
//
// No JSON-patch generator is in go.mod (gomodules.xyz/jsonpatch is not pulled
// in), so the patch is computed by the small diff below. A JSON merge patch
// would be shorter to produce but replaces whole lists, hiding which field
// inside a container was filled in.
package defaults

import (
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
)

// Operation is one RFC 6902 operation ("add", "replace" or "remove").
type Operation struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// DefaultWithPatch applies Default to obj and returns the RFC 6902 JSON patch
// that turns the object as submitted into the defaulted object.
func DefaultWithPatch(obj runtime.Object) ([]byte, error) {
	before, err := toJSONValue(obj)
	if err != nil {
		return nil, err
	}
	Default(obj)
	after, err := toJSONValue(obj)
	if err != nil {
		return nil, err
	}
	return json.Marshal(diff("", before, after, []Operation{}))
}

func toJSONValue(obj runtime.Object) (any, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var v any
	err = json.Unmarshal(raw, &v)
	return v, err
}

// diff appends the operations turning a into b, at the JSON pointer path.
func diff(path string, a, b any, ops []Operation) []Operation {
	switch {
	case reflect.DeepEqual(a, b):
		return ops
	case isMap(a) && isMap(b):
		return diffObjects(path, a.(map[string]any), b.(map[string]any), ops)
	case isList(a) && isList(b) && len(a.([]any)) == len(b.([]any)):
		for i := range a.([]any) {
			ops = diff(path+"/"+strconv.Itoa(i), a.([]any)[i], b.([]any)[i], ops)
		}
		return ops
	}
	return append(ops, Operation{Op: "replace", Path: path, Value: b})
}

func diffObjects(path string, a, b map[string]any, ops []Operation) []Operation {
	for _, k := range sortedKeys(a) {
		if _, ok := b[k]; !ok {
			ops = append(ops, Operation{Op: "remove", Path: path + "/" + escape(k)})
		}
	}
	for _, k := range sortedKeys(b) {
		if old, ok := a[k]; ok {
			ops = diff(path+"/"+escape(k), old, b[k], ops)
		} else {
			ops = append(ops, Operation{Op: "add", Path: path + "/" + escape(k), Value: b[k]})
		}
	}
	return ops
}

func isMap(v any) bool  { _, ok := v.(map[string]any); return ok }
func isList(v any) bool { _, ok := v.([]any); return ok }

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// escape encodes a key for a JSON pointer (RFC 6901): "~" → "~0", "/" → "~1".
func escape(key string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
}
