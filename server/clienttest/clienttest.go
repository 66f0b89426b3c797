// Package clienttest is a person's browser, as HTTP, for tests of the
// classroom: it keeps cookies (the session and the teacher's), sends the
// page's own Origin as the browser would, and shows redirects instead of
// following them, so a test sees the 303 of a form.
package clienttest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"
)

// Person is one browser on the server at Base.
type Person struct {
	T    testing.TB
	Base string // "http://host:port"
	C    *http.Client
}

// New returns a browser with no cookies yet.
func New(t testing.TB, base string) *Person {
	jar, _ := cookiejar.New(nil)
	return &Person{T: t, Base: base, C: &http.Client{Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Send sends a request as the page would and returns the status, the body
// and the headers of the answer.
func (p *Person) Send(method, path, contentType, body string) (int, string, http.Header) {
	p.T.Helper()
	req, err := http.NewRequest(method, p.Base+path, strings.NewReader(body))
	if err != nil {
		p.T.Fatal(err)
	}
	req.Header.Set("Origin", p.Base)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := p.C.Do(req)
	if err != nil {
		p.T.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out), resp.Header
}
