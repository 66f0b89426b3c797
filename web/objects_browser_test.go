package web_test

import (
	"testing"
	"time"
)

// The objects box at scale: a Deployment scaled to 30 says how many of its
// pods are ready, its pods fold into a count, and a pod the scheduler cannot
// place says why on the diagram itself.
func TestTheObjectsBoxShowsReadyCountsFoldsManyPodsAndSaysWhyAPodWaits(t *testing.T) {
	g := startGlassplane(t)
	g.applySeed()
	g.api("POST", "/kubectl", `{"args":["scale","deployment","helloworld-deployment","--replicas=30"]}`, nil)
	g.api("POST", "/apply", hugePod, nil)
	b := newBrowser(t, 1280, 720)
	b.open(g.URL)
	eval[bool](b, `(document.querySelector("#narration .intro button")?.click(), true)`)
	b.waitFor("the Deployment 30/30 ready, the pods folded, the huge pod Unschedulable", `(() => {
		const text = document.querySelector("#diagram g.objects")?.textContent ?? "";
		return text.includes("30/30 ready") && /\+\d+ pods: \d+ Running/.test(text) &&
			document.querySelector('#diagram g.obj[data-object="Pod/default/huge"] text.reason')?.textContent === "Unschedulable"; })()`, 90*time.Second)
	b.snap("objects-at-scale")
	b.noExceptions()
}

const hugePod = `apiVersion: v1
kind: Pod
metadata:
  name: huge
spec:
  containers:
  - name: app
    image: nginx:1.27
    resources:
      requests:
        cpu: "100"
`
