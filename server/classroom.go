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
	"slices"
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

// classroom is the class's own state. On a replica it is shared with the
// other replicas through etcd (classshare.go).
type classroom struct {
	mu    sync.Mutex // guards st
	st    classState
	share *classShare // nil unless replicated
}

// classState is what a class keeps beside its sandboxes.
type classState struct {
	Teachers []string      `json:"teachers,omitempty"` // tokens of teacher sessions
	Teacher  string        `json:"teacher,omitempty"`  // the teacher's own sandbox
	Follow   string        `json:"follow,omitempty"`   // the sandbox every student's page shows; "" none
	Lesson   *PushedLesson `json:"lesson,omitempty"`
}

// state returns the class's state as this server last knew it.
func (cl *classroom) state() classState {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return cl.st
}

// update changes the class's state with f: here, or on a replica in etcd
// first, so concurrent changes on other replicas are not lost.
func (cl *classroom) update(ctx context.Context, f func(*classState)) error {
	if cl.share != nil {
		st, err := cl.share.update(ctx, f)
		if err != nil {
			return err
		}
		cl.set(st)
		return nil
	}
	cl.mu.Lock()
	defer cl.mu.Unlock()
	st := cl.st
	st.Teachers = slices.Clone(st.Teachers)
	f(&st)
	cl.st = st
	return nil
}

func (cl *classroom) set(st classState) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	cl.st = st
}

// PushedLesson is the lesson step the teacher last sent to everyone.
type PushedLesson struct {
	Lesson string    `json:"lesson"`
	Step   int       `json:"step"`
	At     time.Time `json:"at"`
}

func (cl *classroom) newTeacherToken(ctx context.Context) (string, error) {
	t := newSecret()
	err := cl.update(ctx, func(st *classState) {
		if len(st.Teachers) >= 20 {
			st.Teachers = st.Teachers[1:] // the oldest session ends
		}
		st.Teachers = append(st.Teachers, t)
	})
	return t, err
}

func (cl *classroom) isTeacherToken(ctx context.Context, token string) bool {
	if token == "" {
		return false
	}
	if hasToken(cl.state().Teachers, token) {
		return true
	}
	// A session begun on another replica a moment ago may not have
	// reached this one's copy yet: etcd has it.
	if cl.share != nil {
		if st, err := cl.share.read(ctx); err == nil {
			return hasToken(st.Teachers, token)
		}
	}
	return false
}

func hasToken(tokens []string, token string) bool {
	found := 0
	for _, t := range tokens {
		found |= subtle.ConstantTimeCompare([]byte(t), []byte(token))
	}
	return found == 1
}

// teacherSandbox returns the teacher's own sandbox, creating it the first
// time (on a replica, it may run on another one).
func (cl *classroom) teacherSandbox(ctx context.Context, s *Sandboxes) (id, token string, err error) {
	if id := cl.state().Teacher; id != "" {
		if token, ok := s.tokenOf(id); ok {
			return id, token, nil
		}
	}
	sb, err := s.CreateNamed(ctx, "Teacher")
	if err != nil {
		return "", "", err
	}
	err = cl.update(ctx, func(st *classState) { st.Teacher = sb.ID })
	return sb.ID, sb.Token, err
}

func (cl *classroom) following() string {
	return cl.state().Follow
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
	if id, ok := w.sessionSandbox(r); ok {
		v.Sandbox = id
	} else if w.local {
		v.Sandbox = "default"
	}
	if !w.local {
		v.Teacher = w.isTeacher(r)
		st := w.class.state()
		v.Follow, v.Lesson = st.Follow, st.Lesson
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

// roster lists the class's sandboxes, the teacher's first, then by name:
// on a replica, those every replica runs (classshare.go).
func (w *Web) roster(ctx context.Context) []RosterEntry {
	out := w.localRoster()
	if w.sandboxes.replica != nil {
		out = w.sandboxes.wholeRoster(ctx, out)
	}
	sortRoster(out, w.class.state().Teacher)
	return out
}

// localRoster lists the sandboxes this server runs.
func (w *Web) localRoster() []RosterEntry {
	teacher := w.class.state().Teacher
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
	return out
}

func sortRoster(out []RosterEntry, teacher string) {
	for i := range out {
		out[i].Teacher = out[i].Sandbox == teacher
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Teacher != out[j].Teacher {
			return out[i].Teacher
		}
		return strings.ToLower(out[i].Name)+out[i].Sandbox < strings.ToLower(out[j].Name)+out[j].Sandbox
	})
}

func (w *Web) rosterJSON(c echo.Context) error {
	if c.QueryParam("here") != "" && w.sandboxes.replica != nil {
		return c.JSON(http.StatusOK, w.localRoster()) // another replica's part of its roster
	}
	return c.JSON(http.StatusOK, w.roster(c.Request().Context()))
}

// rosterCSV is the class's progress to keep: one row per sandbox.
func (w *Web) rosterCSV(c echo.Context) error {
	rw := c.Response()
	rw.Header().Set("Content-Type", "text/csv; charset=utf-8")
	rw.Header().Set("Content-Disposition", `attachment; filename="glassplane-class-`+time.Now().Format("2006-01-02")+`.csv"`)
	rw.WriteHeader(http.StatusOK)
	out := csv.NewWriter(rw)
	_ = out.Write([]string{"name", "sandbox", "lesson", "step", "steps", "done", "stuck", "requests", "errors", "joined", "last_activity"})
	for _, e := range w.roster(c.Request().Context()) {
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
		if _, ok := w.sandboxes.tokenOf(body.Sandbox); !ok {
			return fail(c, http.StatusNotFound, fmt.Sprintf("there is no sandbox %q", body.Sandbox))
		}
	}
	if err := w.class.update(c.Request().Context(), func(st *classState) { st.Follow = body.Sandbox }); err != nil {
		return fail(c, http.StatusServiceUnavailable, err.Error())
	}
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
	p := &PushedLesson{Lesson: body.Lesson, Step: body.Step, At: time.Now()}
	if err := w.class.update(c.Request().Context(), func(st *classState) { st.Lesson = p }); err != nil {
		return fail(c, http.StatusServiceUnavailable, err.Error())
	}
	if w.class.share == nil { // a replica starts it when its copy of the class changes (classshare.go)
		w.startPushed(p)
	}
	return answered(c, p)
}

// startPushed starts the pushed lesson at its step in every student's
// sandbox this server runs.
func (w *Web) startPushed(p *PushedLesson) {
	for _, sb := range w.sandboxes.All() {
		if sb.lease != 0 {
			_, _ = w.lessons.Start(w.lessonSandbox(sb), p.Lesson, p.Step)
		}
	}
}

// resetSandbox gives a student a fresh sandbox under the same session.
func (w *Web) resetSandbox(c echo.Context) error {
	id := c.Param("id")
	sb, err := w.sandboxes.Reset(c.Request().Context(), id)
	if err != nil {
		return fail(c, http.StatusNotFound, err.Error())
	}
	err = w.class.update(c.Request().Context(), func(st *classState) {
		if st.Follow == id {
			st.Follow = sb.ID
		}
		if st.Teacher == id {
			st.Teacher = sb.ID
		}
	})
	if err != nil {
		return fail(c, http.StatusServiceUnavailable, err.Error())
	}
	return answered(c, map[string]string{"sandbox": sb.ID, "was": id})
}
