package web_test

import (
	"testing"
	"time"
)

const deploymentOnDiagram = `document.querySelector('#diagram g.obj[data-object="Deployment/default/helloworld-deployment"]') !== null`

// A learner saves a snapshot from the etcd pane, deletes their Deployment,
// restores, and watches the Deployment come back on the diagram, told as
// their own act.
func TestALearnerSavesASnapshotDeletesTheDeploymentAndRestoresItFromTheEtcdPane(t *testing.T) {
	g := startGlassplane(t)
	g.applySeed()
	b := newBrowser(t, 1280, 800)
	b.open(g.URL)
	eval[bool](b, `(document.querySelector("#narration .intro button")?.click(), true)`)
	b.waitFor("the seed's Deployment on the diagram", deploymentOnDiagram, 30*time.Second)

	b.click("#tab-etcd")
	b.waitFor("the pane offers to save a snapshot", `document.querySelector("#snapshot-save") !== null`, 10*time.Second)
	b.click("#snapshot-save")
	b.waitFor("the saved snapshot listed with its Deployment", `[...document.querySelectorAll("#panel-etcd .snapshot-list li")].some((li) => li.textContent.includes("Deployment 1"))`, 15*time.Second)
	b.snap("snapshot-saved")

	g.api("POST", "/kubectl", `{"args":["delete","deployment","helloworld-deployment"]}`, nil)
	b.waitFor("the Deployment gone from the diagram", `!(`+deploymentOnDiagram+`)`, 60*time.Second)

	b.click("#panel-etcd .snapshot-list li button.restore")
	b.waitFor("the Deployment back on the diagram", deploymentOnDiagram, 60*time.Second)
	b.click("#tab-story")
	b.waitFor("the story tells the restore as the learner's act", `[...document.querySelectorAll('#panel-story li.beat.foreground[data-kind="component"]')].some((li) => li.textContent.includes("You restore the snapshot"))`, 30*time.Second)
	// The page follows the restore's trace from its beginning: the
	// Deployment is on the diagram again once its store step has played.
	b.waitFor("the Deployment on the diagram after the restore played", deploymentOnDiagram, 60*time.Second)
	b.snap("snapshot-restored")
	b.noExceptions()
}
