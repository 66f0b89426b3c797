package server_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/glassplane/glassplane/lessons"
	"github.com/glassplane/glassplane/server"
)

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return v
}

func TestLessonListAndLessonsArePublicInBothLanguages(t *testing.T) {
	t.Parallel()
	h := start(t)
	code, body := h.do("GET", "/glassplane/v1/lessons", "", nil)
	if code != http.StatusOK {
		t.Fatalf("GET /lessons: %d %s", code, body)
	}
	list := decode[[]server.LessonSummary](t, body)
	if len(list) < 10 || list[0].ID != "kubectl-create" || list[0].Steps < 5 || list[0].Title.ZhTW == "" {
		t.Errorf("the lesson list is not the ten lessons, first the seed's story: %s", body)
	}
	code, body = h.do("GET", "/glassplane/v1/lessons/who-are-you", "", nil)
	l := decode[lessons.Lesson](t, body)
	if code != http.StatusOK || len(l.Steps) < 3 || l.Steps[0].Text.En == "" || l.Steps[0].Text.ZhTW == "" {
		t.Errorf("GET a lesson: %d %s", code, body)
	}
	if code, _ := h.do("GET", "/glassplane/v1/lessons/no-such-lesson", "", nil); code != http.StatusNotFound {
		t.Errorf("an unknown lesson answered %d, want 404", code)
	}
}

func TestLessonProgressNeedsTheSandboxToken(t *testing.T) {
	t.Parallel()
	h := start(t)
	if code, _ := h.do("GET", "/glassplane/v1/sandboxes/default/lessons/who-are-you/progress", "wrong", nil); code != http.StatusUnauthorized {
		t.Errorf("progress with a wrong token answered %d, want 401", code)
	}
	if code, _ := h.do("POST", "/glassplane/v1/sandboxes/default/lessons/who-are-you/steps/0/do", "", nil); code != http.StatusUnauthorized {
		t.Errorf("do without a token answered %d, want 401", code)
	}
}

// TestLessonAdvancesWhenDoItForMeAndTheTerminalMakeTheCheckPass follows the
// first steps of the RBAC lesson through the app API: "do it for me" as
// admin, then a request as bob that is refused — and the engine moves on
// when the browser polls.
func TestLessonAdvancesWhenDoItForMeAndTheTerminalMakeTheCheckPass(t *testing.T) {
	t.Parallel()
	h := start(t)
	base := "/glassplane/v1/sandboxes/default/lessons/who-are-you"
	code, body := h.do("POST", base+"/start", h.token, nil)
	if p := decode[lessons.Progress](t, body); code != http.StatusOK || p.Step != 0 || len(p.Passed) != 0 {
		t.Fatalf("start: %d %s", code, body)
	}
	_, body = h.do("GET", base+"/progress", h.token, nil)
	if p := decode[lessons.Progress](t, body); p.Step != 0 || len(p.Checks) != 1 || p.Checks[0].Passed {
		t.Fatalf("the first step passed before anything was done: %s", body)
	}

	_, body = h.do("POST", base+"/steps/0/do", h.token, nil)
	if d := decode[server.DoResult](t, body); !d.OK || len(d.Results) != 1 || d.Results[0].Output == nil || d.Results[0].Output.ExitCode != 0 {
		t.Fatalf("do step 0: %s", body)
	}
	waitStep(t, h, base, 1)

	// Step 1 is bob's forbidden request: the action expects kubectl to fail.
	_, body = h.do("POST", base+"/steps/1/do", h.token, nil)
	d := decode[server.DoResult](t, body)
	if !d.OK || d.Results[0].Output == nil || d.Results[0].Output.ExitCode == 0 {
		t.Fatalf("bob's request was not refused: %s", body)
	}
	code, body = h.do("POST", base+"/steps/1/check", h.token, nil)
	if a := decode[server.CheckAnswer](t, body); code != http.StatusOK || !a.Passed || a.Progress.Step != 2 {
		t.Fatalf("check step 1: %d %s", code, body)
	}
	if code, _ := h.do("POST", base+"/steps/99/check", h.token, nil); code != http.StatusNotFound {
		t.Errorf("a step out of range answered %d, want 404", code)
	}
}

func waitStep(t *testing.T, h *harness, base string, want int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, body := h.do("GET", base+"/progress", h.token, nil)
		p := decode[lessons.Progress](t, body)
		if p.Step == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the learner never reached step %d: %s", want, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
