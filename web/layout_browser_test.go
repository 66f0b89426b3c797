package web_test

// The page on a phone, a projector and a wide screen. After the seed runs,
// at each size: nothing scrolls sideways, every control of the header and
// every tab is within the screen's width (the page may scroll down, never
// sideways), uncovered and big enough to press, and the diagram's
// words are big enough to read (at least 8 to 12 CSS pixels as drawn, by
// size, the SVG being scaled to its box). Screenshots of each size, in both
// languages, go to the artifacts directory.

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// layoutProblems lists what is wrong with the page's layout right now.
const layoutProblems = `(() => {
  const out = [];
  const vw = document.documentElement.clientWidth, vh = innerHeight;
  if (document.documentElement.scrollWidth > vw + 1) out.push("the page scrolls sideways: " + document.documentElement.scrollWidth + " > " + vw);
  const controls = [...document.querySelectorAll("header button:not([hidden]), header select, #tabs button, footer.controls button, footer.controls select")]
    .filter((e) => getComputedStyle(e).display !== "none" && e.offsetParent !== null);
  for (const e of controls) {
    const r = e.getBoundingClientRect();
    const name = e.id || e.textContent.trim().slice(0, 20);
    // Below the fold is fine (the page scrolls down); beside the screen is not.
    if (r.left < -1 || r.right > vw + 1) out.push(name + " is off screen: " + JSON.stringify([r.left, r.top, r.right, r.bottom]));
    if (r.height < 24 || r.width < 24) out.push(name + " is too small to press: " + r.width + "x" + r.height);
    if (r.top < 0 || r.bottom > vh) continue;
    const hit = document.elementFromPoint(Math.min(vw - 1, Math.max(0, r.left + r.width / 2)), Math.min(vh - 1, Math.max(0, r.top + r.height / 2)));
    const underFooter = hit?.closest("footer.controls") && !e.closest("footer.controls"); // it scrolls out from under it
    if (hit && hit !== e && !e.contains(hit) && !underFooter) out.push(name + " is covered by " + (hit.id || hit.getAttribute("class") || hit.tagName));
  }
  const svg = document.querySelector("#diagram");
  const scale = svg.getScreenCTM()?.a ?? 1;
  let smallest = Infinity;
  for (const t of svg.querySelectorAll("text")) {
    if (!t.getClientRects().length) continue;
    smallest = Math.min(smallest, parseFloat(getComputedStyle(t).fontSize) * scale);
  }
  return { problems: out, smallest };
})()`

type layoutReport struct {
	Problems []string `json:"problems"`
	Smallest float64  `json:"smallest"` // the diagram's smallest text, in CSS pixels as drawn
}

func TestThePageFitsAPhoneAProjectorAndAWideScreen(t *testing.T) {
	g := startGlassplane(t)
	g.applySeed()
	// A phone pans a diagram drawn 900 px wide; at 1100 px and below the
	// diagram has the whole width; a 1280×720 laptop shares its width with
	// the side panel and has the least height for it.
	sizes := []struct {
		w, h    int64
		minText float64
	}{{390, 844, 10}, {1024, 768, 10}, {1280, 720, 8}, {1920, 1080, 12}}
	b := newBrowser(t, sizes[0].w, sizes[0].h)
	b.open(g.URL)
	b.waitFor("the diagram shows the Running pod", `document.querySelector('#diagram g.pod.phase-Running') !== null`, 30*time.Second)
	// Pause on the step shown: where the diagram's height is what the
	// narration leaves it, every layout below is measured with the same
	// sentences on screen.
	eval[bool](b, `(() => { const p = document.querySelector("#play"); if (/pause/i.test(p.getAttribute("aria-label"))) p.click(); return true; })()`)
	b.waitFor("paused", `!/pause/i.test(document.querySelector("#play").getAttribute("aria-label"))`, 5*time.Second)
	for _, lang := range []string{"en", "zh-TW"} {
		if lang == "zh-TW" {
			b.click("#lang")
			b.waitFor("the page is in Chinese", `document.documentElement.lang === "zh-Hant-TW"`, 5*time.Second)
		}
		for _, s := range sizes {
			b.resize(s.w, s.h)
			b.waitFor("the page has laid out", fmt.Sprintf(`innerWidth === %d`, s.w), 5*time.Second)
			r := eval[layoutReport](b, layoutProblems)
			if r.Smallest < s.minText {
				r.Problems = append(r.Problems, fmt.Sprintf("the diagram's smallest text is %.1f px, want %.1f", r.Smallest, s.minText))
			}
			if len(r.Problems) > 0 {
				t.Errorf("at %d×%d in %s:\n  %s", s.w, s.h, lang, strings.Join(r.Problems, "\n  "))
			}
			t.Logf("%d×%d %s: the diagram's smallest text is %.1f px", s.w, s.h, lang, r.Smallest)
			b.snap("layout-seed")
			if s.w < 1024 {
				continue
			}
			// Presenting is for reading from the back of a room: where the
			// diagram shares the width with the side panel, its words come
			// out larger than without. (At 1100 px and below the page
			// stacks and scrolls, so the diagram already has the whole
			// width; presenting fits it and the large narration into one
			// screen instead, giving up at most a quarter of its size.)
			b.click("#present")
			b.waitFor("presenting", pressed("#present"), 5*time.Second)
			p := eval[layoutReport](b, layoutProblems)
			t.Logf("%d×%d %s presenting: the diagram's smallest text is %.1f px", s.w, s.h, lang, p.Smallest)
			if s.w > 1100 && p.Smallest <= r.Smallest || p.Smallest < 0.75*r.Smallest {
				t.Errorf("at %d×%d in %s presenting draws the diagram's text at %.1f px, against %.1f px without it", s.w, s.h, lang, p.Smallest, r.Smallest)
			}
			b.snap("layout-seed-present")
			b.click("#present")
			b.waitFor("no longer presenting", `document.querySelector("#present").getAttribute("aria-pressed") === "false"`, 5*time.Second)
		}
	}
	b.noExceptions()
}
