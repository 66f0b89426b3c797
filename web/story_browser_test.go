package web_test

// The story view in a real Chromium: after Apply the page follows the
// create's trace, tells it in a handful of beats in the seed article's
// order, shows the pod Running within seconds at the default pace, counts
// the background on a toggle that reveals it, and draws a swimlane with a
// lane for every component the trace touched. A fresh page opens at the
// present, not at the cluster's boot.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/server"
)

// pageBeat is one beat as the story panel lists it.
type pageBeat struct {
	Kind      string `json:"kind"`
	Component string `json:"component"`
	Text      string `json:"text"`
	Steps     int    `json:"steps"`
}

const storyBeats = `[...document.querySelectorAll("#panel-story li.beat.foreground")].map((li) => ({
	kind: li.dataset.kind, component: li.dataset.component, text: li.querySelector(".beat-what").textContent, steps: Number(li.dataset.steps) }))`

// press clicks what css finds at the moment of the click: the story panel
// redraws as the trace's steps arrive, so a node found a moment before may
// be gone.
func (b *browser) press(css string) {
	b.t.Helper()
	b.waitFor("pressing "+css, fmt.Sprintf(`(() => { const e = document.querySelector(%s);
		if (!e) return false; e.dispatchEvent(new MouseEvent("click", { bubbles: true })); return true; })()`, jsString(css)), 5*time.Second)
}

// snapOf saves a screenshot of the element css finds, named as snap names
// a page's: WHAT-LANG-THEME.
func (b *browser) snapOf(what, css string) {
	b.t.Helper()
	how := eval[string](b, `(document.documentElement.lang === "en" ? "en" : "zh-TW") + "-" + document.body.dataset.theme`)
	png, err := chromedp.Run(b.ctx, chromedp.Screenshot(chromedp.CSS(css)))
	if err != nil {
		b.t.Errorf("screenshot of %s: %v", css, err)
		return
	}
	if err := os.WriteFile(filepath.Join(artifactsDir(b.t), fileName(what+"-"+how)+".png"), png, 0o644); err != nil {
		b.t.Errorf("screenshot of %s: %v", css, err)
	}
}

// swimlaneOverlap lists what is wrong in the story's swimlane: a lane label
// cut at its edge or running into the next one's, a number outside its dot.
const swimlaneOverlap = `(() => {
	const svg = document.querySelector("#panel-story svg.swimlane");
	if (!svg) return "no swimlane";
	const out = [], W = svg.viewBox.baseVal.width;
	const labels = [...svg.querySelectorAll(".lane-label")].map((t) => ({ text: t.textContent, b: t.getBBox() }));
	labels.forEach((l, i) => {
		if (l.b.x < -1 || l.b.x + l.b.width > W + 1) out.push("the label " + JSON.stringify(l.text) + " is cut");
		const next = labels[i + 1];
		if (next && l.b.x + l.b.width > next.b.x + 1) out.push("the labels " + JSON.stringify(l.text) + " and " + JSON.stringify(next.text) + " overlap");
	});
	for (const g of svg.querySelectorAll("g.sl-beat")) {
		const d = g.querySelector(".sl-dot").getBBox(), n = g.querySelector(".sl-n").getBBox();
		if (n.x < d.x - 1 || n.x + n.width > d.x + d.width + 1) out.push("the number " + g.querySelector(".sl-n").textContent + " sticks out of its dot");
	}
	return out.join("; "); })()`

func hasKubeletBeat(d server.TraceDetail) bool {
	for _, b := range d.BeatList {
		if b.Kind == "kubelet" && !b.Background {
			return true
		}
	}
	return false
}

// seedTrace finds the trace of the seed's create through the app API.
func (g *glassplane) seedTrace() server.TraceDetail {
	g.t.Helper()
	var list []server.TraceSummary
	g.api("GET", "/traces", "", &list)
	for _, s := range list {
		if s.Request["resource"] == "deployments.apps" && s.Request["name"] == "helloworld-deployment" {
			var d server.TraceDetail
			g.api("GET", "/traces/"+s.Trace, "", &d)
			return d
		}
	}
	g.t.Fatalf("no trace creates the seed's Deployment: %+v", list)
	return server.TraceDetail{}
}

func TestTheStoryFollowsTheSeedCreateInItsBeatsToARunningPod(t *testing.T) {
	g := startGlassplane(t)
	b := newBrowser(t, 1280, 720)
	b.open(g.URL)
	// "Got it", clicked by script: the narration redraws as the boot's steps stream in.
	eval[bool](b, `(document.querySelector("#narration .intro button")?.click(), true)`)
	b.waitFor("the playground holds the seed manifest",
		`document.querySelector(".playground .cm-content")?.textContent.includes("helloworld-deployment")`, 5*time.Second)
	if speed := eval[string](b, `document.querySelector("#speed").value`); speed != "4" {
		t.Fatalf("a fresh page plays at %s×, want the default 4×", speed)
	}

	start := time.Now()
	b.click(".playground button.primary")
	b.waitFor("the diagram shows a Running pod in a node's box",
		`document.querySelector('#diagram g[data-part^="kubelet/"] g.pod.phase-Running') !== null`, 30*time.Second)
	running := time.Since(start)
	t.Logf("Apply → pod Running in the diagram: %.1f s at the default pace (4×)", running.Seconds())
	if running > 15*time.Second {
		t.Errorf("the pod showed Running %.1f s after Apply, want at most 15 s", running.Seconds())
	}

	// The page followed the create into the story panel.
	b.waitFor("the story panel is open", `!document.querySelector("#panel-story").hidden && document.querySelector("#tab-story").getAttribute("aria-selected") === "true"`, 5*time.Second)
	d := g.seedTrace()
	for deadline := time.Now().Add(10 * time.Second); !hasKubeletBeat(d) && time.Now().Before(deadline); d = g.seedTrace() {
		time.Sleep(200 * time.Millisecond)
	}
	if !hasKubeletBeat(d) {
		t.Fatalf("the create's trace has no kubelet beat (%d steps, %d beats, last step #%d): "+
			"what the create caused went on in another trace", d.Steps, len(d.BeatList), d.Last)
	}
	if stored := podStoredRunning(d.StepList); stored != nil {
		t.Logf("the cluster itself: %.1f s from the trace's first step to etcd storing the pod Running",
			stored.Time.Sub(d.StepList[0].Time).Seconds())
	}
	b.waitFor("the story lists the kubelet's beat", `document.querySelector('#panel-story li.beat.foreground[data-kind="kubelet"]') !== null`, 10*time.Second)
	beats := eval[[]pageBeat](b, storyBeats)
	var lines []string
	for i, pb := range beats {
		lines = append(lines, fmt.Sprintf("%d. %s %s: %s (%d steps)", i+1, pb.Kind, pb.Component, pb.Text, pb.Steps))
	}
	t.Logf("the seed create's story (%d steps in the trace, %d foreground beats, %d background steps on the server):\n%s",
		d.Steps, d.Foreground, d.BackgroundSteps, strings.Join(lines, "\n"))
	if len(beats) < 5 || len(beats) > 15 {
		t.Errorf("the story shows %d foreground beats, want 5 to 15", len(beats))
	}
	want := []*regexp.Regexp{
		regexp.MustCompile(`^request apiserver: admin asks the API server to create Deployment default/helloworld-deployment: \d+ admission plugins .* etcd stores /registry/deployments/default/helloworld-deployment at revision \d+, and the answer is 201\.`),
		regexp.MustCompile(`^reconcile controller-manager: The deployment-controller sees .*ReplicaSet .*\(API writes: \d+\)`),
		regexp.MustCompile(`^reconcile controller-manager: The replicaset-controller sees .*pod`),
		regexp.MustCompile(`^schedule scheduler: The scheduler places pod default/helloworld-deployment-\S+ on node-\d`),
		regexp.MustCompile(`^kubelet kubelet/node-\d: The kubelet on node-\d pulls zxcvbnius/docker-demo:latest, starts pod .* Running at \d+\.\d+\.\d+\.\d+\.`),
	}
	var said []string
	for _, pb := range beats {
		said = append(said, pb.Kind+" "+pb.Component+": "+pb.Text)
	}
	if missing := missingInOrder(said, want); missing != nil {
		t.Errorf("the story never says %q after the beats before it:\n%s", missing, strings.Join(said, "\n"))
	}
	if len(said) > 0 && !strings.HasPrefix(said[0], "request apiserver: admin asks the API server to ") {
		t.Errorf("the story does not begin with the learner's request: %q", said[0])
	}

	// The swimlane has a lane for every component the trace touched, and kubectl.
	lanes := map[string]bool{"kubectl": true}
	for _, s := range d.StepList {
		lanes[s.Component] = true
	}
	for lane := range lanes {
		b.waitFor("the swimlane has the lane "+lane, fmt.Sprintf(`document.querySelector('#panel-story svg.swimlane [data-lane=%s]') !== null`, jsString(lane)), 5*time.Second)
	}
	drawn := eval[[]string](b, `[...document.querySelectorAll("#panel-story svg.swimlane [data-lane]")].map((g) => g.dataset.lane)`)
	t.Logf("swimlane lanes: %v", drawn)
	// The create touched every part of the seed article's story, so its swimlane has them all.
	for _, want := range []string{"kubectl", "apiserver", "etcd", "controller-manager", "scheduler", "kubelet/"} {
		if !slices.ContainsFunc(drawn, func(l string) bool { return l == want || (strings.HasSuffix(want, "/") && strings.HasPrefix(l, want)) }) {
			t.Errorf("the swimlane has no lane %s: %v", want, drawn)
		}
	}
	if n := eval[int](b, `document.querySelectorAll("#panel-story svg.swimlane g.sl-beat").length`); n != len(beats) {
		t.Errorf("the swimlane draws %d beats, the list %d", n, len(beats))
	}
	// The story at its start, in both languages, with the swimlane on top.
	for _, lang := range []string{"en", "zh-TW"} {
		b.set(lang, "dark")
		b.waitFor("the story in "+lang, fmt.Sprintf(`document.querySelector("#panel-story li.beat .beat-what") !== null && /\p{Script=Han}/u.test(document.querySelector("#panel-story li.beat .beat-what").textContent) === %v`, lang == "zh-TW"), 5*time.Second)
		eval[bool](b, `(document.querySelector("#panel-story").scrollTop = 0, true)`)
		if o := eval[string](b, overflow); o != "" {
			t.Errorf("%s: %s", lang, o)
		}
		b.snap("story-seed")
		if o := eval[string](b, swimlaneOverlap); o != "" {
			t.Errorf("%s: the swimlane: %s", lang, o)
		}
		labels := eval[[]string](b, `[...document.querySelectorAll("#panel-story svg.swimlane .lane-label")].map((t) => t.textContent)`)
		t.Logf("%s swimlane labels: %v", lang, labels)
		if han := slices.ContainsFunc(labels, func(l string) bool { return regexp.MustCompile(`\p{Han}`).MatchString(l) }); han != (lang == "zh-TW") {
			t.Errorf("%s: the swimlane's lanes read %v", lang, labels)
		}
		b.snapOf("swimlane-seed", "#panel-story svg.swimlane")
		// The background toggle counts the hidden steps in the learner's language.
		toggle := b.text("#panel-story .bg-toggle")
		n := eval[string](b, `document.querySelector("#panel-story .bg-toggle")?.dataset.count ?? ""`)
		if want := map[string]string{"en": "+ " + n + " background steps", "zh-TW": "+ " + n + " 個背景步驟"}[lang]; n == "" || n == "0" || toggle != want {
			t.Errorf("%s: the background toggle reads %q, want %q", lang, toggle, want)
		}
	}
	b.set("en", "dark")

	// The background: counted on the toggle, revealed in place.
	b.waitFor("the background toggle shows", `document.querySelector("#panel-story .bg-toggle") !== null`, 5*time.Second)
	count := eval[int](b, `Number(document.querySelector("#panel-story .bg-toggle").dataset.count)`)
	label := b.text("#panel-story .bg-toggle")
	t.Logf("background toggle: %q", label)
	if count == 0 || !strings.Contains(label, fmt.Sprintf("+ %d background steps", count)) {
		t.Errorf("the background toggle reads %q for %d steps", label, count)
	}
	if eval[int](b, `document.querySelectorAll("#panel-story li.beat.background").length`) != 0 {
		t.Errorf("background beats show before the toggle")
	}
	b.press("#panel-story .bg-toggle")
	b.waitFor("the background beats show in place", `document.querySelectorAll("#panel-story li.beat.background").length > 0`, 5*time.Second)
	shown := eval[int](b, `[...document.querySelectorAll("#panel-story li.beat.background")].reduce((n, li) => n + Number(li.dataset.steps), 0)`)
	if shown != count {
		t.Errorf("the revealed background beats hold %d steps, the toggle said %d", shown, count)
	}
	if hide := b.text("#panel-story .bg-toggle"); hide != fmt.Sprintf("− hide %d background steps", count) {
		t.Errorf("with the background shown the toggle reads %q", hide)
	}
	t.Logf("the seed create: %d foreground steps in %d beats, %d background steps in %d beats",
		eval[int](b, `[...document.querySelectorAll("#panel-story li.beat.foreground")].reduce((n, li) => n + Number(li.dataset.steps), 0)`), len(beats),
		shown, eval[int](b, `document.querySelectorAll("#panel-story li.beat.background").length`))
	if fg := eval[int](b, `document.querySelectorAll("#panel-story li.beat.foreground").length`); fg != len(beats) {
		t.Errorf("revealing the background changed the foreground beats from %d to %d", len(beats), fg)
	}
	eval[bool](b, `(document.querySelector("#panel-story li.beat.background").scrollIntoView({ block: "center" }), true)`)
	b.snap("story-seed-background")
	b.set("zh-TW", "dark")
	b.waitFor("the background toggle in Chinese", fmt.Sprintf(`document.querySelector("#panel-story .bg-toggle")?.textContent === %s`,
		jsString(fmt.Sprintf("− 隱藏 %d 個背景步驟", count))), 5*time.Second)
	eval[bool](b, `(document.querySelector("#panel-story li.beat.background").scrollIntoView({ block: "center" }), true)`)
	b.snap("story-seed-background")
	// The whole swimlane with its background rows is taller than the
	// window: a tall window shows it all.
	b.resize(1280, 1600)
	for _, lang := range []string{"zh-TW", "en"} {
		b.set(lang, "dark")
		eval[bool](b, `(document.querySelector("#panel-story").scrollTop = 0, true)`)
		if o := eval[string](b, swimlaneOverlap); o != "" {
			t.Errorf("%s: the swimlane with the background: %s", lang, o)
		}
		b.snapOf("swimlane-seed-background", "#panel-story svg.swimlane")
	}
	b.resize(1280, 720)
	b.set("en", "dark")
	b.press("#panel-story .bg-toggle")

	// Clicking a beat in the swimlane opens its steps; a step opens in the inspector.
	b.press(`#panel-story svg.swimlane g.sl-beat[data-kind="schedule"] circle`)
	b.waitFor("the scheduler's beat opens to its steps", `document.querySelectorAll('#panel-story li.beat[data-kind="schedule"].open .beat-steps button.step-link').length > 0`, 5*time.Second)
	seq := eval[int](b, `Number(document.querySelector('#panel-story li.beat[data-kind="schedule"] .step-link:last-of-type')?.dataset.seq ?? document.querySelector('#panel-story li.beat[data-kind="schedule"] .step-link').dataset.seq)`)
	b.snap("story-seed-beat-open")
	b.press(fmt.Sprintf(`#panel-story button.step-link[data-seq="%d"]`, seq))
	b.waitFor("the step is shown in the inspector", fmt.Sprintf(`!document.querySelector("#panel-inspector").hidden && document.querySelector("#narration .badge")?.textContent.startsWith("#%d ·")`, seq), 5*time.Second)
	b.click("#tab-story")

	// kubectl get in the terminal: the story follows it, as the article's last beat.
	b.click("#tab-terminal")
	b.do("typing in the terminal", chromedp.SendKeys(chromedp.CSS("input.term-in"), "get pods"+kb.Enter))
	b.waitFor("the terminal prints the pod", `document.querySelector(".term-out")?.textContent.includes("Running")`, 30*time.Second)
	b.click("#tab-story")
	b.waitFor("the story follows kubectl get", `[...document.querySelectorAll("#panel-story li.beat.foreground .beat-what")].some((e) => /^admin asks the API server to list pods, and the answer is 200\./.test(e.textContent))`, 10*time.Second)
	t.Logf("after kubectl get pods the story reads: %s", b.text("#panel-story li.beat.foreground .beat-what"))
	b.noExceptions()
}

// A page that opens shows the cluster as it is now, not a replay of the
// boot: the history is there to scrub, but the view starts at its end.
func TestAFreshPageOpensAtThePresentNotAtTheBoot(t *testing.T) {
	g := startGlassplane(t)
	var boot []steps.Step
	eventually(t, 30*time.Second, "the cluster's boot is recorded", func() (bool, string) {
		g.api("GET", "/steps?since=0&limit=10000", "", &boot)
		return len(boot) >= 100, fmt.Sprintf("%d steps", len(boot))
	})
	b := newBrowser(t, 1280, 720)
	b.open(g.URL)
	count := regexp.MustCompile(`(\d+)\D+(\d+)`)
	var at, of int
	b.waitFor("the step counter shows the history", `/\d+\D+\d+/.test(document.querySelector("#count").textContent)`, 10*time.Second)
	eventually(t, 10*time.Second, "the first screen is at the present", func() (bool, string) {
		m := count.FindStringSubmatch(b.text("#count"))
		if m == nil {
			return false, "no counter"
		}
		at, _ = strconv.Atoi(m[1])
		of, _ = strconv.Atoi(m[2])
		return of >= len(boot) && at >= of-40, fmt.Sprintf("step %d of %d", at, of)
	})
	t.Logf("first screen: step %d of %d (the boot recorded %d steps before the page opened)", at, of, len(boot))
	b.noExceptions()
}

// A lesson's "Do it for me" is followed as Apply is: the page follows the
// trace the lesson's action began, and the story tells it.
func TestTheStoryFollowsWhatALessonsDoItForMeBegan(t *testing.T) {
	g := startGlassplane(t)
	b := newBrowser(t, 1280, 720)
	b.open(g.URL + "#panel=lessons")
	pick := `[data-testid="lesson-pick-who-are-you"]`
	b.waitFor("the picker lists the RBAC lesson", fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(pick)), 10*time.Second)
	b.click(pick)
	b.waitFor("the lesson's first step offers to do it", `document.querySelector('[data-testid="lesson-do"]') !== null`, 10*time.Second)
	b.click(`[data-testid="lesson-do"]`)
	b.waitFor("the first step turns green", `document.querySelector('[data-testid="lesson-check"]')?.dataset.state === "passed"`, 30*time.Second)

	var trace string
	eventually(t, 10*time.Second, "the namespace's create is among the traces", func() (bool, string) {
		var list []server.TraceSummary
		g.api("GET", "/traces", "", &list)
		for _, s := range list {
			if s.Request["verb"] == "create" && s.Request["resource"] == "namespaces" && s.Request["name"] == "rbac-demo" {
				trace = s.Trace
			}
		}
		return trace != "", fmt.Sprintf("%d traces", len(list))
	})
	b.waitFor("the page follows the lesson's create", fmt.Sprintf(`document.querySelector("#trace").value === %s && location.hash.includes("trace=" + %[1]s)`,
		jsString(trace)), 10*time.Second)
	b.click("#tab-story")
	b.waitFor("the story tells the lesson's create", `[...document.querySelectorAll("#panel-story li.beat.foreground .beat-what")].some((e) =>
		/^admin asks the API server to create Namespace rbac-demo/.test(e.textContent))`, 10*time.Second)
	t.Logf("after the lesson's action the story reads: %s", b.text("#panel-story li.beat.foreground .beat-what"))
	b.snap("story-lesson-action")
	b.noExceptions()
}
