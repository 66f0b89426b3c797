package lessons_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/glassplane/glassplane/lessons"
)

const goodLesson = `id: tiny
title: {en: Tiny, zh-TW: 小}
summary: {en: A tiny lesson, zh-TW: 一堂小課}
steps:
  - id: make
    text: {en: Make a ConfigMap., zh-TW: 建立一個 ConfigMap。}
    actions:
      - kubectl: [create, configmap, tiny]
    check:
      object: {apiVersion: v1, kind: ConfigMap, name: tiny}
  - id: recap
    recap: true
    text: {en: Done., zh-TW: 完成。}
    question: {en: "Why?", zh-TW: "為什麼?"}
    check: {none: true}
`

func TestLoaderRefusesMalformedLessonsNamingFileLineAndProblem(t *testing.T) {
	cases := []struct {
		name, old, new string
		line           int
		problem        string
	}{
		{"unknown field", "    recap: true\n", "    recap: true\n    recpa: true\n", 13, "field recpa not found"},
		{"missing zh-TW", "{en: Make a ConfigMap., zh-TW: 建立一個 ConfigMap。}", "{en: Make a ConfigMap.}", 6, "text has no zh-TW text"},
		{"unknown check kind", "      object: {apiVersion: v1, kind: ConfigMap, name: tiny}", "      obejct: {apiVersion: v1}", 10, `unknown check kind "obejct"`},
		{"unknown action kind", "      - kubectl: [create, configmap, tiny]", "      - kubeclt: [create, configmap, tiny]", 8, `unknown action kind "kubeclt"`},
		{"unknown component", "      - kubectl: [create, configmap, tiny]", "      - stop: kubelet/node-9", 8, `unknown component "kubelet/node-9"`},
		{"duplicate step ids", "  - id: recap", "  - id: make", 11, `duplicate step id "make" (first at line 5)`},
		{"recap without question", "    question: {en: \"Why?\", zh-TW: \"為什麼?\"}\n", "", 11, "question is missing"},
		{"none outside a recap", "      object: {apiVersion: v1, kind: ConfigMap, name: tiny}", "      none: true", 10, "none: true is only allowed on a recap step"},
		{"code pointer without function", "    check:\n      object", "    code: [{package: controlplane/scheduler}]\n    check:\n      object", 9, "a code pointer needs a function"},
		{"bad count", "name: tiny}", "name: tiny, count: lots}", 10, `bad count "lots"`},
		{"reset that waits for a step", "steps:\n", "reset:\n  - nextUntilPassed: true\nsteps:\n", 5, "a reset cannot nextUntilPassed"},
		{"reset in the background", "steps:\n", "reset:\n  - {kubectl: [delete, cm, tiny], background: true}\nsteps:\n", 5, "background is not allowed"},
		{"delete without a kind", "steps:\n", "reset:\n  - delete: {apiVersion: v1, name: tiny}\nsteps:\n", 5, "the delete needs kind"},
		{"delete by name and selector", "steps:\n", "reset:\n  - delete: {apiVersion: v1, kind: ConfigMap, name: tiny, selector: a=b}\nsteps:\n", 5, "a name or a selector, not both"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(goodLesson, tc.old, tc.new, 1)
			if src == goodLesson {
				t.Fatalf("the case did not change the lesson")
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte(src), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := lessons.Load(dir)
			if err == nil {
				t.Fatalf("a malformed lesson loaded")
			}
			msg := err.Error()
			where := filepath.Join(dir, "broken.yaml") + ":"
			if !strings.Contains(msg, where) || !strings.Contains(msg, tc.problem) {
				t.Fatalf("the error %q does not name the file and the problem %q", msg, tc.problem)
			}
			if !strings.Contains(msg, "broken.yaml:"+strconv.Itoa(tc.line)+":") && !strings.Contains(msg, "line "+strconv.Itoa(tc.line)+":") {
				t.Errorf("the error %q does not name line %d", msg, tc.line)
			}
		})
	}
}

func TestTeacherLessonsAddToAndReplaceTheBuiltInOnes(t *testing.T) {
	dir := t.TempDir()
	replaced := strings.Replace(goodLesson, "id: tiny", "id: scheduler", 1)
	for name, src := range map[string]string{"mine.yaml": goodLesson, "scheduler.yaml": replaced} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	builtIn, err := lessons.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := lessons.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Lessons()) != len(builtIn.Lessons())+1 {
		t.Errorf("%d lessons, want the %d built-in ones plus one", len(cat.Lessons()), len(builtIn.Lessons()))
	}
	if l, _ := cat.Get("scheduler"); l.Title.En != "Tiny" {
		t.Errorf("the teacher's scheduler lesson did not replace the built-in one")
	}
	if _, ok := cat.Get("tiny"); !ok {
		t.Errorf("the teacher's own lesson is missing")
	}
}

func TestBuiltInLessonsAreTenAndEndWithARecapQuestion(t *testing.T) {
	cat, err := lessons.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(cat.Lessons()); n < 10 {
		t.Errorf("%d built-in lessons, want at least 10", n)
	}
	for _, l := range cat.Lessons() {
		last := l.Steps[len(l.Steps)-1]
		if !last.Recap || last.Question == nil || last.Question.En == "" || last.Question.ZhTW == "" {
			t.Errorf("lesson %s does not end with a recap question", l.ID)
		}
	}
}

// TestCodePointersNameFunctionsThatExist reads the source tree: every "read
// the code" pointer must land on a real function or method.
func TestCodePointersNameFunctionsThatExist(t *testing.T) {
	cat, err := lessons.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	funcs := map[string]map[string]bool{} // package → declared names
	n := 0
	for _, l := range cat.Lessons() {
		for _, s := range l.Steps {
			for _, c := range s.Code {
				n++
				if funcs[c.Package] == nil {
					funcs[c.Package] = declaredFuncs(t, filepath.Join("..", c.Package))
				}
				if !funcs[c.Package][c.Function] {
					t.Errorf("lesson %s step %s points at %s %s, which does not exist", l.ID, s.ID, c.Package, c.Function)
				}
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d code pointers in all lessons", n)
	}
}

// declaredFuncs lists a package's functions as "f", "(T).m" and "(*T).m".
func declaredFuncs(t *testing.T, dir string) map[string]bool {
	t.Helper()
	pkgs, err := parser.ParseDir(token.NewFileSet(), dir, func(fi os.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatalf("reading %s: %v", dir, err)
	}
	out := map[string]bool{}
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok {
					continue
				}
				if fd.Recv == nil {
					out[fd.Name.Name] = true
					continue
				}
				switch r := fd.Recv.List[0].Type.(type) {
				case *ast.StarExpr:
					if id, ok := r.X.(*ast.Ident); ok {
						out["(*"+id.Name+")."+fd.Name.Name] = true
					}
				case *ast.Ident:
					out["("+r.Name+")."+fd.Name.Name] = true
				}
			}
		}
	}
	return out
}
