package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/testcluster"
	"github.com/glassplane/glassplane/server"
)

const testJoinCode = "KUBE42"

// startClassroom serves `glassplane serve --classroom --max-sandboxes max`.
func startClassroom(t *testing.T, max int) (*server.Web, *server.Sandboxes) {
	t.Helper()
	c := testcluster.Start(t)
	sbs := server.NewSandboxes(c.Etcd, t.TempDir(), "127.0.0.1", time.Hour, controlplane.Start, server.WithMaxSandboxes(max))
	sbs.AddDefault(c.Cluster)
	t.Cleanup(sbs.Close)
	w, err := server.Start(server.Config{Listen: "127.0.0.1:0", Sandboxes: sbs, JoinCode: testJoinCode})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w, sbs
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// joinAs posts the join form as a browser on the page would.
func joinAs(t *testing.T, w *server.Web, name, code, origin string, cookie *http.Cookie) (*http.Response, string) {
	t.Helper()
	form := url.Values{"name": {name}, "code": {code}}
	req, _ := http.NewRequest("POST", "http://"+w.Addr+"/join", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func sessionOf(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == server.SessionCookie {
			return c
		}
	}
	return nil
}

func TestClassroomCookielessGetsShowTheJoinPageAndCreateNoSandbox(t *testing.T) {
	w, sbs := startClassroom(t, 1)
	// Like curl -L or a link preview: follows redirects, keeps no cookies.
	for i := 0; i < 5; i++ {
		resp, err := http.Get("http://" + w.Addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `action="/join"`) || sessionOf(resp) != nil {
			t.Fatalf("a cookie-less GET /: %d, cookie %v, body %.200s", resp.StatusCode, sessionOf(resp), body)
		}
	}
	// The one slot (the default sandbox not counted) is still free.
	resp, _ := joinAs(t, w, "Ada", testJoinCode, "http://"+w.Addr, nil)
	if resp.StatusCode != http.StatusSeeOther || sessionOf(resp) == nil {
		t.Fatalf("joining after cookie-less visits, with --max-sandboxes 1: %d", resp.StatusCode)
	}
	if _, ok := sbs.Get(strings.TrimPrefix(resp.Header.Get("Location"), "/?sandbox=")); !ok {
		t.Errorf("the join redirected to %s, not a sandbox", resp.Header.Get("Location"))
	}
}

func TestClassroomRefusesCrossOriginRequestsWithoutUsingASlot(t *testing.T) {
	w, _ := startClassroom(t, 1)
	for _, tc := range []struct{ name, path, ctype, body string }{
		{"app API create", "/glassplane/v1/sandboxes", "application/json", `{"joinCode":"` + testJoinCode + `"}`},
		{"join form", "/join", "application/x-www-form-urlencoded", "name=Eve&code=" + testJoinCode},
	} {
		for _, origin := range []string{"http://evil.example", "null", "https://" + w.Addr} {
			req, _ := http.NewRequest("POST", "http://"+w.Addr+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.ctype)
			req.Header.Set("Origin", origin)
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s from Origin %s: %d, want 403", tc.name, origin, resp.StatusCode)
			}
		}
	}
	resp, _ := joinAs(t, w, "Ada", testJoinCode, "http://"+w.Addr, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the refused requests used the only slot: joining answered %d", resp.StatusCode)
	}
	// A sandbox's own requests are refused from another site too.
	ck := sessionOf(resp)
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/?sandbox=")
	req, _ := http.NewRequest("PUT", "http://"+w.Addr+"/glassplane/v1/sandboxes/"+id+"/pacer", strings.NewReader(`{"mode":"step"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "http://evil.example")
	req.AddCookie(ck)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site PUT with the student's cookie: %v %v", resp.Status, err)
	}
}

func TestClassroomJoinNeedsTheCodeAndTheCookieBringsTheStudentBack(t *testing.T) {
	w, sbs := startClassroom(t, 10)
	resp, body := joinAs(t, w, "Ada", "WRONG1", "http://"+w.Addr, nil)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "join code") || sessionOf(resp) != nil {
		t.Errorf("a wrong join code: %d %q", resp.StatusCode, body)
	}
	code, out := (&harness{t: t, web: w}).do("POST", "/glassplane/v1/sandboxes", "", map[string]string{"joinCode": "WRONG1"})
	if code != http.StatusForbidden || !strings.Contains(string(out), "join code") {
		t.Errorf("creating by the app API with a wrong code: %d %s", code, out)
	}

	resp, _ = joinAs(t, w, "Ada", strings.ToLower(testJoinCode), "http://"+w.Addr, nil)
	ck := sessionOf(resp)
	if resp.StatusCode != http.StatusSeeOther || ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
		t.Fatalf("joining with the right code: %d, cookie %+v", resp.StatusCode, ck)
	}
	loc := resp.Header.Get("Location")
	sb, ok := sbs.Get(strings.TrimPrefix(loc, "/?sandbox="))
	if !ok || sb.ID == "default" || sb.Name != "Ada" {
		t.Fatalf("the join led to %s", loc)
	}

	// A reload with the cookie finds the same sandbox, and joining again too.
	req, _ := http.NewRequest("GET", "http://"+w.Addr+"/", nil)
	req.AddCookie(ck)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != loc {
		t.Errorf("a reload with the cookie: %d to %s, want %s", resp.StatusCode, resp.Header.Get("Location"), loc)
	}
	if again, _ := joinAs(t, w, "Ada", testJoinCode, "", ck); again.Header.Get("Location") != loc {
		t.Errorf("joining again with the cookie led to %s, want %s", again.Header.Get("Location"), loc)
	}
	req, _ = http.NewRequest("GET", "http://"+w.Addr+"/glassplane/v1/sandboxes/"+sb.ID+"/components", nil)
	req.AddCookie(ck)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("the joined sandbox with its cookie: %v %v", resp.Status, err)
	}
	req, _ = http.NewRequest("GET", "http://"+w.Addr+"/glassplane/v1/sandboxes/default/components", nil)
	req.AddCookie(ck)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a student's cookie opened the default sandbox: %v %v", resp.Status, err)
	}

	// Another student gets another sandbox; a script with the code gets one too.
	other, _ := joinAs(t, w, "Grace", testJoinCode, "", nil)
	if other.Header.Get("Location") == loc || sessionOf(other) == nil {
		t.Errorf("a second student got %s", other.Header.Get("Location"))
	}
	code, out = (&harness{t: t, web: w}).do("POST", "/glassplane/v1/sandboxes", "", map[string]string{"joinCode": testJoinCode})
	var created struct{ ID string }
	if code != http.StatusCreated || json.Unmarshal(out, &created) != nil || created.ID == "" {
		t.Errorf("creating by the app API with the code: %d %s", code, out)
	}
}

func TestDefaultSandboxDoesNotCountAgainstTheSandboxLimit(t *testing.T) {
	_, sbs := startClassroom(t, 1)
	if _, err := sbs.Create(t.Context()); err != nil {
		t.Fatalf("the first sandbox with --max-sandboxes 1 and the default one running: %v", err)
	}
	if _, err := sbs.Create(t.Context()); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("a second sandbox over --max-sandboxes 1: %v", err)
	}
}
