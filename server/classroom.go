package server

// The class, as the teacher runs it. Beside the students' sandboxes a
// classroom server keeps a little state of its own, in memory:
//
//   - who is a teacher (the tokens of teacher sessions, teacher.go) and
//     which sandbox is the teacher's own;
//   - "follow me": a sandbox every student's page shows, read-only, instead
//     of their own, until the teacher releases it;
//   - the lesson step the teacher last pushed to everyone.
//
// The roster is not kept: it is read when asked for, from the sandboxes
// (name, when they joined, their last use), the lesson engine (which lesson
// and step, since when) and each cluster's recorder (a person's requests and
// how many were refused), so it can never disagree with them.
//
// Reading is wider than writing. A student's session writes only to its own
// sandbox. It may also read the sandbox the class follows; a teacher may
// read every sandbox. Reading means the routes in viewRoutes, no more: a
// kubeconfig, for one, is a credential and is never shown to a viewer.
//
//	GET  /glassplane/v1/classroom                   the page's view of the class (any session)
//	GET  /glassplane/v1/classroom/roster            teacher: every sandbox, its lesson and health
//	GET  /glassplane/v1/classroom/roster.csv        teacher: the same, to keep
//	PUT  /glassplane/v1/classroom/follow            teacher: {"sandbox": ID}, or "" to release
//	PUT  /glassplane/v1/classroom/lesson            teacher: {"lesson": ID, "step": N} for everyone
//	POST /glassplane/v1/classroom/sandboxes/{id}/reset   teacher: a fresh sandbox for that student
//
// The teacher's page (/teacher) posts the same handlers as forms; a form
// gets a redirect back to the page, a script gets JSON.

import (
	"context"
	"crypto/subtle"
	"encoding/csv"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/glassplane/glassplane/lessons"
)

// StuckAfter is how long a student may stay on one lesson step before the
// roster says they are stuck.
const StuckAfter = 5 * time.Minute

// classroom is the class's own state.
type classroom struct {
	mu       sync.Mutex // guards the fields below
	teachers []string   // tokens of teacher sessions
	teacher  string     // the teacher's own sandbox
	follow   string     // the sandbox every student's page shows; "" none
	lesson   *PushedLesson
}

// PushedLesson is the lesson step the teacher last sent to everyone.
type PushedLesson struct {
	Lesson string    `json:"lesson"`
	Step   int       `json:"step"`
	At     time.Time `json:"at"`
}

func (cl *classroom) newTeacherToken() string {
	t := newSecret()
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if len(cl.teachers) >= 20 {
		cl.teachers = cl.teachers[1:] // the oldest session ends
	}
	cl.teachers = append(cl.teachers, t)
	return t
}

func (cl *classroom) isTeacherToken(token string) bool {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	found := 0
	for _, t := range cl.teachers {
		found |= subtle.ConstantTimeCompare([]byte(t), []byte(token))
	}
	return token != "" && found == 1
}

// teacherSandbox returns the teacher's own sandbox, creating it the first time.
func (cl *classroom) teacherSandbox(ctx context.Context, s *Sandboxes) (*Sandbox, error) {
	cl.mu.Lock()
	id := cl.teacher
	cl.mu.Unlock()
	if sb, ok := s.Get(id); ok {
		return sb, nil
	}
	sb, err := s.CreateNamed(ctx, "Teacher")
	if err != nil {
		return nil, err
	}
	cl.mu.Lock()
	cl.teacher = sb.ID
	cl.mu.Unlock()
	return sb, nil
}

func (cl *classroom) following() string {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return cl.follow
}

// viewRoutes are the routes a viewer (a teacher, or a student following
// another sandbox) may use on a sandbox not their own.
var viewRoutes = map[string]bool{
	"/stream": true, "/steps": true, "/traces": true, "/traces/:trace": true,
	"/pacer": true, "/components": true, "/etcd": true,
	"/lessons/:lesson/progress": true, // where the student is, as their page asks
}

// mayView reports whether the request may read sandbox id without its
// token: a GET of a view route, by a teacher, or by a student while the
// class follows id.
func (w *Web) mayView(c echo.Context, id string) bool {
	r := c.Request()
	if r.Method != http.MethodGet || !viewRoutes[strings.TrimPrefix(c.Path(), "/glassplane/v1/sandboxes/:id")] {
		return false
	}
	return w.isViewer(r, id)
}

// isViewer reports whether r comes from a teacher, or from a student while
// the class follows sandbox id.
func (w *Web) isViewer(r *http.Request, id string) bool {
	if w.local || id == "" {
		return false
	}
	if w.isTeacher(r) {
		return true
	}
	_, isStudent := w.sessionSandbox(r)
	return isStudent && w.class.following() == id
}

func (w *Web) classroomRoutes(g *echo.Group) {
	g.GET("/classroom", w.classView)
	t := g.Group("/classroom", w.requireTeacher)
	t.GET("/roster", w.rosterJSON)
	t.GET("/roster.csv", w.rosterCSV)
	t.PUT("/follow", w.setFollow)
	t.POST("/follow", w.setFollow)
	t.PUT("/lesson", w.pushLesson)
	t.POST("/lesson", w.pushLesson)
	t.POST("/sandboxes/:id/reset", w.resetSandbox)
}

// ClassView is what a page learns of its class.
type ClassView struct {
	Classroom bool          `json:"classroom"`
	Teacher   bool          `json:"teacher"`
	Sandbox   string        `json:"sandbox"` // the session's own sandbox ("" without one)
	Follow    string        `json:"follow"`
	Lesson    *PushedLesson `json:"lesson"`
}

func (w *Web) classView(c echo.Context) error {
	v := ClassView{Classroom: !w.local}
	r := c.Request()
	if sb, ok := w.sessionSandbox(r); ok {
		v.Sandbox = sb.ID
	} else if w.local {
		v.Sandbox = "default"
	}
	if !w.local {
		v.Teacher = w.isTeacher(r)
		w.class.mu.Lock()
		v.Follow, v.Lesson = w.class.follow, w.class.lesson
		w.class.mu.Unlock()
	}
	return c.JSON(http.StatusOK, v)
}

// RosterEntry is one sandbox on the teacher's roster.
type RosterEntry struct {
	Sandbox      string            `json:"sandbox"`
	Name         string            `json:"name"`
	Teacher      bool              `json:"teacher"`
	Joined       time.Time         `json:"joined"`
	LastActivity time.Time         `json:"lastActivity"`
	Requests     int               `json:"requests"` // a person's requests to its Kubernetes API
	Errors       int               `json:"errors"`   // of those, refused
	Lesson       *lessons.Position `json:"lesson,omitempty"`
	Stuck        bool              `json:"stuck"` // on one step for StuckAfter or more
}

// roster lists the class's sandboxes, the teacher's first, then by name.
func (w *Web) roster() []RosterEntry {
	w.class.mu.Lock()
	teacher := w.class.teacher
	w.class.mu.Unlock()
	now := time.Now()
	var out []RosterEntry
	for _, sb := range w.sandboxes.All() {
		if sb.lease == 0 {
			continue // the local cluster is nobody's
		}
		a := sb.Cluster.Steps.Activity()
		e := RosterEntry{Sandbox: sb.ID, Name: sb.Name, Teacher: sb.ID == teacher, Joined: sb.Joined,
			LastActivity: sb.LastActivity(), Requests: a.Requests, Errors: a.Refused}
		if p, ok := w.lessons.Position(sb.ID); ok {
			e.Lesson = &p
			e.Stuck = !p.Done && now.Sub(p.StepAt) >= StuckAfter
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Teacher != out[j].Teacher {
			return out[i].Teacher
		}
		return strings.ToLower(out[i].Name)+out[i].Sandbox < strings.ToLower(out[j].Name)+out[j].Sandbox
	})
	return out
}

func (w *Web) rosterJSON(c echo.Context) error {
	return c.JSON(http.StatusOK, w.roster())
}

// rosterCSV is the class's progress to keep: one row per sandbox.
func (w *Web) rosterCSV(c echo.Context) error {
	rw := c.Response()
	rw.Header().Set("Content-Type", "text/csv; charset=utf-8")
	rw.Header().Set("Content-Disposition", `attachment; filename="glassplane-class-`+time.Now().Format("2006-01-02")+`.csv"`)
	rw.WriteHeader(http.StatusOK)
	out := csv.NewWriter(rw)
	_ = out.Write([]string{"name", "sandbox", "lesson", "step", "steps", "done", "stuck", "requests", "errors", "joined", "last_activity"})
	for _, e := range w.roster() {
		lesson, step, steps, done := "", "", "", ""
		if e.Lesson != nil {
			lesson, step, steps, done = e.Lesson.Lesson, strconv.Itoa(e.Lesson.Step+1), strconv.Itoa(e.Lesson.Steps), strconv.FormatBool(e.Lesson.Done)
		}
		_ = out.Write([]string{csvSafe(e.Name), e.Sandbox, lesson, step, steps, done, strconv.FormatBool(e.Stuck),
			strconv.Itoa(e.Requests), strconv.Itoa(e.Errors), e.Joined.UTC().Format(time.RFC3339), e.LastActivity.UTC().Format(time.RFC3339)})
	}
	out.Flush()
	return out.Error()
}

// csvSafe keeps a student's name from being read as a formula by a
// spreadsheet that opens the export.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// answered ends a teacher's action: a form goes back to the teacher's
// page, a script gets v as JSON.
func answered(c echo.Context, v any) error {
	if strings.HasPrefix(c.Request().Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return c.Redirect(http.StatusSeeOther, "/teacher")
	}
	return c.JSON(http.StatusOK, v)
}

func (w *Web) setFollow(c echo.Context) error {
	var body struct {
		Sandbox string `json:"sandbox" form:"sandbox"`
	}
	if err := c.Bind(&body); err != nil {
		return fail(c, http.StatusBadRequest, `the body must be {"sandbox": "ID"} or {"sandbox": ""}`)
	}
	if body.Sandbox != "" {
		if _, ok := w.sandboxes.Get(body.Sandbox); !ok {
			return fail(c, http.StatusNotFound, fmt.Sprintf("there is no sandbox %q", body.Sandbox))
		}
	}
	w.class.mu.Lock()
	w.class.follow = body.Sandbox
	w.class.mu.Unlock()
	return answered(c, map[string]string{"follow": body.Sandbox})
}

// pushLesson starts the lesson at the step in every student's sandbox and
// tells their pages to open it.
func (w *Web) pushLesson(c echo.Context) error {
	var body struct {
		Lesson string `json:"lesson" form:"lesson"`
		Step   int    `json:"step" form:"step"`
		Number int    `form:"number"` // the teacher's page counts steps from 1
	}
	if err := c.Bind(&body); err != nil {
		return fail(c, http.StatusBadRequest, `the body must be {"lesson": "ID", "step": N}`)
	}
	if body.Number > 0 {
		body.Step = body.Number - 1
	}
	l, ok := w.lessons.Catalog().Get(body.Lesson)
	if !ok {
		return fail(c, http.StatusNotFound, fmt.Sprintf("there is no lesson %q", body.Lesson))
	}
	if body.Step < 0 || body.Step >= len(l.Steps) {
		return fail(c, http.StatusBadRequest, fmt.Sprintf("lesson %s has steps 0 to %d", l.ID, len(l.Steps)-1))
	}
	for _, sb := range w.sandboxes.All() {
		if sb.lease != 0 {
			_, _ = w.lessons.Start(w.lessonSandbox(sb), l.ID, body.Step)
		}
	}
	p := &PushedLesson{Lesson: body.Lesson, Step: body.Step, At: time.Now()}
	w.class.mu.Lock()
	w.class.lesson = p
	w.class.mu.Unlock()
	return answered(c, p)
}

// resetSandbox gives a student a fresh sandbox under the same session.
func (w *Web) resetSandbox(c echo.Context) error {
	id := c.Param("id")
	sb, err := w.sandboxes.Reset(c.Request().Context(), id)
	if err != nil {
		return fail(c, http.StatusNotFound, err.Error())
	}
	w.class.mu.Lock()
	if w.class.follow == id {
		w.class.follow = sb.ID
	}
	if w.class.teacher == id {
		w.class.teacher = sb.ID
	}
	w.class.mu.Unlock()
	return answered(c, map[string]string{"sandbox": sb.ID, "was": id})
}
