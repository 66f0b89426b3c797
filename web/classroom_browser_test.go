package web_test

// A class in real Chromium against a real classroom server
// (`glassplane serve --classroom`): a student joins with the code and gets
// the app on a sandbox of their own; when the teacher says "follow me" the
// student's page shows the teacher's cluster, live and read-only, under a
// banner, and goes back to the student's own when the teacher releases it;
// a lesson step the teacher pushes opens on the student's page; a teacher
// who opens a student's sandbox sees it read-only, with the story of what
// the student did last. The teacher's actions
// go through the app API, as the teacher's page posts them.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/glassplane/glassplane/server/clienttest"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/testcluster"
	"github.com/glassplane/glassplane/server"
	"github.com/glassplane/glassplane/web"
)

const (
	classJoinCode = "KLASS7"
	classPasscode = "TEACHER-PASS"
)

// startClassroom serves the embedded app as `glassplane serve --classroom` does.
func startClassroom(t *testing.T) string {
	t.Helper()
	requireBundle(t)
	chromiumPath(t)
	c := testcluster.StartCascade(t)
	sbs := server.NewSandboxes(c.Etcd, t.TempDir(), "127.0.0.1", time.Hour, controlplane.Start, server.WithMaxSandboxes(4))
	sbs.AddDefault(c.Cluster)
	t.Cleanup(sbs.Close)
	w, err := server.Start(server.Config{Listen: "127.0.0.1:0", Sandboxes: sbs, UI: web.Handler(), JoinCode: classJoinCode,
		TeacherPasscode: classPasscode, KubectlBinary: []string{testcluster.GlassplaneBinary(t), "kubectl"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return "http://" + w.Addr
}

// person is a browser session driven from Go (server/clienttest).
type person struct{ *clienttest.Person }

func newPerson(t *testing.T, base string) *person { return &person{clienttest.New(t, base)} }

func (p *person) send(method, path, contentType, body string) (int, string, http.Header) {
	p.T.Helper()
	return p.Send(method, path, contentType, body)
}

// must sends a request that has to succeed (2xx or a redirect).
func (p *person) must(method, path, contentType, body string) http.Header {
	p.T.Helper()
	code, out, h := p.send(method, path, contentType, body)
	if code >= 400 {
		p.T.Fatalf("%s %s: %d %.300s", method, path, code, out)
	}
	return h
}

// teacherLogsIn logs in with the passcode and returns the teacher and
// their own sandbox.
func teacherLogsIn(t *testing.T, base string) (*person, string) {
	t.Helper()
	p := newPerson(t, base)
	p.must("POST", "/teacher/login", "application/x-www-form-urlencoded", url.Values{"passcode": {classPasscode}}.Encode())
	_, body, _ := p.send("GET", "/glassplane/v1/classroom", "", "")
	var v server.ClassView
	if err := json.Unmarshal([]byte(body), &v); err != nil || !v.Teacher || v.Sandbox == "" {
		t.Fatalf("the teacher's view of the class: %s (%v)", body, err)
	}
	return p, v.Sandbox
}

// waitAfterSubmit is waitFor for a page that is navigating (a form posted,
// a redirect followed): a poll cut off by the navigation is tried again.
func (b *browser) waitAfterSubmit(what, predicate string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](predicate))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.fail("waiting %s until %s: last error %v", timeout, what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

const ownPageControls = "#tab-playground #tab-terminal #mode-step #next .playground button.primary"

func TestAStudentFollowsTheTeachersClusterInAClassAndComesBackToTheirOwn(t *testing.T) {
	base := startClassroom(t)
	teacher, teacherSB := teacherLogsIn(t, base)
	b := newBrowser(t, 1280, 720)

	// The student joins with the code, as the join page asks.
	b.do("opening the join page", chromedp.Navigate(base+"/"))
	b.waitFor("the join page", `document.querySelector('form[action="/join"]') !== null`, 10*time.Second)
	b.do("typing a name", chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "Ada"))
	b.do("typing the join code", chromedp.SendKeys(chromedp.CSS(`input[name="code"]`), classJoinCode))
	b.click(`button[type="submit"]`)
	b.waitAfterSubmit("the student's own page connects", `location.search.startsWith("?sandbox=") && document.querySelector("#conn.conn-open") !== null`, 30*time.Second)
	studentSB := strings.TrimPrefix(eval[string](b, `location.search`), "?sandbox=")
	eval[bool](b, `(document.querySelector("#narration .intro button")?.click(), true)`)
	b.waitFor("the student's page offers every control", writeControls+` === `+jsString(ownPageControls), 10*time.Second)

	// Follow me.
	teacher.must("PUT", "/glassplane/v1/classroom/follow", "application/json", fmt.Sprintf(`{"sandbox": %q}`, teacherSB))
	b.waitFor("the student's page follows the teacher under the banner", `!document.getElementById("classroom-banner").hidden &&
		document.querySelector("#classroom-banner strong").textContent === "Following your teacher's cluster"`, 10*time.Second)
	b.waitFor("no control writes", writeControls+` === ""`, 5*time.Second)
	b.waitFor("the teacher's cluster is drawn", `document.querySelector("#conn.conn-open") !== null && document.querySelector('#diagram [data-part^="kubelet/"]') !== null`, 30*time.Second)
	// The teacher demonstrates: the student sees the Deployment appear, and its story.
	teacher.must("POST", "/glassplane/v1/sandboxes/"+teacherSB+"/apply", "application/yaml", helloDeployment)
	b.waitFor("the teacher's Deployment shows on the student's diagram", `document.querySelector('#diagram [data-object*="helloworld-deployment"]') !== null`, 30*time.Second)
	b.waitFor("the story follows the teacher's create", `[...document.querySelectorAll("#panel-story li.beat .beat-what")].some((e) => e.textContent.includes("create Deployment default/helloworld-deployment"))`, 30*time.Second)
	b.set("en", "dark")
	b.snap("class-student-following")
	b.set("zh-TW", "dark")
	b.waitFor("the banner in Chinese", `document.querySelector("#classroom-banner strong").textContent === "正在跟隨老師的叢集"`, 5*time.Second)
	b.snap("class-student-following")
	b.set("en", "dark")
	// The server, not only the page, keeps the teacher's cluster read-only to the student.
	refused, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf(`fetch("/glassplane/v1/sandboxes/%s/apply", { method: "POST",
		headers: { "Content-Type": "application/yaml" }, body: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n" }).then((r) => r.status)`, teacherSB),
		chromedp.EvalAwaitPromise))
	if err != nil || refused != http.StatusForbidden {
		t.Errorf("a student's write to the teacher's sandbox answered %d (%v), want 403", refused, err)
	}

	// Released: the student's own cluster, where nothing was applied, with every control.
	teacher.must("PUT", "/glassplane/v1/classroom/follow", "application/json", `{"sandbox": ""}`)
	b.waitFor("the page comes back to the student's own sandbox and playground", `document.getElementById("classroom-banner").hidden && `+
		writeControls+` === `+jsString(ownPageControls)+` && document.querySelector(".playground .cm-content")?.textContent.includes("helloworld-deployment")`, 10*time.Second)
	b.waitFor("the student's own cluster is drawn, without the teacher's Deployment", `document.querySelector("#conn.conn-open") !== null &&
		document.querySelector('#diagram [data-part^="kubelet/"]') !== null && document.querySelector('#diagram [data-object*="helloworld-deployment"]') === null`, 30*time.Second)
	if got := eval[string](b, `location.search`); got != "?sandbox="+studentSB {
		t.Errorf("the page's address changed to %q", got)
	}

	// A pushed lesson step opens on the student's page.
	l := lessonOne(t)
	teacher.must("PUT", "/glassplane/v1/classroom/lesson", "application/json", `{"lesson": "kubectl-create", "step": 2}`)
	want := strings.Join(strings.Fields(l.Steps[2].Text.En), " ")
	b.waitFor("the pushed step opens in the lesson panel", fmt.Sprintf(`document.querySelector("#tab-lessons").getAttribute("aria-selected") === "true" && %s === %s`,
		lessonText, jsString(want)), 15*time.Second)
	b.snap("class-student-pushed-step")
	b.noExceptions()
}

func TestATeacherOpensAStudentsSandboxReadOnly(t *testing.T) {
	base := startClassroom(t)
	student := newPerson(t, base)
	h := student.must("POST", "/join", "application/x-www-form-urlencoded", url.Values{"name": {"Grace"}, "code": {classJoinCode}}.Encode())
	studentSB := strings.TrimPrefix(h.Get("Location"), "/?sandbox=")
	if studentSB == "" {
		t.Fatalf("joining gave no sandbox: %v", h)
	}

	student.must("POST", "/glassplane/v1/sandboxes/"+studentSB+"/apply", "application/yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: graces-notes\ndata:\n  hello: world\n")

	b := newBrowser(t, 1280, 720)
	b.do("opening the teacher's page", chromedp.Navigate(base+"/teacher"))
	b.waitFor("the passcode form", `document.querySelector('input[name="passcode"]') !== null`, 10*time.Second)
	b.do("typing the passcode", chromedp.SendKeys(chromedp.CSS(`input[name="passcode"]`), classPasscode))
	b.click(`button[type="submit"]`)
	b.waitAfterSubmit("the roster lists the student", `location.pathname === "/teacher" && document.body.textContent.includes("Grace")`, 15*time.Second)

	b.open(base + "/?sandbox=" + studentSB)
	b.waitFor("the page says it views the student's sandbox read-only", fmt.Sprintf(`!document.getElementById("classroom-banner").hidden &&
		document.querySelector("#classroom-banner strong").textContent === %s`, jsString("Viewing Grace ("+studentSB+") read-only")), 10*time.Second)
	b.waitFor("no control writes", writeControls+` === ""`, 5*time.Second)
	b.waitFor("the student's cluster is drawn", `document.querySelector('#diagram [data-part^="kubelet/"]') !== null`, 30*time.Second)
	b.waitFor("the story tells what the student did last", `[...document.querySelectorAll("#panel-story li.beat .beat-what")].some((e) => e.textContent.includes("graces-notes"))`, 20*time.Second)
	b.set("en", "dark")
	b.snap("class-teacher-viewing")
	b.noExceptions()
}
