// Package server is Glassplane's web server: the page a learner opens, the
// app API the page uses (api.go), and the step stream (stream.go). It knows
// the control plane only through controlplane.Cluster and the sandboxes that
// hold them.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/glassplane/glassplane/controlplane/metrics"
	"github.com/glassplane/glassplane/lessons"
)

// Config says where to listen and what to serve.
type Config struct {
	Listen    string
	Sandboxes *Sandboxes
	// Local gives the page at / the default sandbox's session (a learner's
	// own machine). A classroom server leaves it false.
	Local bool
	// KubectlBinary runs kubectl for the terminal (default: this program's
	// own `glassplane kubectl`).
	KubectlBinary []string
	// UI serves the browser app (nil: a plain page).
	UI http.Handler
	// Lessons follows learners through lessons (nil: the built-in lessons).
	// Its Forget should be the Sandboxes' WithOnDelete, so a deleted
	// sandbox's progress and background kubectl end with it.
	Lessons *lessons.Engine
	// MaxStreamsPerSandbox and MaxStreamsPerClient cap open step streams
	// (0: DefaultMaxStreamsPerSandbox, DefaultMaxStreamsPerClient).
	MaxStreamsPerSandbox, MaxStreamsPerClient int
	// JoinCode is what a classroom's students type to get a sandbox (empty:
	// a fresh random one, see Web.JoinCode). A local server has none.
	JoinCode string
	// TeacherPasscode opens the teacher's view of a classroom (empty: a
	// fresh random one, see Web.TeacherPasscode).
	TeacherPasscode string
	// ReadHeaderTimeout bounds how long a client may take to send a
	// request's headers (0: DefaultReadHeaderTimeout; see slowclients.go).
	ReadHeaderTimeout time.Duration
}

// Web is a running web server.
type Web struct {
	Addr string
	// JoinCode opens a sandbox in a classroom (join.go); empty locally.
	JoinCode string
	// TeacherPasscode opens the teacher's view (teacher.go); empty locally.
	TeacherPasscode string
	class           classroom
	guesses         guessLimiter // attempts at the join code and passcode
	sandboxes       *Sandboxes
	kubectlBinary   []string
	local           bool
	lessons         *lessons.Engine
	streams         *streamSlots
	e               *echo.Echo
	done            chan struct{}      // closed by Close: streams end
	stopClass       context.CancelFunc // ends followClass (a replica's)
	stopped         chan struct{}
}

// Start listens on cfg.Listen and serves until Close.
func Start(cfg Config) (*Web, error) {
	if cfg.KubectlBinary == nil {
		self, err := os.Executable()
		if err != nil {
			return nil, err
		}
		cfg.KubectlBinary = []string{self, "kubectl"}
	}
	lessonEngine, err := defaultLessons(cfg.Lessons)
	if err != nil {
		return nil, err
	}
	if cfg.Sandboxes != nil {
		lessonEngine.UseStore(progressStore{cfg.Sandboxes}) // progress.go
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(middleware.Recover())
	e.Use(middleware.BodyLimit(fmt.Sprint(maxApplyBytes + 1024)))
	w := &Web{sandboxes: cfg.Sandboxes, kubectlBinary: cfg.KubectlBinary, local: cfg.Local, lessons: lessonEngine, e: e,
		streams: newStreamSlots(cfg.MaxStreamsPerSandbox, cfg.MaxStreamsPerClient)}
	w.done, w.stopped = make(chan struct{}), make(chan struct{})
	if !cfg.Local {
		w.JoinCode = cfg.JoinCode
		if w.JoinCode == "" {
			w.JoinCode = NewJoinCode()
		}
		w.TeacherPasscode = cfg.TeacherPasscode
		if w.TeacherPasscode == "" {
			w.TeacherPasscode = NewJoinCode() + NewJoinCode()
		}
	}
	e.Pre(w.forwardToOwner) // a sandbox another replica runs (forward.go)
	w.stopClass = func() {}
	if cfg.Sandboxes != nil && cfg.Sandboxes.replica != nil && !cfg.Local {
		w.class.share = &classShare{cli: cfg.Sandboxes.etcd.Client}
		ctx, cancel := context.WithCancel(context.Background())
		w.stopClass = cancel
		go w.followClass(ctx)
	}
	w.routes(e)
	e.POST("/join", w.join, requireSameOrigin)
	e.POST("/teacher/login", w.teacherLogin, requireSameOrigin)
	e.GET("/teacher", w.teacherPage)
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/metrics", echo.WrapHandler(metrics.Handler()))
	// The web port's /livez and /readyz are the local cluster's API
	// server's, so a container's HEALTHCHECK needs no certificate.
	for _, p := range []string{"/livez", "/livez/*", "/readyz", "/readyz/*"} {
		e.GET(p, w.health)
	}
	ui := cfg.UI
	if ui == nil {
		ui = http.HandlerFunc(w.plainPage)
	}
	// The page and its bundle (≈ 0.5 MB of JavaScript) go out gzipped to a
	// browser that accepts it: about a third of the bytes on a class's Wi-Fi.
	e.GET("/*", echo.WrapHandler(w.withSession(ui)), middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 1024}))
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("the web server cannot listen on %s: %w", cfg.Listen, err)
	}
	e.Listener = ln
	limitSlowClients(e.Server, cfg.ReadHeaderTimeout)
	w.Addr = ln.Addr().String()
	go func() {
		defer close(w.stopped)
		if err := e.Start(""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("the web server stopped", "err", err)
		}
	}()
	return w, nil
}

// withSession gives the page a session. Locally, the learner's own browser
// (reached on loopback only, so no other site or machine gets it) gets the
// default sandbox. In a classroom, a browser without a session is shown the
// join page (join.go), which alone creates sandboxes; a browser with one is
// sent to its own sandbox (?sandbox=ID).
func (w *Web) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" && r.URL.Path != "/index.html" {
			next.ServeHTTP(rw, r)
			return
		}
		if w.local {
			if sb, ok := w.sandboxes.Get("default"); ok && isLoopback(r.Host) {
				setSession(rw, sb.Token)
			}
			next.ServeHTTP(rw, r)
			return
		}
		want := r.URL.Query().Get("sandbox")
		if _, exists := w.sandboxes.tokenOf(want); exists && w.isTeacher(r) {
			next.ServeHTTP(rw, r) // a teacher looks at any sandbox, read-only
			return
		}
		id, ok := w.sessionSandbox(r)
		if !ok {
			showJoinPage(rw, http.StatusOK, "", "")
			return
		}
		if want != id {
			http.Redirect(rw, r, "/?sandbox="+id, http.StatusSeeOther)
			return
		}
		next.ServeHTTP(rw, r)
	})
}

// sessionSandbox names the sandbox r's session opens (on a replica, it
// may run on another one).
func (w *Web) sessionSandbox(r *http.Request) (string, bool) {
	ck, err := r.Cookie(SessionCookie)
	if err != nil {
		return "", false
	}
	return w.sandboxes.SessionID(ck.Value)
}

func setSession(rw http.ResponseWriter, token string) {
	http.SetCookie(rw, &http.Cookie{Name: SessionCookie, Value: token, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// isLoopback reports a Host header naming this machine's loopback.
func isLoopback(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Close ends the streams and stops the web server.
func (w *Web) Close() error {
	close(w.done)
	w.stopClass()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := w.e.Shutdown(ctx)
	<-w.stopped
	return err
}

func (w *Web) plainPage(rw http.ResponseWriter, r *http.Request) {
	sb, ok := w.sandboxes.Get("default")
	if !ok {
		http.NotFound(rw, r)
		return
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(rw, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Glassplane</title></head>
<body style="font:18px/1.5 system-ui,sans-serif;max-width:46em;margin:3em auto">
<h1>Glassplane</h1><p>Running: embedded etcd and the Kubernetes API server at <code>https://%s</code>, %d steps recorded.</p>
<p>Try <code>glassplane kubectl get namespaces</code>.</p></body></html>`, sb.Cluster.Addr, sb.Cluster.Steps.Last())
}

// health answers /livez and /readyz with the local cluster's API server's
// checks (apiserver/health.go).
func (w *Web) health(c echo.Context) error {
	if w.sandboxes == nil {
		return c.String(http.StatusServiceUnavailable, "no cluster is running\n")
	}
	sb, ok := w.sandboxes.Get("default")
	if !ok || sb.Cluster == nil || sb.Cluster.API == nil {
		return c.String(http.StatusServiceUnavailable, "the local cluster is not running\n")
	}
	sb.Cluster.API.ServeHTTP(c.Response(), c.Request())
	return nil
}
