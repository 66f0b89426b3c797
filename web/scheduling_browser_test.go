package web_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// A replica that repels its siblings and finds every node taken: its filter
// step opens in the inspector on the decision table, where the
// InterPodAffinity row says on every node why, next to the
// PodTopologySpread row.
func TestTheFilterTableShowsWhyAReplicaWithAntiAffinityWaits(t *testing.T) {
	g := startGlassplane(t)
	g.api("POST", "/apply", antiAffinityWeb, nil)
	var failed *steps.Step
	eventually(t, 90*time.Second, "a filter step finds no node for a web pod", func() (bool, string) {
		var all []steps.Step
		g.api("GET", "/steps?since=0", "", &all)
		running := 0
		for i, s := range all {
			if s.Component == steps.Scheduler && s.Stage == steps.Bind && s.Outcome == steps.OK {
				running++
			}
			if s.Component == steps.Scheduler && s.Stage == steps.Filter && s.Outcome == steps.Failed {
				failed = &all[i]
			}
		}
		if failed == nil && running >= 3 {
			g.api("POST", "/kubectl", `{"args":["scale","deployment","web","--replicas=4"]}`, nil)
		}
		return failed != nil, fmt.Sprintf("%d steps, %d pods bound", len(all), running)
	})
	b := newBrowser(t, 1280, 720)
	b.open(fmt.Sprintf("%s#step=%d&trace=%s", g.URL, failed.Seq, failed.Trace))
	eval[bool](b, `(document.querySelector("#narration .intro button")?.click(), true)`)
	b.waitFor("the linked step is narrated", fmt.Sprintf(`document.querySelector("#narration .badge")?.textContent.startsWith("#%d ·")`, failed.Seq), 10*time.Second)
	b.click("#tab-inspector")
	b.waitFor("the decision table with a row per filter plugin", `(() => {
		const rows = [...document.querySelectorAll("#panel-inspector table.filter tbody tr")];
		const row = (name) => rows.find((r) => r.querySelector("th")?.textContent === name);
		const anti = row("InterPodAffinity"), spread = row("PodTopologySpread");
		return anti && spread && [...anti.querySelectorAll("td")].length === 3 &&
			[...anti.querySelectorAll("td")].every((td) => td.textContent === "✗ node(s) didn't match pod anti-affinity rules") &&
			[...spread.querySelectorAll("td")].every((td) => td.textContent === "✓"); })()`, 10*time.Second)
	b.snap("anti-affinity-filter-table")
	b.noExceptions()
}

const antiAffinityWeb = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchLabels: {app: web}
            topologyKey: kubernetes.io/hostname
      containers:
      - name: web
        image: nginx:1.27
`
