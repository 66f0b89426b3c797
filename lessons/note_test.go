package lessons

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every key a check's note names is in the browser's catalogue, so a
// learner reading 繁體中文 never gets the server's English instead.
func TestBuiltInCheckNotesHaveTheirKeysInTheBrowsersCatalogue(t *testing.T) {
	catalogue, err := os.ReadFile("../web/src/i18n/catalog.ts")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, m := range regexp.MustCompile(`"(check\.[\w.]+)":`).FindAllStringSubmatch(string(catalogue), -1) {
		known[m[1]] = true
	}
	sources, _ := filepath.Glob("*.go")
	used := 0
	for _, f := range sources {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`"(check\.[\w.]*)"`).FindAllStringSubmatch(string(src), -1) {
			key := m[1]
			used++
			if strings.HasSuffix(key, ".") { // a prefix completed at run time ("check.canI." + answer)
				found := false
				for k := range known {
					found = found || strings.HasPrefix(k, key)
				}
				if !found {
					t.Errorf("%s: no catalogue key starts with %q", f, key)
				}
			} else if !known[key] {
				t.Errorf("%s: the catalogue (web/src/i18n/catalog.ts) has no %q", f, key)
			}
		}
	}
	if used < 20 {
		t.Errorf("only %d note keys found in the checks", used)
	}
}

func TestBuiltInCheckNoteOfAFieldSaysItsPathAndValuesAndKeepsItsEnglish(t *testing.T) {
	obj := map[string]any{"status": map[string]any{"phase": "Pending"}}
	ok, n := matchWhere(obj, Where{Path: "status.phase", Op: "equals", Value: "Running"})
	if ok {
		t.Fatal("Pending equals Running")
	}
	if n.String() != "status.phase is Pending, not Running" {
		t.Errorf("English: %q", n.String())
	}
	if n.Key != "check.isNot" || n.Args["path"] != "status.phase" || n.Args["got"] != "Pending" || n.Args["want"] != "Running" {
		t.Errorf("note: %+v", n)
	}
	all := joined("check.any", "; or ", []Note{n, note("scheduler is stopped", "check.component.stopped", "component", "scheduler")})
	if all.String() != "status.phase is Pending, not Running; or scheduler is stopped" || len(all.Parts) != 2 {
		t.Errorf("joined: %q %+v", all.String(), all)
	}
}
