package web_test

// The terminal in a real Chromium: the seed article's own command, typed as
// the article prints it, and a manifest pasted after `kubectl create -f -`.
// Uses the harness of browsertest_test.go.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestTheTerminalRunsTheArticlesCommandAndShowsTheDeprecationWarning: typing
// `kubectl create -f hello-deployment.yaml` creates the seed Deployment from
// the terminal's built-in file and prints kubectl's Warning about
// apps/v1beta2; a path is still refused.
func TestTheTerminalRunsTheArticlesCommandAndShowsTheDeprecationWarning(t *testing.T) {
	g := startGlassplane(t)
	b := newBrowser(t, 1280, 720)
	b.open(g.URL)
	b.click("#tab-terminal")
	b.do("typing the article's command", chromedp.SendKeys(chromedp.CSS("input.term-in"), "kubectl create -f hello-deployment.yaml"+kb.Enter))
	b.waitFor("the terminal says the Deployment was created",
		`document.querySelector(".term-out")?.textContent.includes("deployment.apps/helloworld-deployment created")`, 30*time.Second)
	out := b.text(".term-out")
	if !strings.Contains(out, "$ kubectl create -f hello-deployment.yaml") {
		t.Errorf("the terminal does not echo the command:\n%s", out)
	}
	if !strings.Contains(out, "Warning: apps/v1beta2 Deployment is deprecated") {
		t.Errorf("the terminal does not show kubectl's Warning about apps/v1beta2:\n%s", out)
	}
	if warn := eval[string](b, `[...document.querySelectorAll(".term-out .err")].map((e) => e.textContent).join("")`); !strings.Contains(warn, "Warning:") {
		t.Errorf("the Warning is not printed as kubectl's stderr: %q", warn)
	}
	b.snap("terminal-create-hello-deployment")

	b.do("typing a path", chromedp.SendKeys(chromedp.CSS("input.term-in"), "create -f /etc/passwd"+kb.Enter))
	b.waitFor("a path is refused, with the files the terminal has",
		`document.querySelector(".term-out")?.textContent.includes("files cannot be read here") &&
		document.querySelector(".term-out")?.textContent.includes("hello-pod.yaml")`, 30*time.Second)
	b.noExceptions()
}

// TestTheTerminalTakesAPastedManifestForCreateFromInput: pasting a manifest
// of several lines into the prompt opens a box for it; Run sends it as
// kubectl's input for `create -f -`.
func TestTheTerminalTakesAPastedManifestForCreateFromInput(t *testing.T) {
	g := startGlassplane(t)
	b := newBrowser(t, 1280, 720)
	b.open(g.URL)
	b.click("#tab-terminal")
	b.do("typing create -f -", chromedp.SendKeys(chromedp.CSS("input.term-in"), "create -f -"))
	manifest := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pasted\ndata:\n  from: clipboard\n"
	b.do("pasting a manifest", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const dt = new DataTransfer(); dt.setData("text/plain", %s);
		document.querySelector("input.term-in").dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
	})()`, jsString(manifest))))
	b.waitFor("the manifest box opens with the pasted text",
		fmt.Sprintf(`!document.querySelector(".term-stdin").hidden && document.querySelector(".term-stdin-text").value === %s`, jsString(manifest)), 10*time.Second)
	b.snap("terminal-pasted-manifest")
	b.click(`[data-testid="term-stdin-run"]`)
	b.waitFor("kubectl creates the pasted ConfigMap",
		`document.querySelector(".term-out")?.textContent.includes("configmap/pasted created")`, 30*time.Second)
	if !eval[bool](b, `document.querySelector(".term-stdin").hidden`) {
		t.Error("the manifest box stays open after Run")
	}
	b.noExceptions()
}

// TestThePlaygroundShowsTheDeprecationWarningUnderItsResult: applying the
// preloaded seed shows, beside "created", the Warning kubectl would print
// for apps/v1beta2.
func TestThePlaygroundShowsTheDeprecationWarningUnderItsResult(t *testing.T) {
	g := startGlassplane(t)
	b := newBrowser(t, 1280, 720)
	b.open(g.URL)
	b.click(".playground button.primary")
	b.waitFor("the playground shows the Deployment created and the Warning",
		`(document.querySelector(".playground .results")?.textContent ?? "").includes("created") &&
		(document.querySelector('[data-testid="apply-warning"]')?.textContent ?? "").includes("Warning: apps/v1beta2 Deployment is deprecated")`, 30*time.Second)
	b.click("#tab-playground") // Apply moved on to the story; the result stays in the playground
	b.waitFor("the Warning is on screen in the playground",
		`document.querySelector('[data-testid="apply-warning"]')?.getClientRects().length > 0`, 10*time.Second)
	b.snap("playground-warning")
	b.noExceptions()
}
