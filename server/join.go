package server

// Joining a classroom. On `glassplane serve --classroom` a sandbox is made
// only when a student asks for one: the page at / shows a form (a display
// name and the join code the teacher gave out), and only a POST of that form
// with the right code, from this server's own page, starts a sandbox. A
// plain GET never does, so a link preview, a crawler or `curl -L` cannot
// use up the class's sandboxes, and neither can another site's page (the
// Origin check in origin.go).
//
// The joined browser gets an HttpOnly, SameSite=Strict session cookie with
// its sandbox's token; a reload, or coming back after the Wi-Fi dropped,
// finds the same sandbox by it.

import (
	"crypto/rand"
	"html/template"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// maxNameRunes bounds a display name.
const maxNameRunes = 40

// joinCodeAlphabet has no letters easily misread for others (0/O, 1/I/L).
const joinCodeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// NewJoinCode returns a short random code for students to type.
func NewJoinCode() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = joinCodeAlphabet[int(b[i])%len(joinCodeAlphabet)]
	}
	return string(b[:])
}

// joinCodeMatches compares a typed code with the class's, ignoring case and
// spaces, in constant time.
func (w *Web) joinCodeMatches(typed string) bool {
	return secretMatches(w.JoinCode, typed)
}

var joinPage = template.Must(template.New("join").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Join the class · Glassplane</title>
<style>input,button{font:inherit;padding:.25em .5em}input{width:100%;box-sizing:border-box}</style></head>
<body style="font:18px/1.5 system-ui,sans-serif;max-width:28em;margin:3em auto;padding:0 1em">
<h1>Join the class</h1>
<p>Type your name and the join code your teacher gave you to get a Kubernetes cluster of your own.<br>
<span lang="zh-TW">輸入你的名字和老師給的加入代碼，取得你自己的 Kubernetes 叢集。</span></p>
{{if .Problem}}<p role="alert" style="color:#b00020"><strong>{{.Problem}}</strong></p>{{end}}
<form method="post" action="/join">
<p><label>Your name · 名字<br><input name="name" required maxlength="40" autocomplete="nickname" value="{{.Name}}"></label></p>
<p><label>Join code · 加入代碼<br><input name="code" required autocomplete="off" autocapitalize="characters"></label></p>
<p><button type="submit">Join · 加入</button></p>
</form></body></html>
`))

func showJoinPage(rw http.ResponseWriter, code int, name, problem string) {
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-store")
	rw.WriteHeader(code)
	_ = joinPage.Execute(rw, struct{ Name, Problem string }{name, problem})
}

// join handles the form: the right code starts a sandbox and hands out its
// session; a browser that already has one goes back to it.
func (w *Web) join(c echo.Context) error {
	rw, r := c.Response(), c.Request()
	if w.local {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	if id, ok := w.sessionSandbox(r); ok {
		return c.Redirect(http.StatusSeeOther, "/?sandbox="+id)
	}
	name := strings.TrimSpace(c.FormValue("name"))
	if name == "" || utf8.RuneCountInString(name) > maxNameRunes {
		showJoinPage(rw, http.StatusBadRequest, "", "Please type a name of 1 to 40 characters.")
		return nil
	}
	if ok, wait := w.guesses.allow(r); !ok {
		tooManyGuesses(rw, wait)
		return nil
	}
	if !w.joinCodeMatches(c.FormValue("code")) {
		w.guesses.failed(r)
		showJoinPage(rw, http.StatusForbidden, name, "That join code is not this class's. Check it with your teacher and try again.")
		return nil
	}
	sb, err := w.sandboxes.CreateNamed(r.Context(), name)
	if err != nil {
		showJoinPage(rw, http.StatusServiceUnavailable, name, "No sandbox is available right now: "+err.Error())
		return nil
	}
	setSession(rw, sb.Token)
	return c.Redirect(http.StatusSeeOther, "/?sandbox="+sb.ID)
}
