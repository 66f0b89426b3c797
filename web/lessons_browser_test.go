package web_test

// The lesson panel in a real Chromium against a real Glassplane: a learner
// picks lesson 1 (the seed article's story, kubectl create to a running
// Pod), follows it step by step — "Do it for me", the check turning green,
// Next — in English and in 繁體中文, and ends at the recap with its question.
// Uses the harness of browsertest_test.go.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/lessons"
)

// lessonOne is lessons/01-kubectl-create.yaml as the page should show it.
func lessonOne(t *testing.T) *lessons.Lesson {
	t.Helper()
	cat, err := lessons.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	l, ok := cat.Get("kubectl-create")
	if !ok {
		t.Fatal("the built-in lessons lack kubectl-create")
	}
	return l
}

func localized(t lessons.Text, lang string) string {
	if lang == "zh-TW" {
		return t.ZhTW
	}
	return t.En
}

// lessonText is what the panel shows of step text: whitespace as HTML
// renders it.
const lessonText = `(document.querySelector('[data-testid="lesson-text"]')?.textContent ?? "").replace(/\s+/g, " ").trim()`

func TestLessonOneWalksFromKubectlCreateToARunningPodInEnglishAndChinese(t *testing.T) {
	l := lessonOne(t)
	for _, lang := range []string{"en", "zh-TW"} {
		t.Run(lang, func(t *testing.T) {
			g := startGlassplane(t)
			b := newBrowser(t, 1280, 720)
			b.open(g.URL + "?lang=" + lang + "#panel=lessons")
			walkLessonOne(t, g, b, l, lang)

			pods, err := g.cluster.Client("admin").CoreV1().Pods("default").List(context.Background(),
				metav1.ListOptions{LabelSelector: "app=helloworld-pod"})
			if err != nil || len(pods.Items) != 1 || pods.Items[0].Status.Phase != "Running" {
				t.Errorf("after the lesson the seed's pod should be Running: %v %v", pods, err)
			}
			if lang == "en" {
				reopenFromLink(t, g, b, l)
			}
			b.noExceptions()
		})
	}
}

// walkLessonOne picks the lesson and does each step for the learner.
func walkLessonOne(t *testing.T, g *glassplane, b *browser, l *lessons.Lesson, lang string) {
	t.Helper()
	pick := `[data-testid="lesson-pick-kubectl-create"]`
	b.waitFor("the picker lists lesson 1", fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(pick)), 10*time.Second)
	if got, want := b.text(pick), localized(l.Title, lang); !strings.Contains(got, want) {
		t.Errorf("the picker shows %q, want the title %q", got, want)
	}
	b.screenshot(fmt.Sprintf("lesson-kubectl-create-%s-00-picker", lang))
	b.click(pick)
	walkLessonOneSteps(t, g, b, l, lang, "lesson-kubectl-create-"+lang)
}

// walkLessonOneSteps follows the lesson from step 1 on screen to the recap,
// doing each step for the learner; shots names its screenshots.
func walkLessonOneSteps(t *testing.T, g *glassplane, b *browser, l *lessons.Lesson, lang, shots string) {
	t.Helper()
	for n, step := range l.Steps {
		want := strings.Join(strings.Fields(localized(step.Text, lang)), " ")
		b.waitFor(fmt.Sprintf("step %d (%s) is on screen", n+1, step.ID),
			fmt.Sprintf(`%s === %s && location.hash.includes("lessonStep=%d")`, lessonText, jsString(want), n), 10*time.Second)
		// Before the learner acts, the check says why it is not done yet.
		b.waitFor(fmt.Sprintf("step %d's check has a verdict", n+1),
			`["waiting", "passed", "recap"].includes(document.querySelector('[data-testid="lesson-check"]')?.dataset.state)`, 10*time.Second)
		if n == 0 {
			// The server's note is said in the learner's language.
			want := map[string]string{"en": "the pacer is in live mode", "zh-TW": "節奏控制目前是即時模式"}[lang]
			if got := b.text(`[data-testid="lesson-check"]`); !strings.Contains(got, want) {
				t.Errorf("before step mode is on, the check says %q; want why not: %s", got, want)
			}
		}
		if step.Hint != nil && n == 0 {
			b.click(`[data-testid="lesson-hint"]`)
			b.waitFor("the hint opens", fmt.Sprintf(`document.querySelector('[data-testid="lesson-step"] .hint')?.textContent === %s`,
				jsString(localized(*step.Hint, lang))), 5*time.Second)
		}
		for _, c := range step.Code {
			if got := b.text(".lesson-code"); !strings.Contains(got, c.Package+"."+c.Function) {
				t.Errorf("step %d should point at %s.%s to read; the panel shows %q", n+1, c.Package, c.Function, got)
			}
		}
		keyboard := n == 1 && lang == "en"
		switch {
		case n == 0 && lang == "en":
			// The learner's own way: the pacer's step button, not the lesson's.
			b.click("#mode-step")
		case keyboard:
			b.do("pressing Enter on “Do it for me”", chromedp.Focus(chromedp.CSS(`[data-testid="lesson-do"]`)), chromedp.KeyEvent("\r"))
		case len(step.Actions) > 0:
			b.click(`[data-testid="lesson-do"]`)
		}
		b.waitFor(fmt.Sprintf("step %d (%s) turns green", n+1, step.ID),
			`document.querySelector('[data-testid="lesson-check"]')?.dataset.state === "passed"`, 40*time.Second)
		if keyboard && !eval[bool](b, `document.activeElement?.dataset.testid === "lesson-do"`) {
			t.Errorf("the keyboard focus left “Do it for me” while the panel redrew; it is on %s", eval[string](b, `document.activeElement?.outerHTML.slice(0, 80) ?? "nothing"`))
		}
		if dot := fmt.Sprintf(`.stepper .dot:nth-of-type(%d)`, n+1); !eval[bool](b, fmt.Sprintf(`document.querySelector(%s)?.classList.contains("passed") ?? false`, jsString(dot))) {
			t.Errorf("step %d passed but its dot in the stepper is not ticked", n+1)
		}
		if step.Recap {
			if got := b.text(`[data-testid="lesson-step"] .question`); !strings.Contains(got, localized(*step.Question, lang)) {
				t.Errorf("the recap shows %q, want its question %q", got, localized(*step.Question, lang))
			}
		}
		b.screenshot(fmt.Sprintf("%s-%02d-%s", shots, n+1, step.ID))
		if n < len(l.Steps)-1 {
			b.click(`[data-testid="lesson-next"]`)
		}
	}
	var p lessons.Progress
	g.api("GET", "/lessons/kubectl-create/progress", "", &p)
	if !p.Done || len(p.Passed) != len(l.Steps) {
		t.Errorf("after the recap the sandbox's progress should be done with every step passed: %+v", p)
	}
}

// TestLessonOneRunsTwiceInARowAfterTheSeedWasApplied: a learner who applied
// the seed in the playground first, walks lesson 1, presses Start over and
// walks it again passes every step both times: the lesson clears the seed
// Deployment and its Pods before step 1, and each step is done by its own
// action, not found done already.
func TestLessonOneRunsTwiceInARowAfterTheSeedWasApplied(t *testing.T) {
	l := lessonOne(t)
	g := startGlassplane(t)
	g.applySeed()
	b := newBrowser(t, 1280, 720)
	b.open(g.URL + "?lang=en#panel=lessons")
	walkLessonOne(t, g, b, l, "en")

	b.click(`[data-testid="lesson-start-over"]`)
	b.waitFor("Start over brings back step 1 with nothing passed",
		`document.querySelectorAll(".stepper .dot.passed").length === 0 && location.hash.includes("lessonStep=0") &&
		document.querySelector('[data-testid="lesson-resetting"]') === null`, 90*time.Second)
	if !eventuallyGone(g) {
		t.Fatal("after Start over the seed Deployment or its Pods are still there")
	}
	walkLessonOneSteps(t, g, b, l, "en", "lesson-kubectl-create-again")
	pods, err := g.cluster.Client("admin").CoreV1().Pods("default").List(context.Background(),
		metav1.ListOptions{LabelSelector: "app=helloworld-pod"})
	if err != nil || len(pods.Items) != 1 || pods.Items[0].Status.Phase != "Running" {
		t.Errorf("after the second walk the seed's one pod should be Running: %v %v", pods, err)
	}
	b.noExceptions()
}

// eventuallyGone says whether the seed's Deployment and Pods are gone (the
// reset waits for them before it answers).
func eventuallyGone(g *glassplane) bool {
	ctx := context.Background()
	cs := g.cluster.Client("admin")
	_, err := cs.AppsV1().Deployments("default").Get(ctx, "helloworld-deployment", metav1.GetOptions{})
	pods, perr := cs.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=helloworld-pod"})
	return err != nil && perr == nil && len(pods.Items) == 0
}

// reopenFromLink opens a shared link to step 5: the same step comes back,
// with the steps already passed still ticked.
func reopenFromLink(t *testing.T, g *glassplane, b *browser, l *lessons.Lesson) {
	t.Helper()
	b.open(g.URL + "#lesson=kubectl-create&lessonStep=4&panel=playground")
	want := strings.Join(strings.Fields(l.Steps[4].Text.En), " ")
	b.waitFor("a link brings back step 5 in the dock under the diagram",
		fmt.Sprintf(`(document.querySelector('[data-testid="lesson-dock-step"] .lesson-text')?.textContent ?? "").replace(/\s+/g, " ").trim() === %s`, jsString(want)), 10*time.Second)
	b.screenshot("lesson-kubectl-create-en-dock-" + eval[string](b, `document.body.dataset.theme`))

	// Presentation mode hides the side panel; the step stays beside the
	// diagram, in large type, in the other theme too.
	theme := eval[string](b, `document.body.dataset.theme`)
	b.click("#theme")
	b.click("#present")
	b.waitFor("presentation mode keeps the step beside the diagram", fmt.Sprintf(`document.body.classList.contains("present") &&
		document.body.dataset.theme !== %s && !document.getElementById("lesson-dock").hidden &&
		document.querySelector('[data-testid="lesson-dock-step"] .check.passed') !== null`, jsString(theme)), 5*time.Second)
	b.screenshot("lesson-kubectl-create-en-dock-present-" + eval[string](b, `document.body.dataset.theme`))
	b.click("#present")

	b.click("#tab-lessons")
	b.waitFor("the Lessons tab shows step 5 with every step ticked, and the dock steps aside",
		fmt.Sprintf(`%s === %s && document.querySelectorAll(".stepper .dot.passed").length === %d && document.getElementById("lesson-dock").hidden`,
			lessonText, jsString(want), len(l.Steps)), 10*time.Second)
	b.screenshot("lesson-kubectl-create-en-reopened-step-05-" + eval[string](b, `document.body.dataset.theme`))
}
