package server

import (
	"testing"

	"github.com/glassplane/glassplane/lessons"
)

// TestLessonKubectlActionsPassTheTerminalAllowList: "do it for me" runs
// kubectl through the terminal's runner, so every lesson's kubectl must be
// one the terminal allows — a lesson's reset included.
func TestLessonKubectlActionsPassTheTerminalAllowList(t *testing.T) {
	t.Parallel()
	cat, err := lessons.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range cat.Lessons() {
		steps := append([]lessons.Step{{ID: "reset", Actions: l.Reset}}, l.Steps...)
		for _, s := range steps {
			for _, a := range s.Actions {
				args := a.Kubectl
				if a.Apply != "" {
					args = []string{"apply", "-f", "-"}
				}
				if args == nil {
					continue
				}
				if err := checkKubectlArgs(args); err != nil {
					t.Errorf("lesson %s step %s: %v: %v", l.ID, s.ID, args, err)
				}
			}
		}
	}
}
