package web_test

// Presentation mode in a real Chromium, as a teacher uses it on a
// projector: the narration and the story's beats grow, the header, the
// player's controls and the tabs vanish until the mouse comes over them or
// the keyboard's focus comes into them, and the story's beats and swimlane
// stay beside the diagram. The setting survives a reload, like the theme.

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// fontSize is the computed font size, in CSS pixels, of the first element
// css finds (0 when none).
func fontSize(b *browser, css string) float64 {
	b.t.Helper()
	return eval[float64](b, fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e ? parseFloat(getComputedStyle(e).fontSize) : 0; })()`, jsString(css)))
}

// opacity is the computed opacity of the first element css finds.
func opacityOf(css string) string {
	return fmt.Sprintf(`getComputedStyle(document.querySelector(%s)).opacity`, jsString(css))
}

// mouseTo moves the mouse to a point of the viewport, as a hand on the mouse does.
func (b *browser) mouseTo(x, y float64) {
	b.t.Helper()
	b.do(fmt.Sprintf("moving the mouse to %.0f,%.0f", x, y), chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y))
}

func TestPresentationModeEnlargesTheNarrationAndStoryAndHidesTheControlsUntilHovered(t *testing.T) {
	g := startGlassplane(t)
	b := newBrowser(t, 1280, 720)
	b.open(g.URL)
	eval[bool](b, `(document.querySelector("#narration .intro button")?.click(), true)`)
	b.set("en", "dark")
	b.waitFor("the playground holds the seed manifest",
		`document.querySelector(".playground .cm-content")?.textContent.includes("helloworld-deployment")`, 5*time.Second)
	b.click(".playground button.primary")
	b.waitFor("the story tells the create with its swimlane", `document.querySelector("#tab-story").getAttribute("aria-selected") === "true" &&
		document.querySelector("#panel-story svg.swimlane g.sl-beat") !== null && document.querySelector("#panel-story li.beat .beat-what") !== null`, 30*time.Second)
	b.waitFor("the narration tells a step", `document.querySelector("#narration .what") !== null`, 10*time.Second)
	what, beat, lane := fontSize(b, "#narration .what"), fontSize(b, "#panel-story li.beat .beat-what"), eval[float64](b, `document.querySelector("#panel-story svg.swimlane").getBoundingClientRect().width`)

	b.click("#present")
	b.mouseTo(400, 300) // over the diagram, away from every control
	b.waitFor("the page presents", `document.body.classList.contains("present") && document.querySelector("#present").getAttribute("aria-pressed") === "true"`, 5*time.Second)
	for _, css := range []string{"header", "footer.controls", "#tabs"} {
		b.waitFor(css+" is hidden until hovered", opacityOf(css)+` === "0"`, 5*time.Second)
	}
	bigWhat, bigBeat := fontSize(b, "#narration .what"), fontSize(b, "#panel-story li.beat .beat-what")
	bigLane := eval[float64](b, `document.querySelector("#panel-story svg.swimlane").getBoundingClientRect().width`)
	t.Logf("presenting: the narration %.0f → %.0f px, a beat %.0f → %.0f px, the swimlane %.0f → %.0f px wide", what, bigWhat, beat, bigBeat, lane, bigLane)
	if bigWhat < what*1.5 {
		t.Errorf("presenting, the narration is %.0f px, want at least 1.5× its %.0f px", bigWhat, what)
	}
	if bigBeat < beat*1.3 {
		t.Errorf("presenting, a beat of the story is %.0f px, want at least 1.3× its %.0f px", bigBeat, beat)
	}
	if bigLane < lane {
		t.Errorf("presenting, the swimlane shrank from %.0f to %.0f px wide", lane, bigLane)
	}
	if n := eval[int](b, `document.querySelectorAll("#panel-story svg.swimlane g.sl-beat").length`); n == 0 || !eval[bool](b, `document.querySelector(".side").getBoundingClientRect().width > 300`) {
		t.Errorf("presenting hides the story beside the diagram (%d swimlane beats)", n)
	}
	for _, lang := range []string{"en", "zh-TW"} {
		b.set(lang, "dark")
		b.mouseTo(400, 300)
		b.waitFor("the controls hide again", opacityOf("header")+` === "0"`, 5*time.Second)
		b.snap("present-story")
	}
	b.set("en", "dark")

	// The mouse over the header shows it; the footer stays hidden.
	b.mouseTo(640, 12)
	b.waitFor("the header shows under the mouse", opacityOf("header")+` === "1" && `+opacityOf("footer.controls")+` === "0"`, 5*time.Second)
	b.mouseTo(400, 300)
	// The keyboard's focus in the player shows the player (a click's focus does not).
	eval[bool](b, `(document.querySelector("#back").focus(), true)`)
	b.do("tabbing to the play button", chromedp.KeyEvent(kb.Tab))
	b.waitFor("the focus on the play button", `document.activeElement?.id === "play"`, 5*time.Second)
	b.waitFor("the player shows with the focus in it", opacityOf("footer.controls")+` === "1"`, 5*time.Second)
	eval[bool](b, `(document.activeElement.blur(), true)`)
	// The side panel's tabs show when the mouse comes over the side panel.
	b.mouseTo(1200, 300)
	b.waitFor("the tabs show with the mouse over the story", opacityOf("#tabs")+` === "1"`, 5*time.Second)

	// Another tab than the story: the diagram takes the whole width.
	b.click("#tab-playground")
	b.waitFor("the side panel steps aside", `getComputedStyle(document.querySelector(".side")).display === "none"`, 5*time.Second)
	b.mouseTo(400, 300)
	b.snap("present-diagram")

	// A reload keeps presenting; ?present=0 turns it off.
	b.open(g.URL)
	b.waitFor("a reload still presents", `document.body.classList.contains("present")`, 5*time.Second)
	b.open(g.URL + "?present=0")
	b.waitFor("?present=0 stops presenting", `!document.body.classList.contains("present") && `+opacityOf("header")+` === "1"`, 5*time.Second)
	b.noExceptions()
}
