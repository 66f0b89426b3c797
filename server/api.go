package server

// The app API, under /glassplane/v1, is what the browser (and scripts) use
// besides the Kubernetes API itself. A request for a sandbox carries that
// sandbox's token, as "Authorization: Bearer TOKEN" or as the session cookie
// the page was given; one sandbox's token never opens another.
//
//	POST   /sandboxes                          → {id, token}; a classroom's needs {"joinCode": "..."}
//	DELETE /sandboxes/{id}
//	GET    /sandboxes/{id}/stream?since=SEQ    websocket: history in pages, {"type":"live"}, live steps
//	GET    /sandboxes/{id}/steps?since=&limit=
//	GET    /sandboxes/{id}/traces, /traces/{trace}   the story: traces and their beats
//	POST   /sandboxes/{id}/apply               YAML, one or many documents → 201/200 all
//	                                           applied, 207 some failed, 4xx all failed
//	POST   /sandboxes/{id}/kubectl             {"args": [...], "stdin": "..."}
//	GET    /sandboxes/{id}/pacer, PUT, POST /pacer/next
//	GET    /sandboxes/{id}/components, POST /components/{name}/stop|start
//	GET    /sandboxes/{id}/etcd?prefix=/registry/
//	GET    /sandboxes/{id}/kubeconfig
//	GET    /sandboxes/{id}/snapshots, POST, POST /snapshots/{name}/restore

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// SessionCookie carries a browser's sandbox token.
const SessionCookie = "glassplane_session"

// apiError is the app API's error body.
type apiError struct {
	Message string `json:"message"`
}

func fail(c echo.Context, code int, msg string) error {
	return c.JSON(code, apiError{Message: msg})
}

func (w *Web) routes(e *echo.Echo) {
	g := e.Group("/glassplane/v1", requireSameOrigin)
	g.POST("/sandboxes", w.createSandbox)
	sb := g.Group("/sandboxes/:id", w.requireSandbox)
	sb.DELETE("", w.deleteSandbox)
	sb.GET("/stream", w.stream)
	sb.GET("/steps", w.listSteps)
	sb.GET("/traces", w.listTraces)
	sb.GET("/traces/:trace", w.getTrace)
	sb.POST("/apply", w.apply)
	sb.POST("/kubectl", w.kubectl)
	sb.GET("/pacer", w.getPacer)
	sb.PUT("/pacer", w.putPacer)
	sb.POST("/pacer/next", w.nextStep)
	sb.GET("/components", w.listComponents)
	sb.POST("/components/:name/:action", w.componentAction)
	sb.GET("/etcd", w.etcdKeys)
	sb.GET("/kubeconfig", w.kubeconfig)
	w.snapshotRoutes(sb)
	w.lessonRoutes(g, sb)
	w.classroomRoutes(g)
}

// requireSandbox admits a request only with the token of the sandbox it names.
func (w *Web) requireSandbox(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token := bearer(c.Request())
		if token == "" {
			if ck, err := c.Cookie(SessionCookie); err == nil {
				token = ck.Value
			}
		}
		sb, ok := w.sandboxes.Open(c.Param("id"), token)
		if !ok && w.mayView(c, c.Param("id")) {
			sb, ok = w.sandboxes.Get(c.Param("id")) // read-only (classroom.go)
		}
		if !ok && w.isViewer(c.Request(), c.Param("id")) {
			return fail(c, http.StatusForbidden, "you may look at this sandbox but not change it: it is not yours")
		}
		if !ok {
			return fail(c, http.StatusUnauthorized, "this sandbox needs its own token (Authorization: Bearer TOKEN or the session cookie)")
		}
		c.Set("sandbox", sb)
		return next(c)
	}
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

func sandboxOf(c echo.Context) *Sandbox { return c.Get("sandbox").(*Sandbox) }

func (w *Web) createSandbox(c echo.Context) error {
	var name string
	if w.JoinCode != "" {
		var body struct {
			JoinCode string `json:"joinCode"`
			Name     string `json:"name"`
		}
		_ = c.Bind(&body)
		if ok, wait := w.guesses.allow(c.Request()); !ok {
			tooManyGuesses(c.Response(), wait)
			return nil
		}
		if !w.joinCodeMatches(body.JoinCode) {
			w.guesses.failed(c.Request())
			return fail(c, http.StatusForbidden, `this classroom's sandboxes need its join code: {"joinCode": "...", "name": "..."}`)
		}
		name = strings.TrimSpace(body.Name)
		if utf8.RuneCountInString(name) > maxNameRunes {
			return fail(c, http.StatusBadRequest, "the name may have at most 40 characters")
		}
	}
	sb, err := w.sandboxes.CreateNamed(c.Request().Context(), name)
	if err != nil {
		return fail(c, http.StatusServiceUnavailable, err.Error())
	}
	addr, _ := w.sandboxes.APIAddress(sb)
	return c.JSON(http.StatusCreated, map[string]string{"id": sb.ID, "token": sb.Token, "server": "https://" + addr})
}

func (w *Web) deleteSandbox(c echo.Context) error {
	if err := w.sandboxes.Delete(c.Request().Context(), sandboxOf(c).ID); err != nil {
		return fail(c, http.StatusBadRequest, err.Error())
	}
	return c.NoContent(http.StatusNoContent)
}

func (w *Web) listSteps(c echo.Context) error {
	since, _ := strconv.ParseUint(c.QueryParam("since"), 10, 64)
	limit, _ := strconv.Atoi(c.QueryParam("limit"))
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	return c.JSON(http.StatusOK, sandboxOf(c).Cluster.Steps.Since(since, limit))
}

func (w *Web) getPacer(c echo.Context) error {
	return c.JSON(http.StatusOK, sandboxOf(c).Cluster.Pacer.State())
}

// putPacer changes only the fields present in the body.
func (w *Web) putPacer(c echo.Context) error {
	var body struct {
		Mode        *string             `json:"mode"`
		Unit        *string             `json:"unit"`
		DelayMs     *int                `json:"delayMs"`
		Breakpoints *[]steps.Breakpoint `json:"breakpoints"`
		Paused      *[]string           `json:"paused"`
	}
	if err := c.Bind(&body); err != nil {
		return fail(c, http.StatusBadRequest, "the body must be JSON like {\"mode\": \"step\"}")
	}
	if body.Mode != nil && *body.Mode != steps.ModeLive && *body.Mode != steps.ModeSlow && *body.Mode != steps.ModeStep {
		return fail(c, http.StatusBadRequest, "mode must be live, slow or step")
	}
	if body.Unit != nil && *body.Unit != steps.UnitBeat && *body.Unit != steps.UnitStep {
		return fail(c, http.StatusBadRequest, "unit must be beat (Next lets one beat run) or step (one step)")
	}
	if body.DelayMs != nil && (*body.DelayMs < 0 || *body.DelayMs > 60000) {
		return fail(c, http.StatusBadRequest, "delayMs must be between 0 and 60000")
	}
	// Only what the body names changes, under the pacer's lock: two pages
	// changing different settings at once both take effect.
	st := sandboxOf(c).Cluster.Pacer.Update(func(st *steps.PacerState) {
		set(&st.Mode, body.Mode)
		set(&st.Unit, body.Unit)
		set(&st.DelayMs, body.DelayMs)
		set(&st.Breakpoints, body.Breakpoints)
		set(&st.Paused, body.Paused)
	})
	return c.JSON(http.StatusOK, st)
}

// set sets *dst to *v when v is given.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (w *Web) nextStep(c echo.Context) error {
	p := sandboxOf(c).Cluster.Pacer
	released := p.Next()
	return c.JSON(http.StatusOK, map[string]any{"released": released, "pacer": p.State()})
}

func (w *Web) listComponents(c echo.Context) error {
	return c.JSON(http.StatusOK, sandboxOf(c).Cluster.Components())
}

func (w *Web) componentAction(c echo.Context) error {
	name, err := url.PathUnescape(c.Param("name"))
	if err != nil {
		return fail(c, http.StatusBadRequest, "bad component name")
	}
	cl := sandboxOf(c).Cluster
	switch c.Param("action") {
	case "stop":
		err = cl.StopComponent(name)
	case "start":
		err = cl.StartComponent(name)
	default:
		return fail(c, http.StatusNotFound, "the action must be stop or start")
	}
	switch {
	case errors.Is(err, controlplane.ErrEtcdShared):
		return fail(c, http.StatusForbidden, err.Error())
	case err != nil:
		return fail(c, http.StatusNotFound, err.Error())
	}
	return c.JSON(http.StatusOK, cl.Components())
}

func (w *Web) kubeconfig(c echo.Context) error {
	sb := sandboxOf(c)
	addr, serverName := w.sandboxes.APIAddress(sb)
	kc, err := controlplane.KubeconfigVia(sb.Cluster.DataDir, addr, serverName, "admin")
	if err != nil {
		return fail(c, http.StatusInternalServerError, err.Error())
	}
	return c.Blob(http.StatusOK, "application/yaml", kc)
}
