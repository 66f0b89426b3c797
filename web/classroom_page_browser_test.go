package web_test

// The page's side of a class, in a real Chromium, against a stand-in for
// the classroom's answer: a proxy in front of a whole local Glassplane that
// answers GET /glassplane/v1/classroom as a test says, serves a second
// sandbox name ("teacher") from the same cluster, and refuses writes to it
// as a classroom server does. The page follows the teacher's sandbox
// read-only under a banner and comes back, opens a pushed lesson step, and
// shows a teacher a student's sandbox read-only.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// classroomStandIn is the proxy: what it answers for the classroom, and the
// sandboxes whose streams the page opened, in order.
type classroomStandIn struct {
	URL string

	mu      sync.Mutex
	answer  map[string]any
	answers int // classroom requests answered
	streams []string
}

func newClassroomStandIn(t *testing.T, g *glassplane) *classroomStandIn {
	t.Helper()
	target, _ := url.Parse(g.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	c := &classroomStandIn{answer: map[string]any{"follow": "", "lesson": nil, "teacher": false, "classroom": true, "sandbox": "default"}}
	const teacher = "/glassplane/v1/sandboxes/teacher/"
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/glassplane/v1/classroom" {
			c.mu.Lock()
			body, _ := json.Marshal(c.answer)
			c.answers++
			c.mu.Unlock()
			rw.Header().Set("Content-Type", "application/json")
			_, _ = rw.Write(body)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/stream") {
			c.mu.Lock()
			c.streams = append(c.streams, strings.Split(strings.TrimPrefix(r.URL.Path, "/glassplane/v1/sandboxes/"), "/")[0])
			c.mu.Unlock()
		}
		if strings.HasPrefix(r.URL.Path, teacher) {
			if r.Method != http.MethodGet {
				http.Error(rw, `{"kind":"Status","code":403,"message":"the teacher's sandbox is read-only"}`, http.StatusForbidden)
				return
			}
			r.URL.Path = "/glassplane/v1/sandboxes/default/" + strings.TrimPrefix(r.URL.Path, teacher)
		}
		proxy.ServeHTTP(rw, r)
	}))
	t.Cleanup(srv.Close)
	c.URL = srv.URL + "/"
	return c
}

func (c *classroomStandIn) set(key string, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.answer[key] = v
}

func (c *classroomStandIn) asked() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.answers
}

func (c *classroomStandIn) streamsOpened() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.streams)
}

// writeControls lists the controls that would write to the sandbox shown
// and are on screen.
const writeControls = `["#tab-playground", "#tab-terminal", "#mode-step", "#next", ".playground button.primary", "input.term-in"]
	.filter((css) => { const e = document.querySelector(css); return e && e.checkVisibility(); }).join(" ")`

func TestAStudentsPageFollowsTheTeachersSandboxReadOnlyAndComesBack(t *testing.T) {
	g := startGlassplane(t)
	room := newClassroomStandIn(t, g)
	b := newBrowser(t, 1280, 720)
	b.open(room.URL)
	eval[bool](b, `(document.querySelector("#narration .intro button")?.click(), true)`)
	b.waitFor("the student's own page offers every control", writeControls+` === "#tab-playground #tab-terminal #mode-step #next .playground button.primary"`, 10*time.Second)
	if !eval[bool](b, `document.getElementById("classroom-banner").hidden`) {
		t.Errorf("a banner shows while the page shows its own sandbox: %q", b.text("#classroom-banner"))
	}

	room.set("follow", "teacher")
	b.waitFor("the page follows the teacher under the banner", `!document.getElementById("classroom-banner").hidden &&
		document.querySelector("#classroom-banner strong").textContent === "Following your teacher's cluster"`, 10*time.Second)
	b.waitFor("no control writes", writeControls+` === ""`, 5*time.Second)
	b.waitFor("the teacher's cluster is drawn", `document.querySelector("#conn.conn-open") !== null && document.querySelector('#diagram [data-part^="kubelet/"]') !== null`, 20*time.Second)
	if s := room.streamsOpened(); len(s) < 2 || s[len(s)-1] != "teacher" {
		t.Fatalf("the page's streams: %v, want the teacher's last", s)
	}
	// A part of the teacher's cluster opens in the inspector without its stop or pause buttons.
	eval[bool](b, `(document.querySelector('#diagram [data-part^="kubelet/"]').dispatchEvent(new MouseEvent("click", { bubbles: true })), true)`)
	b.waitFor("the kubelet opens in the inspector, with nothing to press", `!document.querySelector("#panel-inspector").hidden &&
		document.querySelector("#panel-inspector .part-view") !== null && document.querySelector("#panel-inspector .part-view .actions") === null`, 5*time.Second)
	b.click("#tab-story")
	b.set("en", "dark")
	b.snap("classroom-following")
	b.set("zh-TW", "dark")
	b.waitFor("the banner in Chinese", `document.querySelector("#classroom-banner strong").textContent === "正在跟隨老師的叢集"`, 5*time.Second)
	b.snap("classroom-following")
	b.set("en", "dark")

	room.set("follow", "")
	b.waitFor("the page comes back to its own sandbox with every control", `document.getElementById("classroom-banner").hidden && `+
		writeControls+` !== ""`, 10*time.Second)
	b.waitFor("its own stream connects", `document.querySelector("#conn.conn-open") !== null`, 20*time.Second)
	if s := room.streamsOpened(); s[len(s)-1] != "default" {
		t.Fatalf("the page's streams: %v, want its own last", s)
	}
	// Following its own sandbox is no following.
	room.set("follow", "default")
	asked := room.asked()
	eventually(t, 10*time.Second, "the page asks twice more", func() (bool, string) { return room.asked() >= asked+2, fmt.Sprint(room.asked()) })
	if !eval[bool](b, `document.getElementById("classroom-banner").hidden`) {
		t.Errorf("following the page's own sandbox shows the banner")
	}
	b.noExceptions()
}

func TestAPushedLessonStepOpensInTheLessonPanelOncePerPush(t *testing.T) {
	l := lessonOne(t)
	g := startGlassplane(t)
	room := newClassroomStandIn(t, g)
	b := newBrowser(t, 1280, 720)
	b.open(room.URL)
	room.set("lesson", map[string]any{"lesson": "kubectl-create", "step": 2, "at": "2026-12-06T12:00:00Z"})
	want := strings.Join(strings.Fields(l.Steps[2].Text.En), " ")
	b.waitFor("the pushed step opens", fmt.Sprintf(`document.querySelector("#tab-lessons").getAttribute("aria-selected") === "true" && %s === %s`, lessonText, jsString(want)), 10*time.Second)
	b.snap("classroom-pushed-step")
	// The student moves on; the same push does not pull them back, a new one does.
	b.click(`[data-testid="lesson-next"]`)
	next := strings.Join(strings.Fields(l.Steps[3].Text.En), " ")
	b.waitFor("the student is on the next step", fmt.Sprintf(`%s === %s`, lessonText, jsString(next)), 5*time.Second)
	asked := room.asked()
	eventually(t, 10*time.Second, "the page asks twice more", func() (bool, string) { return room.asked() >= asked+2, fmt.Sprint(room.asked()) })
	if got := eval[string](b, lessonText); got != next {
		t.Fatalf("the same push pulled the student back: %q", got)
	}
	room.set("lesson", map[string]any{"lesson": "kubectl-create", "step": 2, "at": "2026-12-06T12:05:00Z"})
	b.waitFor("pushed again, the step opens again", fmt.Sprintf(`%s === %s`, lessonText, jsString(want)), 10*time.Second)
	b.noExceptions()
}

func TestATeacherSeesAStudentsSandboxReadOnly(t *testing.T) {
	g := startGlassplane(t)
	room := newClassroomStandIn(t, g)
	room.set("teacher", true)
	room.set("sandbox", "teachers-own")
	room.set("follow", "teachers-own")
	b := newBrowser(t, 1280, 720)
	b.open(room.URL + "?sandbox=default")
	b.waitFor("the page says it views the student's sandbox read-only", `!document.getElementById("classroom-banner").hidden &&
		document.querySelector("#classroom-banner strong").textContent === "Viewing default read-only"`, 10*time.Second)
	b.waitFor("no control writes", writeControls+` === ""`, 5*time.Second)
	if s := room.streamsOpened(); slices.Contains(s, "teachers-own") {
		t.Errorf("the teacher's page followed the class's followed sandbox: %v", s)
	}
	b.snap("classroom-teacher-viewing")
	b.noExceptions()
}
