package server

// The teacher. A classroom server prints a teacher passcode beside the join
// code; whoever types it at /teacher gets a teacher session (an HttpOnly,
// SameSite=Strict cookie holding a random teacher token) and a sandbox of
// their own to demonstrate in. The teacher session opens the roster and the
// class's controls (classroom.go) and lets its browser look at any student's
// sandbox, read-only.
//
// Secrets typed by people are guessable by people, so both the passcode and
// the join code are compared in constant time and limited per client
// address: after a burst of attempts, each further one waits its turn and
// is answered 429 with Retry-After. Only wrong guesses count, and per
// address, so a class joining at once is never slowed and a student who
// guesses cannot lock the teacher out.

import (
	"crypto/subtle"
	"html/template"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// TeacherCookie carries a teacher's session token.
const TeacherCookie = "glassplane_teacher"

// Guessing limits: secretBurst attempts at once, then one per secretEvery,
// per client address.
const (
	secretBurst = 10
	secretEvery = 6 * time.Second
)

// guessLimiter limits attempts at a secret per client address.
type guessLimiter struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

// limiter returns the limiter of r's client address.
func (g *guessLimiter) limiter(r *http.Request) *rate.Limiter {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m == nil || len(g.m) > 10000 {
		g.m = map[string]*rate.Limiter{} // forgetting only forgives
	}
	l, ok := g.m[host]
	if !ok {
		l = rate.NewLimiter(rate.Every(secretEvery), secretBurst)
		g.m[host] = l
	}
	return l
}

// allow reports whether the client of r may try a secret now, and if not,
// how long it must wait. Only wrong guesses (failed) use up attempts, so a
// room of students joining from one address is never slowed.
func (g *guessLimiter) allow(r *http.Request) (bool, time.Duration) {
	if t := g.limiter(r).Tokens(); t < 1 {
		return false, time.Duration((1 - t) * float64(secretEvery))
	}
	return true, 0
}

// failed counts a wrong guess from the client of r.
func (g *guessLimiter) failed(r *http.Request) { g.limiter(r).Allow() }

// tooManyGuesses answers 429 with Retry-After in whole seconds.
func tooManyGuesses(rw http.ResponseWriter, wait time.Duration) {
	rw.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	http.Error(rw, "Too many attempts from this address; wait a little and try again.", http.StatusTooManyRequests)
}

// secretMatches compares a typed secret with want, ignoring case and
// surrounding spaces, in constant time.
func secretMatches(want, typed string) bool {
	want = strings.ToUpper(want)
	got := strings.ToUpper(strings.TrimSpace(typed))
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

var teacherLoginPage = template.Must(template.New("teacher").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Teacher · Glassplane</title>
<style>input,button{font:inherit;padding:.25em .5em}input{width:100%;box-sizing:border-box}</style></head>
<body style="font:18px/1.5 system-ui,sans-serif;max-width:28em;margin:3em auto;padding:0 1em">
<h1>Teacher</h1>
<p>Type the teacher passcode Glassplane printed when it started.<br>
<span lang="zh-TW">輸入 Glassplane 啟動時印出的教師密碼。</span></p>
{{if .}}<p role="alert" style="color:#b00020"><strong>{{.}}</strong></p>{{end}}
<form method="post" action="/teacher/login">
<p><label>Passcode · 教師密碼<br><input name="passcode" type="password" required autocomplete="off"></label></p>
<p><button type="submit">Open the class · 進入課堂</button></p>
</form></body></html>
`))

func showTeacherLogin(rw http.ResponseWriter, code int, problem string) {
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-store")
	rw.WriteHeader(code)
	_ = teacherLoginPage.Execute(rw, problem)
}

// teacherLogin checks the passcode and starts a teacher session, with a
// sandbox of the teacher's own the first time.
func (w *Web) teacherLogin(c echo.Context) error {
	rw, r := c.Response(), c.Request()
	if w.local {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	if ok, wait := w.guesses.allow(r); !ok {
		tooManyGuesses(rw, wait)
		return nil
	}
	if !secretMatches(w.TeacherPasscode, c.FormValue("passcode")) {
		w.guesses.failed(r)
		showTeacherLogin(rw, http.StatusForbidden, "That is not this class's teacher passcode.")
		return nil
	}
	_, sbToken, err := w.class.teacherSandbox(r.Context(), w.sandboxes)
	if err != nil {
		showTeacherLogin(rw, http.StatusServiceUnavailable, "No sandbox is available for you right now: "+err.Error())
		return nil
	}
	token, err := w.class.newTeacherToken(r.Context())
	if err != nil {
		showTeacherLogin(rw, http.StatusServiceUnavailable, "The class could not be opened right now: "+err.Error())
		return nil
	}
	http.SetCookie(rw, &http.Cookie{Name: TeacherCookie, Value: token, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode})
	setSession(rw, sbToken) // the teacher's own sandbox is theirs to demonstrate in
	return c.Redirect(http.StatusSeeOther, "/teacher")
}

// isTeacher reports whether r carries a teacher session.
func (w *Web) isTeacher(r *http.Request) bool {
	ck, err := r.Cookie(TeacherCookie)
	return err == nil && w.class.isTeacherToken(r.Context(), ck.Value)
}

// requireTeacher admits only a teacher session.
func (w *Web) requireTeacher(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		// Another replica may read the roster, to show its teacher the
		// whole class (classshare.go).
		r := c.Request()
		peer := r.Method == http.MethodGet && w.sandboxes != nil && w.sandboxes.replica != nil && w.fromReplica(r)
		if !peer && !w.isTeacher(r) {
			return fail(c, http.StatusForbidden, "this is for the teacher: log in at /teacher with the teacher passcode")
		}
		return next(c)
	}
}

var teacherPageTemplate = template.Must(template.New("class").Funcs(template.FuncMap{
	"ago": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return time.Since(t).Round(time.Second).String() + " ago"
	},
	"inc": func(i int) int { return i + 1 },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta http-equiv="refresh" content="10">
<title>Class · Glassplane</title>
<style>
body{font:16px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:70em;padding:0 1em;color:#1b1f24}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4em .6em;border-bottom:1px solid #d0d7de;vertical-align:top}
th{font-size:.85em;color:#57606a;white-space:nowrap}.stuck{background:#fff4d6}.err{color:#b00020}.me{font-weight:600}
form{display:inline;margin:0}button{font:inherit;padding:.2em .7em}select,input{font:inherit}.bar{display:flex;gap:1.5em;flex-wrap:wrap;align-items:center;margin:1em 0}
.following{background:#ddf4ff;padding:.5em .8em;border-radius:.4em}
</style></head>
<body>
<h1>Your class · 你的課堂</h1>
<p>Students open <strong>{{.URL}}</strong> and type the join code <strong>{{.JoinCode}}</strong>. {{len .Roster}} sandboxes.
<a href="/glassplane/v1/classroom/roster.csv">Export progress (CSV) · 匯出進度</a></p>
<div class="bar">
{{if .Follow}}<span class="following">Everyone follows {{.FollowName}} · 全班正在跟隨 {{.FollowName}}</span>
<form method="post" action="/glassplane/v1/classroom/follow"><input type="hidden" name="sandbox" value=""><button>Release · 解除跟隨</button></form>
{{else}}<form method="post" action="/glassplane/v1/classroom/follow"><input type="hidden" name="sandbox" value="{{.Teacher}}"><button>Follow me · 全班跟隨我</button></form>{{end}}
<form method="post" action="/glassplane/v1/classroom/lesson"><label>Send everyone to · 全班前往
<select name="lesson">{{range .Lessons}}<option value="{{.ID}}">{{.Title.En}}</option>{{end}}</select></label>
<label>step · 步驟 <input name="number" type="number" min="1" value="1" style="width:4em"></label> <button>Send · 送出</button></form>
<a href="/?sandbox={{.Teacher}}">Open my cluster · 開啟我的叢集</a>
</div>
<table><thead><tr><th>Name · 名字</th><th>Lesson · 課程</th><th>Step · 步驟</th><th>Last activity · 最後活動</th><th>Errors · 錯誤</th><th></th></tr></thead><tbody>
{{range .Roster}}<tr class="{{if .Stuck}}stuck{{end}}">
<td class="{{if .Teacher}}me{{end}}">{{.Name}}{{if .Teacher}} (you · 你){{end}}</td>
<td>{{with .Lesson}}{{.Title.En}}{{else}}—{{end}}</td>
<td>{{with .Lesson}}{{if .Done}}done · 完成{{else}}{{inc .Step}} of {{.Steps}}, since {{ago .StepAt}}{{end}}{{else}}—{{end}}{{if .Stuck}} <strong>stuck · 卡住了</strong>{{end}}</td>
<td>{{ago .LastActivity}}</td>
<td class="{{if .Errors}}err{{end}}">{{.Errors}} of {{.Requests}} requests</td>
<td><a href="/?sandbox={{.Sandbox}}">View · 檢視</a>
{{if not .Teacher}}<form method="post" action="/glassplane/v1/classroom/sandboxes/{{.Sandbox}}/reset" onsubmit="return confirm('Give {{.Name}} a fresh cluster? Everything in theirs is lost.')"><button>Reset · 重設</button></form>{{end}}</td>
</tr>{{end}}
</tbody></table>
</body></html>
`))

// teacherPage shows the roster and the class's controls to a teacher, and
// the passcode form to anyone else.
func (w *Web) teacherPage(c echo.Context) error {
	rw, r := c.Response(), c.Request()
	if w.local {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	if !w.isTeacher(r) {
		showTeacherLogin(rw, http.StatusOK, "")
		return nil
	}
	teacher, _, err := w.class.teacherSandbox(r.Context(), w.sandboxes)
	if err != nil {
		return fail(c, http.StatusServiceUnavailable, err.Error())
	}
	follow := w.class.following()
	followName := follow
	if name, ok := w.sandboxes.nameOf(follow); ok {
		followName = name
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-store")
	return teacherPageTemplate.Execute(rw, map[string]any{
		"URL": "http://" + r.Host + "/", "JoinCode": w.JoinCode, "Roster": w.roster(r.Context()),
		"Teacher": teacher, "Follow": follow, "FollowName": followName, "Lessons": w.lessons.Catalog().Lessons(),
	})
}
