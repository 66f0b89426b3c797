package web_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/glassplane/glassplane/controlplane"
)

// leaderJS reads the leader member the diagram shows: "name term", or "".
const leaderJS = `(() => { const m = document.querySelector('#diagram g.member[data-role="leader"]');
	return m ? m.dataset.part + " " + m.dataset.term : ""; })()`

func TestThreeEtcdMembersOnTheDiagramShowTheLeaderAndAnElectionWhenItIsStopped(t *testing.T) {
	g := startGlassplaneWith(t, controlplane.Config{EtcdMembers: 3})
	g.applySeed()
	b := newBrowser(t, 1280, 720)
	b.open(g.URL)
	eval[bool](b, `(document.querySelector("#narration .intro button")?.click(), true)`)
	b.waitFor("three members, one of them the leader", `document.querySelectorAll('#diagram g.member').length === 3 &&
		document.querySelectorAll('#diagram g.member[data-role="leader"]').length === 1 &&
		document.querySelectorAll('#diagram g.member[data-role="follower"]').length === 2`, 20*time.Second)
	var first string
	var firstTerm int
	fmt.Sscan(eval[string](b, leaderJS), &first, &firstTerm)
	b.snap("etcd-members")

	// The diagram is redrawn as the members report; click in one go.
	eval[bool](b, `(document.querySelector('#diagram g.member[data-role="leader"]').dispatchEvent(new MouseEvent("click", { bubbles: true })), true)`)
	b.waitFor("the inspector offers to stop the member", `[...document.querySelectorAll('#panel-inspector .part-view .actions button')].some((x) => x.textContent === "Stop this etcd member")`, 10*time.Second)
	eval[bool](b, `([...document.querySelectorAll('#panel-inspector .part-view .actions button')].find((x) => x.textContent === "Stop this etcd member").click(), true)`)
	b.waitFor("the stopped leader marked and a new leader elected in a later term", fmt.Sprintf(`(() => {
		const stopped = document.querySelector('#diagram g.member[data-part=%q]')?.dataset.role === "stopped";
		const l = document.querySelector('#diagram g.member[data-role="leader"]');
		return stopped && l && l.dataset.part !== %q && Number(l.dataset.term) > %d; })()`, first, first, firstTerm), 20*time.Second)
	b.snap("etcd-election")
	b.waitFor("the inspector shows the stopped member and offers to start it", `[...document.querySelectorAll('#panel-inspector .part-view .actions button')].some((x) => x.textContent === "Start this etcd member")`, 10*time.Second)
	b.noExceptions()
}
