package server_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/testcluster"
	"github.com/glassplane/glassplane/server"
	"github.com/glassplane/glassplane/server/clienttest"
)

const testPasscode = "TEACH-ME"

// browser is one person's browser.
type browser struct{ *clienttest.Person }

func newBrowser(t *testing.T, w *server.Web) *browser {
	return &browser{clienttest.New(t, "http://"+w.Addr)}
}

// do sends a request as the page would and returns the status and body.
func (b *browser) do(method, path, contentType, body string) (int, string) {
	b.T.Helper()
	code, out, _ := b.Send(method, path, contentType, body)
	return code, out
}

func (b *browser) form(path string, v url.Values) (int, string) {
	return b.do("POST", path, "application/x-www-form-urlencoded", v.Encode())
}

func (b *browser) json(method, path string, v any) (int, string) {
	body, _ := json.Marshal(v)
	return b.do(method, path, "application/json", string(body))
}

// classView asks the server what this browser's page knows of the class.
func (b *browser) classView() server.ClassView {
	b.T.Helper()
	code, body := b.do("GET", "/glassplane/v1/classroom", "", "")
	var v server.ClassView
	if err := json.Unmarshal([]byte(body), &v); code != http.StatusOK || err != nil {
		b.T.Fatalf("GET /glassplane/v1/classroom: %d %s", code, body)
	}
	return v
}

func startClass(t *testing.T) (*server.Web, *server.Sandboxes) {
	t.Helper()
	c := testcluster.Start(t)
	sbs := server.NewSandboxes(c.Etcd, t.TempDir(), "127.0.0.1", time.Hour, controlplane.Start, server.WithMaxSandboxes(40))
	sbs.AddDefault(c.Cluster)
	t.Cleanup(sbs.Close)
	w, err := server.Start(server.Config{Listen: "127.0.0.1:0", Sandboxes: sbs, JoinCode: testJoinCode, TeacherPasscode: testPasscode})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w, sbs
}

// TestATeacherRunsAClassOfThirty: thirty students join and start lesson 1;
// the roster shows each of them where they are; "follow me" reaches every
// one of them, read-only; pushing a lesson step moves everyone; a reset
// gives one student a fresh cluster under the same session; the export has
// a row per sandbox.
func TestATeacherRunsAClassOfThirty(t *testing.T) {
	const students = 30
	w, _ := startClass(t)

	teacher := newBrowser(t, w)
	if code, _ := teacher.form("/teacher/login", url.Values{"passcode": {"wrong"}}); code != http.StatusForbidden {
		t.Fatalf("a wrong passcode: %d, want 403", code)
	}
	if code, _ := teacher.form("/teacher/login", url.Values{"passcode": {strings.ToLower(testPasscode)}}); code != http.StatusSeeOther {
		t.Fatalf("the passcode: %d, want 303 to the teacher's page", code)
	}
	mine := teacher.classView()
	if !mine.Teacher || mine.Sandbox == "" {
		t.Fatalf("the teacher's view of the class: %+v", mine)
	}

	class := make([]*browser, students)
	own := make([]string, students)
	var wg sync.WaitGroup
	for i := range class {
		wg.Go(func() {
			b := newBrowser(t, w)
			if code, body := b.form("/join", url.Values{"name": {fmt.Sprintf("Student %02d", i)}, "code": {testJoinCode}}); code != http.StatusSeeOther {
				t.Errorf("student %d joins: %d %.200s", i, code, body)
				return
			}
			v := b.classView()
			cm := fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hello-%02d}\n", i)
			if code, body := b.do("POST", "/glassplane/v1/sandboxes/"+v.Sandbox+"/apply", "application/yaml", cm); code != http.StatusCreated {
				t.Errorf("student %d applies a ConfigMap: %d %.200s", i, code, body)
			}
			path := "/glassplane/v1/sandboxes/" + v.Sandbox + "/lessons/kubectl-create"
			if code, body := b.json("POST", path+"/start", map[string]int{"step": 0}); code != http.StatusOK {
				t.Errorf("student %d starts lesson 1: %d %.200s", i, code, body)
			}
			if code, body := b.do("POST", path+"/steps/0/do", "", ""); code != http.StatusOK {
				t.Errorf("student %d does step 1: %d %.200s", i, code, body)
			}
			class[i], own[i] = b, v.Sandbox
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	// The roster: the teacher first, then every student, each in lesson 1.
	code, body := teacher.do("GET", "/glassplane/v1/classroom/roster", "", "")
	var roster []server.RosterEntry
	if err := json.Unmarshal([]byte(body), &roster); code != http.StatusOK || err != nil {
		t.Fatalf("the roster: %d %.300s", code, body)
	}
	if len(roster) != students+1 || !roster[0].Teacher || roster[1].Name != "Student 00" {
		t.Fatalf("the roster has %d entries, first %+v", len(roster), roster[0])
	}
	for _, e := range roster[1:] {
		if e.Lesson == nil || e.Lesson.Lesson != "kubectl-create" || e.LastActivity.IsZero() || e.Requests == 0 {
			t.Errorf("%s on the roster: %+v (lesson %+v)", e.Name, e, e.Lesson)
		}
	}
	// The teacher's page lists them.
	if code, page := teacher.do("GET", "/teacher", "", ""); code != http.StatusOK || !strings.Contains(page, "Student 29") {
		t.Errorf("the teacher's page: %d, Student 29 listed: %v", code, strings.Contains(page, "Student 29"))
	}

	// Follow me: every student's page learns it and may read the teacher's
	// sandbox, but not change it.
	if code, body := teacher.json("PUT", "/glassplane/v1/classroom/follow", map[string]string{"sandbox": mine.Sandbox}); code != http.StatusOK {
		t.Fatalf("follow me: %d %s", code, body)
	}
	for i, b := range class {
		if v := b.classView(); v.Follow != mine.Sandbox {
			t.Errorf("student %d's page follows %q, want the teacher's %q", i, v.Follow, mine.Sandbox)
		}
		if code, _ := b.do("GET", "/glassplane/v1/sandboxes/"+mine.Sandbox+"/traces", "", ""); code != http.StatusOK {
			t.Errorf("student %d reads the followed sandbox's story: %d", i, code)
		}
	}
	if code, _ := class[0].do("POST", "/glassplane/v1/sandboxes/"+mine.Sandbox+"/apply", "application/yaml", "kind: ConfigMap\napiVersion: v1\nmetadata: {name: x}\n"); code != http.StatusForbidden {
		t.Errorf("a following student applies to the teacher's sandbox: %d, want 403", code)
	}
	if code, body := class[0].do("GET", "/glassplane/v1/sandboxes/"+mine.Sandbox+"/kubeconfig", "", ""); code != http.StatusForbidden || strings.Contains(body, "token") {
		t.Errorf("a following student reads the teacher's kubeconfig: %d %.100s, want 403", code, body)
	}
	if code, _ := teacher.json("PUT", "/glassplane/v1/classroom/follow", map[string]string{"sandbox": ""}); code != http.StatusOK {
		t.Fatal("release")
	}
	if code, _ := class[0].do("GET", "/glassplane/v1/sandboxes/"+mine.Sandbox+"/traces", "", ""); code != http.StatusUnauthorized {
		t.Errorf("after the release a student reads the teacher's sandbox: %d, want 401", code)
	}

	// Push a lesson step to everyone.
	if code, body := teacher.json("PUT", "/glassplane/v1/classroom/lesson", map[string]any{"lesson": "kubectl-create", "step": 2}); code != http.StatusOK {
		t.Fatalf("push: %d %s", code, body)
	}
	for i, b := range class {
		if v := b.classView(); v.Lesson == nil || v.Lesson.Lesson != "kubectl-create" || v.Lesson.Step != 2 {
			t.Errorf("student %d's page was not sent to step 3: %+v", i, v.Lesson)
		}
	}
	_, body = teacher.do("GET", "/glassplane/v1/classroom/roster", "", "")
	_ = json.Unmarshal([]byte(body), &roster)
	for _, e := range roster[1:] {
		if e.Lesson == nil || e.Lesson.Step != 2 {
			t.Errorf("%s after the push: %+v", e.Name, e.Lesson)
		}
	}

	// The teacher's page sends the same as a form, counting steps from 1.
	if code, _ := teacher.form("/glassplane/v1/classroom/lesson", url.Values{"lesson": {"kubectl-create"}, "number": {"4"}}); code != http.StatusSeeOther {
		t.Errorf("the page's push: %d, want 303 back to the page", code)
	}
	if v := class[0].classView(); v.Lesson == nil || v.Lesson.Step != 3 {
		t.Errorf("after the page sent everyone to step 4: %+v", v.Lesson)
	}

	// The teacher looks at a student's sandbox, read-only.
	if code, _ := teacher.do("GET", "/glassplane/v1/sandboxes/"+own[3]+"/steps?limit=5", "", ""); code != http.StatusOK {
		t.Errorf("the teacher reads a student's steps: %d", code)
	}
	if code, body := teacher.do("GET", "/glassplane/v1/sandboxes/"+own[3]+"/lessons/kubectl-create/progress", "", ""); code != http.StatusOK || !strings.Contains(body, `"step":3`) {
		t.Errorf("the teacher reads a student's lesson progress: %d %.100s", code, body)
	}
	if code, _ := teacher.do("PUT", "/glassplane/v1/sandboxes/"+own[3]+"/pacer", "application/json", `{"mode":"live"}`); code != http.StatusForbidden {
		t.Errorf("the teacher changes a student's pacer: %d, want 403", code)
	}

	// Reset: a fresh sandbox for student 5, found by the same session.
	code, body = teacher.do("POST", "/glassplane/v1/classroom/sandboxes/"+own[5]+"/reset", "", "")
	if code != http.StatusOK {
		t.Fatalf("reset: %d %s", code, body)
	}
	if v := class[5].classView(); v.Sandbox == "" || v.Sandbox == own[5] {
		t.Errorf("after the reset student 5's session opens %q (was %q)", v.Sandbox, own[5])
	}

	// The export: a header and a row per sandbox.
	code, body = teacher.do("GET", "/glassplane/v1/classroom/roster.csv", "", "")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if code != http.StatusOK || err != nil || len(rows) != students+2 || rows[0][0] != "name" {
		t.Errorf("the CSV export: %d, %d rows, %v", code, len(rows), err)
	}
}

// TestStudentsCannotReachOthersOrTheTeachersControlsOrGuessTheSecrets: a
// student's attempts on another student's sandbox and on the teacher's
// endpoints fail, and guessing the passcode or the join code from one
// address is slowed to 429 with Retry-After.
func TestStudentsCannotReachOthersOrTheTeachersControlsOrGuessTheSecrets(t *testing.T) {
	w, _ := startClass(t)
	alice, bob := newBrowser(t, w), newBrowser(t, w)
	for _, b := range []*browser{alice, bob} {
		if code, _ := b.form("/join", url.Values{"name": {"x"}, "code": {testJoinCode}}); code != http.StatusSeeOther {
			t.Fatalf("join: %d", code)
		}
	}
	bobs := bob.classView().Sandbox
	for _, path := range []string{"/steps", "/traces", "/kubeconfig", "/components"} {
		if code, _ := alice.do("GET", "/glassplane/v1/sandboxes/"+bobs+path, "", ""); code != http.StatusUnauthorized {
			t.Errorf("alice reads bob's %s: %d, want 401", path, code)
		}
	}
	if code, _ := alice.do("GET", "/?sandbox="+bobs, "", ""); code != http.StatusSeeOther {
		t.Errorf("alice opens bob's page: %d, want a redirect to her own", code)
	}
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/glassplane/v1/classroom/roster", ""},
		{"GET", "/glassplane/v1/classroom/roster.csv", ""},
		{"PUT", "/glassplane/v1/classroom/follow", `{"sandbox":""}`},
		{"PUT", "/glassplane/v1/classroom/lesson", `{"lesson":"kubectl-create","step":0}`},
		{"POST", "/glassplane/v1/classroom/sandboxes/" + bobs + "/reset", ""},
	} {
		if code, _ := alice.do(tc.method, tc.path, "application/json", tc.body); code != http.StatusForbidden {
			t.Errorf("alice: %s %s: %d, want 403", tc.method, tc.path, code)
		}
	}
	if v := alice.classView(); v.Teacher {
		t.Error("alice's page thinks she is the teacher")
	}

	guesser := newBrowser(t, w)
	limited := 0
	for i := range 20 {
		code, _ := guesser.form("/teacher/login", url.Values{"passcode": {fmt.Sprintf("guess-%d", i)}})
		if code == http.StatusTooManyRequests {
			limited++
		} else if code != http.StatusForbidden {
			t.Fatalf("guess %d: %d", i, code)
		}
	}
	if limited < 5 {
		t.Errorf("20 quick passcode guesses from one address: %d answered 429, want at least 5", limited)
	}
	req, _ := http.NewRequest("POST", "http://"+w.Addr+"/join", strings.NewReader(url.Values{"name": {"g"}, "code": {"NOPE"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("a join-code guess after them: %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// TestAStudentsSandboxAndLessonProgressSurviveARestart: the server stops and
// starts again on the same etcd and data dir; the student's session opens
// the same sandbox, with its objects and its place in the lesson.
func TestAStudentsSandboxAndLessonProgressSurviveARestart(t *testing.T) {
	c := testcluster.Start(t)
	dir := t.TempDir()
	start := func() (*server.Web, *server.Sandboxes) {
		sbs := server.NewSandboxes(c.Etcd, dir, "127.0.0.1", time.Hour, controlplane.Start)
		if _, err := sbs.Restore(context.Background()); err != nil {
			t.Fatal(err)
		}
		w, err := server.Start(server.Config{Listen: "127.0.0.1:0", Sandboxes: sbs, JoinCode: testJoinCode, TeacherPasscode: testPasscode})
		if err != nil {
			t.Fatal(err)
		}
		return w, sbs
	}
	w, sbs := start()
	student := newBrowser(t, w)
	if code, _ := student.form("/join", url.Values{"name": {"Ada"}, "code": {testJoinCode}}); code != http.StatusSeeOther {
		t.Fatalf("join: %d", code)
	}
	id := student.classView().Sandbox
	base := "/glassplane/v1/sandboxes/" + id
	if code, body := student.do("POST", base+"/apply", "application/yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kept}\n"); code != http.StatusCreated {
		t.Fatalf("apply: %d %s", code, body)
	}
	if code, body := student.json("POST", base+"/lessons/kubectl-create/start", map[string]int{"step": 2}); code != http.StatusOK {
		t.Fatalf("start the lesson: %d %s", code, body)
	}
	w.Close()
	sbs.Close()

	w, sbs = start()
	t.Cleanup(func() { w.Close(); sbs.Close() })
	student.Base = "http://" + w.Addr // the same cookies, the new address
	if got := student.classView().Sandbox; got != id {
		t.Fatalf("after the restart the session opens sandbox %q, want %q", got, id)
	}
	sb, _ := sbs.Get(id)
	cfg, err := sb.Cluster.ClientConfig("admin", "system:masters")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kubernetes.NewForConfigOrDie(cfg).CoreV1().ConfigMaps("default").Get(context.Background(), "kept", metav1.GetOptions{}); err != nil {
		t.Errorf("the ConfigMap after the restart: %v", err)
	}
	code, body := student.do("GET", base+"/lessons/kubectl-create/progress", "", "")
	var p struct{ Step int }
	if err := json.Unmarshal([]byte(body), &p); code != http.StatusOK || err != nil || p.Step != 2 {
		t.Errorf("the lesson after the restart: %d %.200s, want step 2", code, body)
	}
}
