package lessons

// Loading. Lessons ship inside the binary (the *.yaml files next to this
// one) and a teacher may add their own with --lessons-dir: same format, and a
// lesson with the same id replaces the built-in one. A lesson that does not
// follow the format stops the server at start, with an error that names the
// file, the line and the problem — a teacher should learn of a typo before
// the class does, not in the middle of it.
//
// Two passes over each file: a strict decode (go.yaml.in/yaml/v3 with
// KnownFields) catches misspelt fields and wrong types with their lines; a
// walk over the YAML nodes checks what the types cannot say (both
// languages present, a known component, one kind per check, a recap last).

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

//go:embed *.yaml
var embedded embed.FS

// Catalog is the lessons on offer, in order.
type Catalog struct {
	list []*Lesson
	byID map[string]*Lesson
}

// Lessons returns the lessons in order.
func (c *Catalog) Lessons() []*Lesson { return c.list }

// Get finds a lesson by id.
func (c *Catalog) Get(id string) (*Lesson, bool) {
	l, ok := c.byID[id]
	return l, ok
}

// Embedded returns the built-in lessons.
func Embedded() (*Catalog, error) { return Load("") }

// Load returns the built-in lessons plus those in dir (when dir is not
// empty); a lesson in dir replaces the built-in one with the same id.
func Load(dir string) (*Catalog, error) {
	c := &Catalog{byID: map[string]*Lesson{}}
	if err := c.addFS(embedded, ".", "embedded:"); err != nil {
		return nil, err
	}
	if dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("lessons directory: %w", err)
		}
		if err := c.addFS(os.DirFS(dir), ".", dir+string(filepath.Separator)); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Catalog) addFS(fsys fs.FS, dir, prefix string) error {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return err
	}
	sort.Strings(names)
	var errs []error
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		l, err := Parse(prefix+name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.add(l)
	}
	return errors.Join(errs...)
}

func (c *Catalog) add(l *Lesson) {
	if old, ok := c.byID[l.ID]; ok {
		for i, x := range c.list {
			if x == old {
				c.list[i] = l
			}
		}
	} else {
		c.list = append(c.list, l)
	}
	c.byID[l.ID] = l
}

// Parse reads one lesson file; file names it in errors.
func Parse(file string, data []byte) (*Lesson, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%s:1: the file is empty", file)
	}
	v := &validator{file: file}
	v.lessonNode(root.Content[0])
	if len(v.errs) > 0 {
		return nil, errors.Join(v.errs...)
	}
	var l Lesson
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("%s: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	l.Source = file
	return &l, nil
}

// validator walks a lesson's YAML nodes and collects problems with their lines.
type validator struct {
	file string
	errs []error
}

func (v *validator) errorf(n *yaml.Node, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s:%d: %s", v.file, n.Line, fmt.Sprintf(format, args...)))
}

// field returns the value of key in mapping n (nil when absent).
func field(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// keys returns the keys of mapping n, each with its node.
func keys(n *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	if n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			out = append(out, n.Content[i])
		}
	}
	return out
}

var lessonID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func (v *validator) lessonNode(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		v.errorf(n, "a lesson is a mapping with id, title, summary and steps")
		return
	}
	id := field(n, "id")
	if id == nil || !lessonID.MatchString(id.Value) {
		v.errorf(orNode(id, n), "the lesson needs an id of lowercase letters, digits and dashes")
	}
	v.text(n, "title", true)
	v.text(n, "summary", true)
	v.reset(field(n, "reset"))
	steps := field(n, "steps")
	if steps == nil || steps.Kind != yaml.SequenceNode || len(steps.Content) == 0 {
		v.errorf(orNode(steps, n), "the lesson needs a list of steps")
		return
	}
	seen := map[string]int{}
	for i, s := range steps.Content {
		v.step(s, i == len(steps.Content)-1, seen)
	}
}

func orNode(n, parent *yaml.Node) *yaml.Node {
	if n != nil {
		return n
	}
	return parent
}

// text checks that parent.key has non-empty en and zh-TW.
func (v *validator) text(parent *yaml.Node, key string, required bool) {
	t := field(parent, key)
	if t == nil {
		if required {
			v.errorf(parent, "%s is missing (it needs en and zh-TW)", key)
		}
		return
	}
	for _, lang := range []string{"en", "zh-TW"} {
		if s := field(t, lang); s == nil || strings.TrimSpace(s.Value) == "" {
			v.errorf(t, "%s has no %s text", key, lang)
		}
	}
}

func (v *validator) step(n *yaml.Node, last bool, seen map[string]int) {
	if n.Kind != yaml.MappingNode {
		v.errorf(n, "a step is a mapping with id, text and check")
		return
	}
	id := field(n, "id")
	switch {
	case id == nil || id.Value == "":
		v.errorf(n, "the step needs an id")
	case seen[id.Value] > 0:
		v.errorf(id, "duplicate step id %q (first at line %d)", id.Value, seen[id.Value])
	default:
		seen[id.Value] = id.Line
	}
	v.text(n, "text", true)
	v.text(n, "hint", false)
	recap := field(n, "recap") != nil && field(n, "recap").Value == "true"
	if recap {
		v.text(n, "question", true)
	}
	if last && !recap {
		v.errorf(n, "the last step must be a recap (recap: true) with a question")
	}
	if acts := field(n, "actions"); acts != nil {
		for _, a := range acts.Content {
			v.action(a)
		}
	}
	check := field(n, "check")
	if check == nil {
		v.errorf(n, "the step needs a check (only a recap may say none: true)")
	} else {
		v.check(check, recap)
	}
	if code := field(n, "code"); code != nil {
		for _, c := range code.Content {
			for _, k := range []string{"package", "function"} {
				if f := field(c, k); f == nil || f.Value == "" {
					v.errorf(c, "a code pointer needs a %s", k)
				}
			}
		}
	}
}
