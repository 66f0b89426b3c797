package web_test

// The page for a learner who uses the keyboard only, and for one who uses a
// screen reader. Tab goes through the page while the cluster redraws it
// (a redraw once took the focus back to the top every time); Enter applies
// the seed; the arrow keys step through what happened. axe-core, the
// accessibility checker browsers' own tools use, finds nothing serious in
// either language.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

func (b *browser) key(key string) {
	b.t.Helper()
	b.do("pressing "+key, chromedp.KeyEvent(key))
}

// drawn evaluates expr once the page has drawn what it was told before:
// it draws at most once per animation frame.
func (b *browser) drawn(expr string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`new Promise((resolve) => requestAnimationFrame(() =>
		requestAnimationFrame(() => resolve(String(`+expr+`)))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail("evaluating %s: %v", expr, err)
	}
	return v
}

// focusName says which element has the focus, for a failure message.
const focusName = `(() => { const e = document.activeElement; if (!e || e === document.body) return "body";
  return e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.getAttribute("data-part") ? "[" + e.getAttribute("data-part") + "]" : "") +
    (e.getAttribute("data-object") ? "[" + e.getAttribute("data-object") + "]" : "") + " " + (e.textContent || "").trim().slice(0, 20); })()`

func TestAKeyboardAloneAppliesTheSeedAndStepsThroughIt(t *testing.T) {
	g := startGlassplane(t)
	b := newBrowser(t, 1280, 720)
	b.open(g.URL)
	b.waitFor("the diagram is drawn", `document.querySelector('#diagram [data-part="apiserver"]') !== null`, 10*time.Second)

	// Tab from the top of the page through the header and the diagram to
	// the playground's Apply, while the cluster's heartbeats redraw it.
	var path []string
	inDiagram := false
	for range 80 {
		b.key(kb.Tab)
		time.Sleep(60 * time.Millisecond) // a redraw or two between presses
		name := eval[string](b, focusName)
		path = append(path, name)
		if eval[bool](b, `document.querySelector("#diagram").contains(document.activeElement)`) {
			inDiagram = true
		}
		if eval[bool](b, `document.activeElement === document.querySelector(".playground button.primary")`) {
			break
		}
		if inDiagram && name == "body" {
			t.Fatalf("the focus fell back to the page's top after a redraw; the Tab presses went %s", strings.Join(path, " → "))
		}
	}
	if !eval[bool](b, `document.activeElement === document.querySelector(".playground button.primary")`) {
		t.Fatalf("80 presses of Tab never reached Apply; they went %s", strings.Join(path, " → "))
	}
	if !inDiagram {
		t.Errorf("Tab never stopped in the diagram on its way to Apply: %s", strings.Join(path, " → "))
	}

	b.key(kb.Enter)
	b.waitFor("Apply reports the Deployment created",
		`document.querySelector(".results .ok")?.textContent.includes("Deployment helloworld-deployment created")`, 20*time.Second)
	b.waitFor("the diagram shows a Running pod",
		`document.querySelector('#diagram g.pod.phase-Running') !== null`, 45*time.Second)

	// Home goes to the first step of the action the page follows (the
	// apply), → on through its beats, ← back again.
	badge := `document.querySelector("#narration .badge")?.textContent.split(" ")[0] ?? ""`
	b.key(kb.Home)
	first := b.drawn(badge)
	b.key(kb.ArrowRight)
	b.waitFor("→ moves on from "+first, fmt.Sprintf(`%s !== %s`, badge, jsString(first)), 5*time.Second)
	b.key(kb.ArrowRight)
	second := b.drawn(badge)
	b.key(kb.ArrowLeft)
	b.waitFor("← goes back from "+second, fmt.Sprintf(`%s !== %s`, badge, jsString(second)), 5*time.Second)
	if live := eval[string](b, `document.querySelector("#narration-live").textContent`); live == "" {
		t.Error("the screen reader's live region never said anything")
	}
	b.snap("keyboard-seed")
	b.noExceptions()
}

// axeSerious runs axe-core on the page and lists its serious and critical
// findings.
const axeSerious = `axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations
  .filter((v) => v.impact === "serious" || v.impact === "critical")
  .map((v) => v.id + " (" + v.impact + "): " + v.help + " — " + v.nodes.slice(0, 4).map((n) => n.target.join(" ")).join(", ")))`

func TestAxeFindsNothingSeriousInEitherLanguage(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is a dev dependency of the web app (npm ci in web/): %v", err)
	}
	g := startGlassplane(t)
	g.applySeed()
	b := newBrowser(t, 1280, 720)
	b.open(g.URL)
	b.waitFor("the diagram shows the Running pod", `document.querySelector('#diagram g.pod.phase-Running') !== null`, 30*time.Second)
	eval[bool](b, string(src)+"\n;true")
	for _, lang := range []string{"en", "zh-TW"} {
		if lang == "zh-TW" {
			b.click("#lang")
			b.waitFor("the page is in Chinese", `document.documentElement.lang === "zh-Hant-TW"`, 5*time.Second)
		}
		for _, tab := range []string{"playground", "story", "lessons"} {
			b.click("#tab-" + tab)
			found, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](axeSerious, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("running axe: %v", err)
			}
			if len(found) > 0 {
				t.Errorf("axe in %s on the %s tab:\n  %s", lang, tab, strings.Join(found, "\n  "))
			}
		}
	}
}
