package server

// Lessons in the app API. The list and the lessons themselves are public
// (both languages in one answer; the browser picks). Progress belongs to a
// sandbox and needs its token, like the rest of the sandbox's API.
//
//	GET  /lessons                                → [{id, title, summary, steps}]
//	GET  /lessons/{lesson}                       → the whole lesson
//	GET  /sandboxes/{id}/lessons/{lesson}/progress          evaluates the current step
//	POST /sandboxes/{id}/lessons/{lesson}/start             {"step": n} optional → progress
//	                                                        (at step 0 the lesson's reset runs first)
//	POST /sandboxes/{id}/lessons/{lesson}/steps/{n}/do      performs the step's actions
//	POST /sandboxes/{id}/lessons/{lesson}/steps/{n}/check   evaluates step n now
//
// The browser polls progress about every half second while a lesson is
// open; that poll is what moves the learner on when a step's check passes.

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/glassplane/glassplane/lessons"
)

// LessonSummary is one entry of the lesson list.
type LessonSummary struct {
	ID      string       `json:"id"`
	Title   lessons.Text `json:"title"`
	Summary lessons.Text `json:"summary"`
	Steps   int          `json:"steps"`
}

// defaultLessons is the engine over the built-in lessons, unless one is given.
func defaultLessons(e *lessons.Engine) (*lessons.Engine, error) {
	if e != nil {
		return e, nil
	}
	cat, err := lessons.Embedded()
	if err != nil {
		return nil, err
	}
	return lessons.NewEngine(cat), nil
}

func (w *Web) lessonRoutes(g, sb *echo.Group) {
	g.GET("/lessons", w.listLessons)
	g.GET("/lessons/:lesson", w.getLesson)
	sb.GET("/lessons/:lesson/progress", w.lessonProgress)
	sb.POST("/lessons/:lesson/start", w.startLesson)
	sb.POST("/lessons/:lesson/steps/:n/do", w.doStep)
	sb.POST("/lessons/:lesson/steps/:n/check", w.checkStep)
}

func (w *Web) listLessons(c echo.Context) error {
	out := []LessonSummary{}
	for _, l := range w.lessons.Catalog().Lessons() {
		out = append(out, LessonSummary{ID: l.ID, Title: l.Title, Summary: l.Summary, Steps: len(l.Steps)})
	}
	return c.JSON(http.StatusOK, out)
}

func (w *Web) getLesson(c echo.Context) error {
	l, ok := w.lessons.Catalog().Get(c.Param("lesson"))
	if !ok {
		return fail(c, http.StatusNotFound, "there is no lesson "+strconv.Quote(c.Param("lesson")))
	}
	return c.JSON(http.StatusOK, l)
}

// lessonSandbox is the sandbox as the lesson engine sees it: its cluster,
// and kubectl through the terminal's runner and allow-list.
func (w *Web) lessonSandbox(sb *Sandbox) *lessons.Sandbox {
	return &lessons.Sandbox{ID: sb.ID, Cluster: sb.Cluster,
		Kubectl: func(ctx context.Context, user string, args []string, stdin string) (lessons.KubectlOutput, error) {
			args, stdin, err := kubectlWords(args, stdin)
			if err != nil {
				return lessons.KubectlOutput{Stderr: "error: " + err.Error() + "\n", ExitCode: 1}, nil
			}
			res, err := w.runKubectlAs(ctx, sb, user, args, stdin)
			return lessons.KubectlOutput(res), err
		}}
}

func (w *Web) lessonProgress(c echo.Context) error {
	p, err := w.lessons.Progress(c.Request().Context(), w.lessonSandbox(sandboxOf(c)), c.Param("lesson"))
	if err != nil {
		return fail(c, http.StatusNotFound, err.Error())
	}
	return c.JSON(http.StatusOK, p)
}

func (w *Web) startLesson(c echo.Context) error {
	var body struct {
		Step int `json:"step"`
	}
	if c.Request().ContentLength > 0 {
		if err := c.Bind(&body); err != nil {
			return fail(c, http.StatusBadRequest, `the body, if any, must be JSON like {"step": 0}`)
		}
	}
	if _, ok := w.lessons.Catalog().Get(c.Param("lesson")); !ok {
		return fail(c, http.StatusNotFound, "there is no lesson "+strconv.Quote(c.Param("lesson")))
	}
	sb := w.lessonSandbox(sandboxOf(c))
	if body.Step == 0 {
		// Starting over clears what an earlier try (or the playground)
		// left, so step 1 begins where the lesson expects.
		if _, err := w.lessons.Reset(c.Request().Context(), sb, c.Param("lesson")); err != nil {
			return fail(c, http.StatusConflict, "the lesson could not clear what an earlier try left: "+err.Error())
		}
	}
	p, err := w.lessons.Start(sb, c.Param("lesson"), body.Step)
	if err != nil {
		return fail(c, http.StatusBadRequest, err.Error())
	}
	return c.JSON(http.StatusOK, p)
}

// stepOf reads the lesson and step number of a step route.
func (w *Web) stepOf(c echo.Context) (*lessons.Lesson, int, error) {
	l, ok := w.lessons.Catalog().Get(c.Param("lesson"))
	if !ok {
		return nil, 0, fail(c, http.StatusNotFound, "there is no lesson "+strconv.Quote(c.Param("lesson")))
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 0 || n >= len(l.Steps) {
		return nil, 0, fail(c, http.StatusNotFound, "lesson "+l.ID+" has steps 0 to "+strconv.Itoa(len(l.Steps)-1))
	}
	return l, n, nil
}

// DoResult answers "do it for me".
type DoResult struct {
	OK       bool                   `json:"ok"`
	Error    string                 `json:"error,omitempty"`
	Results  []lessons.ActionResult `json:"results"`
	Progress lessons.Progress       `json:"progress"`
}

func (w *Web) doStep(c echo.Context) error {
	l, n, err := w.stepOf(c)
	if l == nil {
		return err
	}
	ctx, sb := c.Request().Context(), w.lessonSandbox(sandboxOf(c))
	results, doErr := w.lessons.Do(ctx, sb, l, n)
	out := DoResult{OK: doErr == nil, Results: results}
	if doErr != nil {
		out.Error = doErr.Error()
	}
	out.Progress, err = w.lessons.Progress(ctx, sb, l.ID)
	if err != nil {
		return fail(c, http.StatusNotFound, err.Error())
	}
	return c.JSON(http.StatusOK, out)
}

// CheckAnswer answers "check now".
type CheckAnswer struct {
	lessons.CheckResult
	Progress lessons.Progress `json:"progress"`
}

func (w *Web) checkStep(c echo.Context) error {
	l, n, err := w.stepOf(c)
	if l == nil {
		return err
	}
	r, p, err := w.lessons.CheckStep(c.Request().Context(), w.lessonSandbox(sandboxOf(c)), l.ID, n)
	if err != nil {
		return fail(c, http.StatusNotFound, err.Error())
	}
	return c.JSON(http.StatusOK, CheckAnswer{CheckResult: r, Progress: p})
}
