package web_test

// A class seen from both sides at once, in real Chromium against a real
// classroom server: a student joins through the join page's own form, opens
// lesson 1 and works through its first steps; the teacher, in a browser of
// their own, logs in with the passcode, finds the student on the roster at
// their lesson step with their last activity, and opens the student's
// sandbox read-only to see the Deployment the student made. Every action is
// a click or a keystroke on the page. The screenshots of each page are kept
// one by one and side by side in one picture, the way a person would show
// someone what a class looks like.

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestAStudentJoinsByThePageAndTheTeachersRosterShowsThemAtTheirLessonStep(t *testing.T) {
	base := startClassroom(t)
	l := lessonOne(t)

	// The student: the join page, a name and the code typed into its form.
	student := newBrowser(t, 1280, 720)
	student.do("opening the join page", chromedp.Navigate(base+"/"))
	student.waitFor("the join page", `document.querySelector('form[action="/join"]') !== null`, 10*time.Second)
	student.do("typing a name", chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "Lin Mei-Hua"))
	student.do("typing the join code", chromedp.SendKeys(chromedp.CSS(`input[name="code"]`), strings.ToLower(classJoinCode)))
	joinShot := student.screenshot("class-join-page")
	student.click(`button[type="submit"]`)
	student.waitAfterSubmit("the student's own page connects", `location.search.startsWith("?sandbox=") && document.querySelector("#conn.conn-open") !== null`, 30*time.Second)
	studentSB := strings.TrimPrefix(eval[string](student, `location.search`), "?sandbox=")
	eval[bool](student, `(document.querySelector("#narration .intro button")?.click(), true)`)
	student.waitFor("the student's page offers every control", writeControls+` === `+jsString(ownPageControls), 10*time.Second)
	if !eval[bool](student, `document.getElementById("classroom-banner").hidden`) {
		t.Errorf("the student's own page shows a banner: %q", student.text("#classroom-banner"))
	}
	student.set("en", "light")
	student.snap("class-student-joined")

	// Lesson 1, through the lesson panel: step mode, send the Deployment,
	// let the API server store it; the lesson moves the student to step 4.
	student.click("#tab-lessons")
	pick := `[data-testid="lesson-pick-kubectl-create"]`
	student.waitFor("the picker lists lesson 1", fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(pick)), 10*time.Second)
	student.click(pick)
	const done = 3
	for n := range done {
		want := strings.Join(strings.Fields(l.Steps[n].Text.En), " ")
		student.waitFor(fmt.Sprintf("step %d (%s) is on screen", n+1, l.Steps[n].ID), fmt.Sprintf(`%s === %s`, lessonText, jsString(want)), 10*time.Second)
		student.click(`[data-testid="lesson-do"]`)
		student.waitFor(fmt.Sprintf("step %d (%s) turns green", n+1, l.Steps[n].ID),
			`document.querySelector('[data-testid="lesson-check"]')?.dataset.state === "passed"`, 40*time.Second)
		student.click(`[data-testid="lesson-next"]`)
	}
	want := strings.Join(strings.Fields(l.Steps[done].Text.En), " ")
	student.waitFor("the student reads step 4", fmt.Sprintf(`%s === %s`, lessonText, jsString(want)), 10*time.Second)
	student.waitFor("the student's Deployment is drawn", `document.querySelector('#diagram [data-object*="helloworld-deployment"]') !== null`, 30*time.Second)
	// Step mode's Next says how many it holds: the header stays one row for it, in either language.
	for _, lang := range []string{"zh-TW", "en"} {
		student.set(lang, "light")
		student.waitFor("Next holds a step", `!document.querySelector("#next").disabled`, 10*time.Second)
		if !eval[bool](student, `document.querySelector("header").getBoundingClientRect().height < 2 * document.querySelector("#next").getBoundingClientRect().height`) {
			t.Errorf("%s: the header wraps onto a second row: %q", lang, eval[string](student, `document.querySelector("header").innerText`))
		}
		if o := eval[string](student, overflow); o != "" {
			t.Errorf("%s: %s", lang, o)
		}
	}
	studentShot := student.snap("class-student-at-lesson-step")
	student.noExceptions()

	// The teacher, in a browser of their own: the passcode, then the roster.
	teacher := newBrowser(t, 1280, 720)
	teacher.do("opening the teacher's page", chromedp.Navigate(base+"/teacher"))
	teacher.waitFor("the passcode form", `document.querySelector('input[name="passcode"]') !== null`, 10*time.Second)
	teacher.do("typing the passcode", chromedp.SendKeys(chromedp.CSS(`input[name="passcode"]`), classPasscode))
	teacher.click(`button[type="submit"]`)
	row := fmt.Sprintf(`[...document.querySelectorAll("tbody tr")].find((tr) => tr.querySelector('a[href="/?sandbox=%s"]'))`, studentSB)
	teacher.waitAfterSubmit("the roster lists the student", fmt.Sprintf(`location.pathname === "/teacher" && %s !== undefined`, row), 15*time.Second)
	cells := eval[[]string](teacher, fmt.Sprintf(`[...%s.cells].map((td) => td.textContent.replace(/\s+/g, " ").trim())`, row))
	if len(cells) < 5 {
		t.Fatalf("the student's row on the roster: %q", cells)
	}
	if cells[0] != "Lin Mei-Hua" {
		t.Errorf("the roster names the student %q, want the name typed on the join page", cells[0])
	}
	if cells[1] != l.Title.En {
		t.Errorf("the roster shows the student's lesson as %q, want %q", cells[1], l.Title.En)
	}
	if wantStep := fmt.Sprintf("%d of %d, since", done+1, len(l.Steps)); !strings.HasPrefix(cells[2], wantStep) || strings.Contains(cells[2], "stuck") {
		t.Errorf("the roster shows the student's step as %q, want %q…, not stuck", cells[2], wantStep)
	}
	if !strings.HasSuffix(cells[3], " ago") {
		t.Errorf("the roster shows the student's last activity as %q, want how long ago", cells[3])
	}
	if !strings.HasPrefix(cells[4], "0 of ") || !strings.HasSuffix(cells[4], " requests") || cells[4] == "0 of 0 requests" {
		t.Errorf("the roster shows the student's errors as %q, want none of the requests their lesson sent", cells[4])
	}
	rosterShot := teacher.screenshot("class-teacher-roster")

	// The student's sandbox, read-only, from the roster's own link.
	teacher.click(fmt.Sprintf(`a[href="/?sandbox=%s"]`, studentSB))
	teacher.waitAfterSubmit("the teacher's page views the student's sandbox", fmt.Sprintf(`location.search === "?sandbox=%s" && document.querySelector("#conn.conn-open") !== null`, studentSB), 30*time.Second)
	teacher.waitFor("the banner says whose sandbox it is, read-only", fmt.Sprintf(`!document.getElementById("classroom-banner").hidden &&
		document.querySelector("#classroom-banner strong").textContent === %s`, jsString("Viewing Lin Mei-Hua ("+studentSB+") read-only")), 10*time.Second)
	teacher.waitFor("no control writes", writeControls+` === ""`, 5*time.Second)
	teacher.waitFor("the student's Deployment is on the teacher's diagram", `document.querySelector('#diagram [data-object*="helloworld-deployment"]') !== null`, 30*time.Second)
	teacher.waitFor("the story tells the student's create", `[...document.querySelectorAll("#panel-story li.beat .beat-what")].some((e) =>
		e.textContent.includes("create Deployment default/helloworld-deployment"))`, 20*time.Second)
	teacher.waitFor("the story has played to the student's Deployment", `document.querySelector('#diagram [data-object*="helloworld-deployment"]') !== null`, 30*time.Second)
	teacher.set("en", "light")
	viewShot := teacher.snap("class-teacher-viewing-student")
	teacher.noExceptions()

	sideBySide(t, "class-join-student-roster-teacher-view", joinShot, studentShot, rosterShot, viewShot)
}

// sideBySide draws the screenshots at paths in one row, left to right, with
// a gap between them, into NAME.png in the artifacts directory.
func sideBySide(t *testing.T, name string, paths ...string) string {
	t.Helper()
	const gap = 16
	var shots []image.Image
	width, height := -gap, 0
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatalf("side by side: %v", err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("side by side: %s: %v", p, err)
		}
		shots = append(shots, img)
		width += gap + img.Bounds().Dx()
		height = max(height, img.Bounds().Dy())
	}
	out := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.RGBA{0x57, 0x60, 0x6a, 0xff}), image.Point{}, draw.Src)
	x := 0
	for _, img := range shots {
		r := image.Rect(x, 0, x+img.Bounds().Dx(), img.Bounds().Dy())
		draw.Draw(out, r, img, img.Bounds().Min, draw.Src)
		x = r.Max.X + gap
	}
	path := filepath.Join(artifactsDir(t), fileName(name)+".png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("side by side: %v", err)
	}
	defer f.Close()
	if err := png.Encode(f, out); err != nil {
		t.Fatalf("side by side: %v", err)
	}
	return path
}
