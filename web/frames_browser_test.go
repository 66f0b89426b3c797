package web_test

// Fifty pods starting at once send the page a hundred steps a second. The
// page draws at most once per animation frame, with what is true by then,
// instead of once per step: drawing per step took the page to 9 frames a
// second for as long as the burst lasted. The frame rate itself depends on
// the machine, so it is logged, not judged; what is judged is that no
// frame is drawn twice.

import (
	"testing"
	"time"
)

func TestScalingToFiftyDrawsThePageAtMostOncePerFrame(t *testing.T) {
	g := startGlassplane(t)
	g.applySeed()
	b := newBrowser(t, 1280, 720)
	b.open(g.URL)
	b.waitFor("the diagram shows the Running pod", `document.querySelector('#diagram g.pod.phase-Running') !== null`, 30*time.Second)
	eval[bool](b, `(() => {
		window.__frames = []; window.__draws = [];
		const tick = (t) => { window.__frames.push(performance.now()); requestAnimationFrame(tick); };
		requestAnimationFrame(tick);
		new MutationObserver(() => window.__draws.push(performance.now())).observe(document.querySelector("#layer"), { childList: true });
		return true; })()`)
	g.api("POST", "/kubectl", `{"args":["scale","deployment","helloworld-deployment","--replicas=50"]}`, nil)
	b.waitFor("50 pods on the diagram", `document.querySelector('#diagram')?.textContent.includes("50/50")`, 60*time.Second)
	type counts struct {
		Frames, Draws    int
		Seconds, Longest float64
	}
	c := eval[counts](b, `(() => { const f = window.__frames, d = window.__draws;
		let longest = 0; for (let i = 1; i < f.length; i++) longest = Math.max(longest, f[i] - f[i - 1]);
		return { Frames: f.length, Draws: d.length, Seconds: (f[f.length - 1] - f[0]) / 1000, Longest: longest }; })()`)
	t.Logf("while 50 pods started: %d frames in %.1f s (%.0f a second, the longest %.0f ms), %d drawings of the diagram",
		c.Frames, c.Seconds, float64(c.Frames)/c.Seconds, c.Longest, c.Draws)
	if c.Draws > c.Frames+1 {
		t.Errorf("the diagram was drawn %d times in %d frames: more than once a frame", c.Draws, c.Frames)
	}
	b.noExceptions()
}
