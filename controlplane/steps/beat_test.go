package steps

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// loadTrace reads a trace recorded from a real cluster (see
// controlplane/beats_fixtures_test.go for how they are made).
func loadTrace(t *testing.T, name string) []Step {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "beats", name+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Step
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var s Step
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func foreground(bs []Beat) []Beat {
	var out []Beat
	for _, b := range bs {
		if !b.Background {
			out = append(out, b)
		}
	}
	return out
}

func TestEveryStepBelongsToExactlyOneBeat(t *testing.T) {
	for _, name := range []string{"seed-create", "scale-to-5", "delete-cascade", "invalid-422", "forbidden-403", "node-failure"} {
		trace := loadTrace(t, name)
		seen := map[uint64]int{}
		for _, b := range Beats(trace) {
			for _, seq := range b.Steps {
				seen[seq]++
			}
		}
		for _, s := range trace {
			if seen[s.Seq] != 1 {
				t.Errorf("%s: step #%d (%s %s) is in %d beats", name, s.Seq, s.Component, s.Stage, seen[s.Seq])
			}
		}
	}
}

func TestTheSeedCreateTellsTheArticlesStoryInFiveForegroundBeats(t *testing.T) {
	trace := loadTrace(t, "seed-create")
	all := Beats(trace)
	fg := foreground(all)
	want := []struct{ kind, component, who string }{
		{BeatRequest, APIServer, "admin"},
		{BeatReconcile, ControllerManager, "deployment-controller"},
		{BeatReconcile, ControllerManager, "replicaset-controller"},
		{BeatSchedule, Scheduler, ""},
		{BeatKubelet, "kubelet/", ""},
	}
	if len(fg) != len(want) {
		for _, b := range fg {
			t.Logf("%s %s %v", b.Kind, b.Component, b.Headline.Args)
		}
		t.Fatalf("%d foreground beats of %d, want %d", len(fg), len(all), len(want))
	}
	for i, w := range want {
		b := fg[i]
		if b.Kind != w.kind || !strings.HasPrefix(b.Component, w.component) {
			t.Errorf("beat %d is %s by %s, want %s by %s", i, b.Kind, b.Component, w.kind, w.component)
		}
		if who := b.Headline.Args["user"] + b.Headline.Args["controller"]; w.who != "" && !strings.Contains(who, w.who) {
			t.Errorf("beat %d headline %v does not name %s", i, b.Headline.Args, w.who)
		}
	}
	req := fg[0].Headline.Args
	if req["verb"] != "create" || req["code"] != "201" || req["plugins"] != "5" || req["revision"] == "" ||
		req["key"] != "/registry/deployments/default/helloworld-deployment" {
		t.Errorf("the request's headline lacks the real values: %v", req)
	}
	if s := fg[3].Headline.Args; s["node"] == "" || s["feasible"] != "3" {
		t.Errorf("the scheduler's headline lacks the chosen node: %v", s)
	}
	if k := fg[4].Headline.Args; k["image"] != "zxcvbnius/docker-demo:latest" || k["phase"] != "Running" || k["podIP"] == "" {
		t.Errorf("the kubelet's headline lacks the image, phase or pod IP: %v", k)
	}
	steps := 0
	for _, b := range fg {
		steps += len(b.Steps)
	}
	t.Logf("seed create: %d steps, %d beats, %d foreground beats holding %d steps", len(trace), len(all), len(fg), steps)
}

func TestScalingToFiveIsARequestAReconcileAndFourPodsPlacedAndRun(t *testing.T) {
	fg := foreground(Beats(loadTrace(t, "scale-to-5")))
	count := map[string]int{}
	for _, b := range fg {
		count[b.Kind]++
	}
	if count[BeatRequest] != 1 || count[BeatSchedule] != 4 || count[BeatKubelet] < 4 || count[BeatReconcile] < 2 || len(fg) > 15 {
		t.Errorf("scale to 5: %v in %d foreground beats", count, len(fg))
	}
	if fg[0].Kind != BeatRequest || fg[0].Headline.Args["resource"] != "deployments.apps/scale" {
		t.Errorf("the story does not begin with the scale request: %+v", fg[0])
	}
}

func TestARefusedRequestIsOneBeatThatSaysWhy(t *testing.T) {
	for _, c := range []struct{ name, outcome, code, user string }{
		{"invalid-422", Invalid, "422", "admin"},
		{"forbidden-403", Denied, "403", "alice"},
	} {
		bs := Beats(loadTrace(t, c.name))
		if len(bs) != 1 || bs[0].Background {
			t.Fatalf("%s: %d beats (%+v), want one foreground beat", c.name, len(bs), bs)
		}
		h := bs[0].Headline.Args
		if h["outcome"] != c.outcome || h["code"] != c.code || h["user"] != c.user || h["revision"] != "" {
			t.Errorf("%s: headline %v, want outcome %s, code %s, user %s and nothing stored", c.name, h, c.outcome, c.code, c.user)
		}
	}
}

func TestADeleteIsTheLearnersRequest(t *testing.T) {
	fg := foreground(Beats(loadTrace(t, "delete-cascade")))
	if len(fg) == 0 || fg[0].Headline.Args["verb"] != "delete" || fg[0].Headline.Args["code"] != "200" {
		t.Errorf("delete: %+v", fg)
	}
}

func TestBackgroundTracesAreAllBackground(t *testing.T) {
	trace := loadTrace(t, "seed-create")
	for i := range trace {
		trace[i].Trace = "not-a-person" // no request by a person begins it
		trace[i].Parent = trace[i].Parent + 1_000_000_000
	}
	if fg := foreground(Beats(trace)); len(fg) != 0 {
		t.Errorf("%d foreground beats in a trace no person began", len(fg))
	}
}

// A node failure (node-2's kubelet stopped) is one trace, begun by the node
// lifecycle controller: it marks node-2 Unknown and taints it, evicts the
// pod that ran there, the ReplicaSet controller creates a replacement, the
// scheduler places it on one of the two nodes left and that node's kubelet
// runs it. No person's request began the trace, so every beat is
// background: the story of a node failure plays whole.
func TestANodeFailureIsATaintAnEvictionAndAReplacementRunElsewhere(t *testing.T) {
	bs := Beats(loadTrace(t, "node-failure"))
	if len(bs) < 5 || len(bs) > 60 {
		t.Errorf("the node failure is %d beats, want 5 to 60", len(bs))
	}
	stop := bs[0]
	if stop.Kind != BeatComponent || stop.Background || stop.Component != "kubelet/node-2" ||
		stop.Headline.Args["action"] != Stop || stop.Headline.Args["component"] != "kubelet/node-2" {
		t.Fatalf("the node failure begins with %s %s %v (background %v), want the learner stopping kubelet/node-2", stop.Kind, stop.Component, stop.Headline.Args, stop.Background)
	}
	fg := 0
	for _, b := range bs {
		if !b.Background {
			fg++
		}
	}
	if fg > 15 {
		t.Errorf("the node failure tells %d foreground beats, want at most 15", fg)
	}
	taint := bs[1]
	h := taint.Headline.Args
	if taint.Kind != BeatReconcile || taint.Background || h["controller"] != "node-controller" || taint.Object.Kind != "Node" || taint.Object.Name != "node-2" ||
		!strings.Contains(h["decision"], "Unknown") || !strings.Contains(h["decision"], "taint") ||
		h["key"] != "/registry/minions/node-2" || h["writes"] == "0" || h["revision"] == "" {
		t.Fatalf("after the stop comes %s %s %v (background %v), want the node controller marking node-2 Unknown and tainting it, in the foreground", taint.Kind, taint.Object, h, taint.Background)
	}

	// The acts in the order they happen; each is found after the one before.
	i := 0
	find := func(what string, match func(Beat) bool) Beat {
		t.Helper()
		for ; i < len(bs); i++ {
			if match(bs[i]) {
				return bs[i]
			}
		}
		t.Fatalf("no beat %s after the ones before it", what)
		return Beat{}
	}
	evict := find("evicting node-2's pod", func(b Beat) bool {
		return b.Kind == BeatReconcile && b.Headline.Args["controller"] == "node-controller" && b.Object.Kind == "Pod"
	})

	lost := evict.Object.Name
	if evict.Headline.Args["decision"] != "delete pod default/"+lost || evict.Headline.Args["key"] != "/registry/pods/default/"+lost {
		t.Errorf("the eviction reads %v, want the delete of pod %s", evict.Headline.Args, lost)
	}
	replace := find("creating a replacement", func(b Beat) bool {
		return b.Kind == BeatReconcile && b.Headline.Args["controller"] == "replicaset-controller" && b.Headline.Args["writes"] != "0"
	})
	if replace.Headline.Args["decision"] != "create 1 pods" || replace.Headline.Args["code"] != "201" {
		t.Errorf("the replica set's beat reads %v, want it to create one pod", replace.Headline.Args)
	}
	replacement := strings.TrimPrefix(replace.Headline.Args["key"], "/registry/pods/default/")
	if replacement == "" || replacement == lost || replacement == replace.Headline.Args["key"] {
		t.Fatalf("the replica set stored %q, want a new pod", replace.Headline.Args["key"])
	}
	sched := find("placing the replacement", func(b Beat) bool { return b.Kind == BeatSchedule && b.Object.Name == replacement })
	node := sched.Headline.Args["node"]
	if node == "" || node == "node-2" || sched.Headline.Args["feasible"] != "2" || sched.Headline.Args["nodes"] != "3" {
		t.Errorf("the scheduler's beat reads %v, want the replacement placed on one of the 2 nodes that fit", sched.Headline.Args)
	}
	run := find("running the replacement", func(b Beat) bool { return b.Kind == BeatKubelet && b.Object.Name == replacement })
	for _, b := range []Beat{evict, replace, sched, run} {
		if b.Background {
			t.Errorf("beat #%d (%s %s) is background; what a learner's stop causes is the story", b.First, b.Kind, b.Object.Name)
		}
	}
	t.Logf("%d beats, %d in the foreground", len(bs), fg)
	a := run.Headline.Args
	if run.Component != "kubelet/"+node || a["image"] != "nginx" || a["phase"] != "Running" || a["podIP"] == "" || a["node"] != node {
		t.Errorf("the kubelet's beat is %s %v, want %s running nginx and reporting it Running with its IP", run.Component, a, node)
	}
}

// A restore is a person's act: its beat is the learner's own, in the
// foreground, and says what the restore wrote.
func TestARestoredSnapshotBeginsABeatOfTheLearnersOwn(t *testing.T) {
	tr := "restore-trace"
	ss := []Step{
		{Seq: 10, Trace: tr, Component: Etcd, Stage: Restore, Outcome: OK,
			Message: Msg("etcd.restore", "snapshot", "40", "revision", "77", "written", "3", "deleted", "1")},
		{Seq: 11, Trace: tr, Parent: 10, Component: Etcd, Stage: Store, Outcome: OK,
			Object:  Object{Kind: "Deployment", Namespace: "default", Name: "helloworld-deployment"},
			Message: Msg("etcd.put", "key", "/registry/deployments/default/helloworld-deployment", "revision", "77")},
		{Seq: 12, Trace: tr, Parent: 11, Component: ControllerManager, Stage: Watch, Outcome: OK,
			Object: Object{Kind: "Deployment", Namespace: "default", Name: "helloworld-deployment"}, Message: Msg("controller.watch")},
	}
	if !userTraces(ss)[tr] {
		t.Fatal("a restore's trace is not counted as begun by a person")
	}
	bs := Beats(ss)
	if len(bs) == 0 {
		t.Fatal("no beats")
	}
	b := bs[0]
	if b.Kind != BeatComponent || b.Background || b.Component != Etcd || b.Headline.Args["action"] != Restore ||
		b.Headline.Args["snapshot"] != "40" || b.Headline.Args["written"] != "3" || b.Headline.Args["deleted"] != "1" {
		t.Errorf("the restore's beat is %s (background %v) %v", b.Kind, b.Background, b.Headline.Args)
	}
}
