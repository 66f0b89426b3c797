package web_test

// The browser app in a real Chromium against a real Glassplane: what a
// learner sees when they apply the seed manifest, step the cluster, make a
// mistake, use the terminal, switch language and theme.

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/server"
)

// recordNarration makes the page remember every step its narration shows
// ("BADGE | WHAT"), so a test can check their order after the animation.
func (b *browser) recordNarration() {
	b.t.Helper()
	eval[bool](b, `(() => {
		window.__narrated = [];
		const el = document.getElementById("narration");
		new MutationObserver(() => {
			const badge = el.querySelector(".badge")?.textContent, what = el.querySelector(".what")?.textContent;
			if (!badge || !what) return;
			const line = badge + " | " + what;
			if (window.__narrated[window.__narrated.length - 1] !== line) window.__narrated.push(line);
		}).observe(el, { childList: true, subtree: true });
		return true; })()`)
}

func (b *browser) narrated() []string {
	b.t.Helper()
	return eval[[]string](b, `window.__narrated`)
}

// missingInOrder returns the first pattern that no line matches after the
// lines that matched the patterns before it (nil when all are there in order).
func missingInOrder(lines []string, patterns []*regexp.Regexp) *regexp.Regexp {
	i := 0
	for _, p := range patterns {
		for i < len(lines) && !p.MatchString(lines[i]) {
			i++
		}
		if i == len(lines) {
			return p
		}
		i++
	}
	return nil
}

var badgeSeq = regexp.MustCompile(`^#(\d+) ·`)

func TestApplyingTheSeedNarratesEachComponentInTurnUntilThePodRuns(t *testing.T) {
	g := startGlassplane(t)
	b := newBrowser(t, 1280, 720)
	b.open(g.URL)
	b.recordNarration()
	// 8×, not 16×: the page draws once per animation frame, and at 16× a
	// step of a busy beat is on screen for about 30 ms, which on a loaded
	// machine can pass between two frames without being drawn (the bind
	// step went unseen that way in a CI run). The narration is what was drawn.
	b.choose("#speed", "8")
	b.waitFor("the playground holds the seed manifest",
		`document.querySelector(".playground .cm-content")?.textContent.includes("helloworld-deployment")`, 5*time.Second)

	b.click(".playground button.primary")
	b.waitFor("Apply reports the Deployment created",
		`document.querySelector(".results .ok")?.textContent.includes("Deployment helloworld-deployment created")`, 20*time.Second)
	b.waitFor("the diagram shows a Running pod in a node's box",
		`document.querySelector('#diagram g[data-part^="kubelet/"] g.pod.phase-Running') !== null`, 45*time.Second)
	// The diagram shows the present; the narration tells the steps at the
	// chosen speed and may still be a few steps behind.
	b.waitFor("the narration reaches the kubelet reporting the pod Running",
		`window.__narrated.some((l) => /kubelet on node-\d · status \| The kubelet reports pod (default\/)?helloworld-deployment-\S+ as Running/.test(l))`, 90*time.Second)

	lines := b.narrated()
	want := []*regexp.Regexp{
		regexp.MustCompile(`authenticate \| The API server checks who is asking: it is `),
		regexp.MustCompile(`store \| etcd stores /registry/`),
		regexp.MustCompile(`scheduler · bind \| The scheduler binds pod (default/)?helloworld-deployment-`),
		regexp.MustCompile(`kubelet on node-\d · run \| The kubelet starts container my-pod`),
		regexp.MustCompile(`kubelet on node-\d · status \| The kubelet reports pod (default/)?helloworld-deployment-\S+ as Running`),
	}
	if missing := missingInOrder(lines, want); missing != nil {
		t.Errorf("the narration never reached %q after the steps before it; it showed %d steps:\n%s",
			missing, len(lines), strings.Join(lines, "\n"))
	}
	// Until Apply answers, the page stays at the present; then it goes back
	// once, to the first step of the action it follows, and from there it
	// only moves forward.
	last, backs := 0, 0
	for _, l := range lines {
		m := badgeSeq.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("a narrated step has no #seq badge: %q", l)
		}
		seq, _ := strconv.Atoi(m[1])
		if seq <= last {
			if backs++; backs > 1 {
				t.Errorf("the animation went back a second time, from step #%d to %q", last, l)
			}
		}
		last = seq
	}

	pods, err := g.cluster.Client("admin").CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{})
	if err != nil || len(pods.Items) != 1 {
		t.Fatalf("the seed should run one pod: %v %v", pods, err)
	}
	pod := pods.Items[0]
	box := fmt.Sprintf(`#diagram g[data-part="kubelet/%s"] g.pod.phase-Running`, pod.Spec.NodeName)
	if got := b.text(box); !strings.Contains(got, "Running") {
		t.Errorf("the box of %s shows %q, want the pod %s Running", pod.Spec.NodeName, got, pod.Name)
	}
	b.snap("seed-animated")
	b.noExceptions()
}

// pressed is a predicate: the toggle button is pressed.
func pressed(css string) string {
	return fmt.Sprintf(`document.querySelector(%s)?.getAttribute("aria-pressed") === "true"`, jsString(css))
}

func TestStepByStepHoldsTheClusterAndEachNextReleasesOneHeldStep(t *testing.T) {
	g := startGlassplane(t)
	b := newBrowser(t, 1280, 720)
	b.open(g.URL)
	b.choose("#speed", "16")
	b.click("#mode-step")
	b.waitFor("the step-by-step button is pressed", pressed("#mode-step"), 5*time.Second)
	if mode := g.pacer().Mode; mode != steps.ModeStep {
		t.Fatalf("after clicking step by step the pacer is in mode %q", mode)
	}
	// Where the mode buttons are while Next holds nothing: they must not
	// move once it counts held steps, or a click meant for Live lands
	// beside it as a step is held or released.
	const liveX = `document.querySelector("#mode-live").getBoundingClientRect().x`
	idleX := eval[float64](b, liveX)

	b.click(".playground button.primary")
	var held []steps.Step
	eventually(t, 10*time.Second, "the apply's first step is held", func() (bool, string) {
		held = g.pacer().Waiting
		return len(held) > 0, fmt.Sprint(seqs(held))
	})
	// Follow the apply's own action, as a learner picks it in the Action
	// list: the test cluster's node leases write many steps a second, and
	// the live narration would trail behind them.
	trace := held[0].Trace
	b.waitFor("the apply appears in the Action list",
		fmt.Sprintf(`[...document.querySelectorAll("#trace option")].some((o) => o.value === %s)`, jsString(trace)), 10*time.Second)
	b.choose("#trace", trace)

	for click := 1; click <= 4; click++ {
		var before []steps.Step
		eventually(t, 10*time.Second, "the Next button counts the held steps", func() (bool, string) {
			before = g.pacer().Waiting
			label := b.text("#next")
			return len(before) > 0 && label == fmt.Sprintf("Next (%d held)", len(before)), fmt.Sprintf("label %q, held %v", label, seqs(before))
		})
		if x := eval[float64](b, liveX); x != idleX {
			t.Errorf("with %q on Next the Live button is at x=%v, with nothing held at x=%v: the buttons move as steps are held", b.text("#next"), x, idleX)
		}
		mine := lastOf(before, trace)
		b.waitFor(fmt.Sprintf("the narration shows the held step #%d", mine.Seq), fmt.Sprintf(`(() => {
			const badge = document.querySelector("#narration .badge");
			return badge?.classList.contains("outcome-waiting") && badge.textContent.startsWith(%s) &&
				document.querySelector("#narration .what").textContent.includes("Press Next"); })()`,
			jsString(fmt.Sprintf("#%d ·", mine.Seq))), 10*time.Second)

		b.click("#next")
		var after []steps.Step
		eventually(t, 10*time.Second, fmt.Sprintf("click %d releases the oldest held step #%d", click, before[0].Seq), func() (bool, string) {
			after = g.pacer().Waiting
			return !slices.Contains(seqs(after), before[0].Seq), fmt.Sprint(seqs(after))
		})
		for _, s := range before[1:] {
			if !slices.Contains(seqs(after), s.Seq) {
				t.Errorf("click %d released #%d too (held before %v, after %v): Next must release exactly one step",
					click, s.Seq, seqs(before), seqs(after))
			}
		}
	}

	b.click("#mode-live")
	b.waitFor("the live button is pressed", pressed("#mode-live"), 5*time.Second)
	b.waitFor("Apply finishes once the cluster runs live",
		`document.querySelector(".results .ok")?.textContent.includes("Deployment helloworld-deployment created")`, 20*time.Second)
	b.waitFor("the Next button holds nothing and is disabled",
		`document.querySelector("#next").textContent === "Next" && document.querySelector("#next").disabled`, 10*time.Second)
	if w := g.pacer().Waiting; len(w) != 0 {
		t.Errorf("in live mode the pacer still holds %v", seqs(w))
	}
	b.noExceptions()
}

func seqs(ss []steps.Step) []uint64 {
	out := make([]uint64, len(ss))
	for i, s := range ss {
		out[i] = s.Seq
	}
	return out
}

// lastOf returns the newest of held that belongs to trace.
func lastOf(held []steps.Step, trace string) steps.Step {
	for i := len(held) - 1; i >= 0; i-- {
		if held[i].Trace == trace {
			return held[i]
		}
	}
	return held[len(held)-1]
}

func TestAnInvalidManifestShowsThe422AndMarksTheLineOfItsCause(t *testing.T) {
	g := startGlassplane(t)
	b := newBrowser(t, 1280, 720)
	b.open(g.URL)
	b.choose(".playground select", "badselector")
	b.waitFor("the editor holds the bad selector example",
		`document.querySelector(".playground .cm-content")?.textContent.includes("another-thing")`, 5*time.Second)
	b.click(".playground button.primary")
	b.waitFor("Apply reports the Deployment invalid",
		`document.querySelector(".results .bad")?.textContent.includes("is invalid")`, 20*time.Second)

	// What the server says about this very text: the 422 and its cause's line.
	doc := eval[string](b, `[...document.querySelectorAll(".playground .cm-content .cm-line")].map((l) => l.textContent).join("\n") + "\n"`)
	var answer struct{ Results []server.ApplyResult }
	g.apiAnswer("POST", "/apply", doc, 422, &answer)
	if len(answer.Results) != 1 || answer.Results[0].Status == nil || answer.Results[0].Status.Code != 422 || len(answer.Results[0].CauseLines) == 0 {
		t.Fatalf("the server should answer 422 with the line of each cause: %+v", answer)
	}
	r := answer.Results[0]
	shown := b.text(".results .bad")
	if want := "✗ Deployment mismatched: " + r.Status.Message; shown != want {
		t.Errorf("the playground says %q, want the 422's message %q", shown, want)
	}
	if !strings.Contains(shown, "`selector` does not match template `labels`") {
		t.Errorf("the playground says %q, want it to say why", shown)
	}

	marked := eval[[]int](b, `(() => {
		const lines = [...document.querySelectorAll(".playground .cm-content .cm-line")];
		return lines.flatMap((l, i) => l.querySelector(".cm-lintRange-error") ? [i + 1] : []); })()`)
	gutter := eval[[]string](b, `(() => {
		const numbers = [...document.querySelectorAll(".playground .cm-lineNumbers .cm-gutterElement")];
		return [...document.querySelectorAll(".playground .cm-lint-marker-error")].map((m) => {
			const top = m.closest(".cm-gutterElement").getBoundingClientRect().top;
			return numbers.find((n) => Math.abs(n.getBoundingClientRect().top - top) < 2)?.textContent ?? "?"; }); })()`)
	want := r.CauseLines[0]
	if !slices.Equal(marked, []int{want}) {
		t.Errorf("the editor underlines lines %v, want line %d (the server's cause %q)", marked, want, r.Status.Details.Causes[0].Field)
	}
	if !slices.Equal(gutter, []string{fmt.Sprint(want)}) {
		t.Errorf("the lint gutter marks lines %v, want line %d", gutter, want)
	}
	if line := strings.Split(doc, "\n")[want-1]; strings.TrimSpace(line) != "labels:" {
		t.Errorf("line %d is %q, want the template's labels: (spec.template.metadata.labels)", want, line)
	}
	b.snap("bad-selector")
	b.noExceptions()
}

func TestTheTerminalRunsKubectlGetPodsWide(t *testing.T) {
	g := startGlassplane(t)
	pod := g.applySeed()
	b := newBrowser(t, 1280, 720)
	b.open(g.URL)
	b.click("#tab-terminal")
	b.do("typing in the terminal", chromedp.SendKeys(chromedp.CSS("input.term-in"), "get pods -o wide"+kb.Enter))
	b.waitFor("the terminal prints the pod",
		fmt.Sprintf(`document.querySelector(".term-out")?.textContent.includes(%s)`, jsString(pod.Name)), 30*time.Second)

	out := b.text(".term-out")
	lines := strings.Split(out, "\n")
	if lines[0] != "$ kubectl get pods -o wide" {
		t.Errorf("the terminal echoes %q, want the command", lines[0])
	}
	header, row := "", ""
	for _, l := range lines {
		if strings.HasPrefix(l, "NAME ") {
			header = l
		}
		if strings.HasPrefix(l, pod.Name+" ") {
			row = l
		}
	}
	if !regexp.MustCompile(`^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$`).MatchString(header) {
		t.Fatalf("no wide header in the terminal:\n%s", out)
	}
	f := strings.Fields(row)
	if len(f) < 7 || f[1] != "1/1" || f[2] != "Running" || f[5] != pod.Status.PodIP || f[6] != pod.Spec.NodeName {
		t.Errorf("the pod's row is %q, want %s 1/1 Running with IP %s on %s", row, pod.Name, pod.Status.PodIP, pod.Spec.NodeName)
	}
	for _, col := range []string{"IP", "NODE"} {
		value := map[string]string{"IP": pod.Status.PodIP, "NODE": pod.Spec.NodeName}[col]
		if h, v := strings.Index(header, " "+col+" ")+1, strings.Index(row, " "+value+" ")+1; h != v {
			t.Errorf("column %s starts at %d in the header but its value at %d: the columns are not intact\n%s\n%s", col, h, v, header, row)
		}
	}
	b.snap("terminal")
	b.noExceptions()
}

var han = regexp.MustCompile(`\p{Han}`)

func TestTraditionalChineseNarratesAndIsRememberedAfterReload(t *testing.T) {
	g := startGlassplane(t)
	b := newBrowser(t, 1280, 720)
	b.open(g.URL)
	b.waitFor("the narration explains a step", `document.querySelector("#narration .what")?.textContent.length > 0`, 10*time.Second)
	if what := b.text("#narration .what"); han.MatchString(what) {
		t.Fatalf("an English browser's first narration is already Chinese: %q", what)
	}

	b.click("#lang")
	b.waitFor("the page turns to Traditional Chinese", `document.documentElement.lang === "zh-Hant-TW"`, 5*time.Second)
	b.waitFor("the narration is in Chinese", `/\p{Script=Han}/u.test(document.querySelector("#narration .what")?.textContent ?? "")`, 5*time.Second)
	if tab := b.text("#tab-playground"); tab != "練習場" {
		t.Errorf("the playground tab reads %q, want 練習場", tab)
	}

	b.do("reloading", chromedp.Reload())
	b.waitFor("the page reconnects", `document.querySelector("#conn.conn-open") !== null`, 20*time.Second)
	b.waitFor("the reloaded page narrates in Chinese again",
		`document.documentElement.lang === "zh-Hant-TW" && /\p{Script=Han}/u.test(document.querySelector("#narration .what")?.textContent ?? "")`, 10*time.Second)
	if btn := b.text("#lang"); btn != "English" {
		t.Errorf("after the reload the language button reads %q, want English (the way back)", btn)
	}
	if what := b.text("#narration .what"); !han.MatchString(what) {
		t.Errorf("after the reload the narration reads %q", what)
	}
	b.noExceptions()
}

// TestScreenshotsOfTheRunningSeed saves the page after the seed runs, in both
// sizes, languages and themes, for a human to look at (artifacts/seed-*.png),
// and checks what a machine can: nothing overflows the window.
func TestScreenshotsOfTheRunningSeed(t *testing.T) {
	g := startGlassplane(t)
	g.applySeed()
	// Open the shared link of the step where etcd stores the pod as Running.
	// The API server records a store step just after etcd commits the write,
	// so the Running pod can be read a moment before its step is recorded:
	// look until it is.
	var stored *steps.Step
	eventually(t, 30*time.Second, "a step stores the seed's pod as Running", func() (bool, string) {
		var all []steps.Step
		g.api("GET", "/steps?since=0", "", &all)
		stored = podStoredRunning(all)
		return stored != nil, fmt.Sprintf("%d steps, none stores the pod as Running after the kubelet reported it", len(all))
	})
	b := newBrowser(t, 1280, 720)
	b.open(fmt.Sprintf("%s#step=%d&trace=%s", g.URL, stored.Seq, stored.Trace))
	b.waitFor("the linked step is narrated", fmt.Sprintf(`document.querySelector("#narration .badge")?.textContent.startsWith("#%d ·")`, stored.Seq), 10*time.Second)
	b.click("#narration .intro button") // "Got it"
	b.waitFor("the diagram shows the Running pod", `document.querySelector('#diagram g[data-part^="kubelet/"] g.pod.phase-Running') !== null`, 5*time.Second)

	for _, size := range [][2]int64{{1280, 720}, {1920, 1080}} {
		b.resize(size[0], size[1])
		for _, lang := range []string{"en", "zh-TW"} {
			for _, theme := range []string{"dark", "light"} {
				b.set(lang, theme)
				if o := eval[string](b, overflow); o != "" {
					t.Errorf("%dx%d %s %s: %s", size[0], size[1], lang, theme, o)
				}
				b.snap("seed")
			}
		}
	}
	b.noExceptions()
}

// podStoredRunning finds the step where etcd stores a pod whose kubelet has
// just reported it Running.
func podStoredRunning(all []steps.Step) *steps.Step {
	reported := false
	for i, s := range all {
		if strings.HasPrefix(s.Component, "kubelet/") && s.Message.Key == "kubelet.pod.status" && s.Message.Args["phase"] == "Running" {
			reported = true
		}
		if reported && s.Component == steps.Etcd && s.Stage == steps.Store && s.Object.Kind == "Pod" {
			return &all[i]
		}
	}
	return nil
}

// set switches language and theme with the header's buttons.
func (b *browser) set(lang, theme string) {
	b.t.Helper()
	htmlLang := map[string]string{"en": "en", "zh-TW": "zh-Hant-TW"}[lang]
	if eval[string](b, `document.documentElement.lang`) != htmlLang {
		b.click("#lang")
	}
	if eval[string](b, `document.body.dataset.theme`) != theme {
		b.click("#theme")
	}
	b.waitFor(lang+" "+theme, fmt.Sprintf(`document.documentElement.lang === %s && document.body.dataset.theme === %s`,
		jsString(htmlLang), jsString(theme)), 5*time.Second)
}

// overflow describes what sticks out of the window or out of its box ("" when
// nothing does): the page itself, the bars, clipped buttons and tabs, and any
// text of the diagram wider than the box it is drawn in.
const overflow = `(() => {
	const out = [], W = innerWidth, H = innerHeight, de = document.documentElement;
	if (de.scrollWidth > W || de.scrollHeight > H) out.push("the page scrolls: " + de.scrollWidth + "×" + de.scrollHeight);
	for (const el of document.querySelectorAll("header, footer.controls, #narration, #tabs")) {
		const r = el.getBoundingClientRect();
		if (r.right > W + 1 || r.bottom > H + 1 || r.left < -1) out.push((el.id || el.tagName) + " is outside the window");
	}
	for (const el of document.querySelectorAll("header button, footer button, #tabs, #tabs button, .pacer span")) {
		if (el.scrollWidth > el.clientWidth + 1) out.push("clipped: " + (el.id || el.textContent));
	}
	for (const g of document.querySelectorAll("#diagram g[data-part], #diagram g.objects")) {
		const box = g.querySelector(".box")?.getBBox();
		if (!box) continue;
		for (const t of g.querySelectorAll("text")) {
			const b = t.getBBox();
			if (b.width && (b.x < box.x - 1 || b.x + b.width > box.x + box.width + 1))
				out.push("the text " + JSON.stringify(t.textContent) + " sticks out of " + (g.dataset.part || "objects"));
		}
	}
	return out.join("; "); })()`

func TestAMisspeltFieldIsRefusedAndMarkedAtItsOwnLine(t *testing.T) {
	g := startGlassplane(t)
	b := newBrowser(t, 1280, 720)
	b.open(g.URL)
	b.choose(".playground select", "unknownfield")
	b.waitFor("the editor holds the misspelt field example",
		`document.querySelector(".playground .cm-content")?.textContent.includes("labelz")`, 5*time.Second)
	b.click(".playground button.primary")
	b.waitFor("Apply reports the unknown field",
		`document.querySelector(".results .bad")?.textContent.includes("unknown field")`, 20*time.Second)
	if shown := b.text(".results .bad"); !strings.HasPrefix(shown, "✗ ConfigMap misspelt: ") || !strings.Contains(shown, `unknown field "metadata.labelz"`) {
		t.Errorf("the playground says %q", shown)
	}
	lines := eval[[]string](b, `[...document.querySelectorAll(".playground .cm-content .cm-line")].map((l) => l.textContent)`)
	marked := eval[[]int](b, `[...document.querySelectorAll(".playground .cm-content .cm-line")].flatMap((l, i) => l.querySelector(".cm-lintRange-error") ? [i + 1] : [])`)
	if len(marked) != 1 || strings.TrimSpace(lines[marked[0]-1]) != "labelz:" {
		t.Errorf("the editor marks lines %v of %q, want the labelz: line", marked, lines)
	}
	b.snap("misspelt-field")
	b.noExceptions()
}
