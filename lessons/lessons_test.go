package lessons_test

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/controllers/cronjob"
	"github.com/glassplane/glassplane/controlplane/testcluster"
	"github.com/glassplane/glassplane/lessons"
)

// kubectlIn runs glassplane's own kubectl against c, as the terminal does.
func kubectlIn(t *testing.T, c *testcluster.Cluster) lessons.Kubectl {
	bin := []string{testcluster.GlassplaneBinary(t), "kubectl"}
	return func(ctx context.Context, user string, args []string, stdin string) (lessons.KubectlOutput, error) {
		out, err := c.Kubectl(bin, user, stdin, args...)
		res := lessons.KubectlOutput{Stdout: out}
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			res.ExitCode, res.Stderr = exit.ExitCode(), out
		case err != nil:
			return res, err
		}
		return res, nil
	}
}

// walk runs a lesson end to end on its own cluster, so lessons walk in
// parallel: before each step's actions its check must
// fail (so no check is true from the start), after them it must pass, and
// the engine must move the learner on.
func walk(t *testing.T, c *testcluster.Cluster, id string) {
	t.Helper()
	cat, err := lessons.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	l, ok := cat.Get(id)
	if !ok {
		t.Fatalf("there is no lesson %q", id)
	}
	e := lessons.NewEngine(cat)
	defer e.Close()
	sb := &lessons.Sandbox{ID: "test", Cluster: c.Cluster, Kubectl: kubectlIn(t, c)}
	ctx := context.Background()
	if res, err := e.Reset(ctx, sb, id); err != nil {
		t.Fatalf("resetting the lesson: %v (%+v)", err, res)
	}
	if _, err := e.Start(sb, id, 0); err != nil {
		t.Fatal(err)
	}
	for i, s := range l.Steps {
		if !s.Recap {
			if ok, detail := e.Check(ctx, sb, l, i); ok {
				t.Fatalf("step %d (%s): the check passes before its actions: %s", i, s.ID, detail)
			}
		}
		if res, err := e.Do(ctx, sb, l, i); err != nil {
			t.Fatalf("step %d (%s): doing it: %v (%+v)", i, s.ID, err, res)
		}
		p := waitPassed(t, e, sb, id, i)
		if i < len(l.Steps)-1 && p.Step != i+1 {
			t.Fatalf("step %d (%s) passed but the learner is at step %d", i, s.ID, p.Step)
		}
		if i == len(l.Steps)-1 && !p.Done {
			t.Fatalf("the recap passed but the lesson is not done: %+v", p)
		}
	}
}

func waitPassed(t *testing.T, e *lessons.Engine, sb *lessons.Sandbox, id string, i int) lessons.Progress {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r, p, err := e.CheckStep(context.Background(), sb, id, i)
		if err != nil {
			t.Fatal(err)
		}
		if r.Passed {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("step %d (%s) never passed: %s", i, r.ID, r.Detail)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestLessonKubectlCreateFollowsTheSeedStoryStepByStep(t *testing.T) {
	t.Parallel()
	walk(t, testcluster.StartCascade(t), "kubectl-create")
}

// TestLessonKubectlCreateWalksAgainAfterTheSeedWasApplied: a learner who
// applied the seed already, or walks lesson 1 a second time, starts from a
// cluster without it: every step is false before its actions again.
func TestLessonKubectlCreateWalksAgainAfterTheSeedWasApplied(t *testing.T) {
	t.Parallel()
	c := testcluster.StartCascade(t)
	walk(t, c, "kubectl-create")
	walk(t, c, "kubectl-create")
}

func TestLessonWhoAreYouFixesAForbiddenRequestWithARoleBinding(t *testing.T) {
	t.Parallel()
	walk(t, testcluster.StartCascade(t), "who-are-you")
}

func TestLessonEtcdRemembersThroughAComponentRestartAndComesBackFromASnapshot(t *testing.T) {
	t.Parallel()
	walk(t, testcluster.StartCascade(t), "etcd-memory")
}

func TestLessonQuorumElectsANewLeaderRefusesWritesWithoutAMajorityAndLosesNothing(t *testing.T) {
	t.Parallel()
	walk(t, testcluster.StartWith(t, controlplane.Config{EtcdMembers: 3}), "etcd-quorum")
}

func TestLessonQuorumTellsALearnerWithOneMemberHowToStartThree(t *testing.T) {
	t.Parallel()
	c := testcluster.StartWith(t, controlplane.Config{Nodes: -1})
	cat, err := lessons.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	l, _ := cat.Get("etcd-quorum")
	e := lessons.NewEngine(cat)
	defer e.Close()
	sb := &lessons.Sandbox{ID: "test", Cluster: c.Cluster, Kubectl: kubectlIn(t, c)}
	if _, err := e.Do(context.Background(), sb, l, 0); err != nil {
		t.Fatal(err)
	}
	ok, detail := e.Check(context.Background(), sb, l, 0)
	if ok || !strings.Contains(detail, "--etcd-members 3") {
		t.Errorf("with one member the first step passes %v, saying %q; want it held with how to start 3 members", ok, detail)
	}
	for lang, text := range map[string]string{"en": l.Steps[0].Text.En, "zh-TW": l.Steps[0].Text.ZhTW} {
		if !strings.Contains(text, "glassplane serve --etcd-members 3") {
			t.Errorf("the first step's %s text does not say how to start 3 members", lang)
		}
	}
	if _, err := e.Do(context.Background(), sb, l, 1); err == nil || !strings.Contains(err.Error(), "--etcd-members 3") {
		t.Errorf("stopping the leader of one member: %v, want it to say how to start 3 members", err)
	}
}

func TestLessonControllersBringDeletedPodsBack(t *testing.T) {
	t.Parallel()
	walk(t, testcluster.StartCascade(t), "controllers")
}

func TestLessonSchedulerFiltersAndScores(t *testing.T) {
	t.Parallel()
	walk(t, testcluster.StartCascade(t), "scheduler")
}

func TestLessonNodeFailureEvictsAndReschedules(t *testing.T) {
	t.Parallel()
	timing := controlplane.TestTiming
	timing.NodeGracePeriod, timing.EvictionTimeout = 2*time.Second, 3*time.Second
	walk(t, testcluster.StartWith(t, controlplane.Config{Timing: &timing}), "node-failure")
}

func TestLessonRollingUpdateAndUndo(t *testing.T) {
	t.Parallel()
	walk(t, testcluster.StartCascade(t), "rolling-update")
}

func TestLessonAdmissionDefaultsAndRefusals(t *testing.T) {
	t.Parallel()
	walk(t, testcluster.StartCascade(t), "admission")
}

func TestLessonEndpointsFollowReadyPods(t *testing.T) {
	t.Parallel()
	walk(t, testcluster.StartCascade(t), "services")
}

// TestBackgroundActionEndsWithItsSandbox: a background kubectl (a request
// held in step mode) ends when its sandbox is forgotten, not ten minutes on.
func TestBackgroundActionEndsWithItsSandbox(t *testing.T) {
	e := lessons.NewEngine(&lessons.Catalog{})
	defer e.Close()
	started, ended := make(chan struct{}), make(chan struct{})
	sb := &lessons.Sandbox{ID: "sb-1", Kubectl: func(ctx context.Context, user string, args []string, stdin string) (lessons.KubectlOutput, error) {
		close(started)
		<-ctx.Done()
		close(ended)
		return lessons.KubectlOutput{}, ctx.Err()
	}}
	l := &lessons.Lesson{ID: "held", Steps: []lessons.Step{{ID: "create", Actions: []lessons.Action{
		{Kubectl: []string{"create", "namespace", "held"}, Background: true}}}}}
	if _, err := e.Do(context.Background(), sb, l, 0); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		t.Fatal("the background kubectl never started")
	}
	e.Forget("sb-2") // another sandbox's deletion leaves it running
	select {
	case <-ended:
		t.Fatal("the background kubectl ended when another sandbox was forgotten")
	case <-time.After(100 * time.Millisecond):
	}
	e.Forget(sb.ID)
	select {
	case <-ended:
	case <-time.After(30 * time.Second):
		t.Fatal("the background kubectl outlived its sandbox")
	}
}

// TestAClosedEngineStartsNoBackgroundAction: once Close has begun waiting
// for background kubectl, a lesson action asking for one is refused rather
// than started behind Close's back.
func TestAClosedEngineStartsNoBackgroundAction(t *testing.T) {
	e := lessons.NewEngine(&lessons.Catalog{})
	e.Close()
	ran := make(chan struct{}, 1)
	sb := &lessons.Sandbox{ID: "sb-1", Kubectl: func(ctx context.Context, user string, args []string, stdin string) (lessons.KubectlOutput, error) {
		ran <- struct{}{}
		return lessons.KubectlOutput{}, nil
	}}
	l := &lessons.Lesson{ID: "late", Steps: []lessons.Step{{ID: "create", Actions: []lessons.Action{
		{Kubectl: []string{"create", "namespace", "late"}, Background: true}}}}}
	if _, err := e.Do(context.Background(), sb, l, 0); err == nil {
		t.Error("a background action was accepted by a closed engine")
	}
	select {
	case <-ran:
		t.Error("a background kubectl ran after the engine closed")
	case <-time.After(100 * time.Millisecond):
	}
}

func TestLessonDebuggingReadsPendingImagePullBackOffAndCrashLoopBackOff(t *testing.T) {
	t.Parallel()
	walk(t, testcluster.StartCascade(t), "debugging")
}

// The CronJob step waits for the schedule's next minute; the test runs the
// CronJob controller's clock sixty times faster, so that minute is a second.
func TestLessonJobsCompleteFailRunInParallelAndOnASchedule(t *testing.T) {
	t.Parallel()
	timing := controlplane.TestTiming
	timing.CronJobClock = cronjob.Accelerated{Start: time.Now(), Speed: 60}
	walk(t, testcluster.StartWith(t, controlplane.Config{Timing: &timing}), "jobs")
}

// The operators lesson defines a kind, is refused by its schema, and lets
// the Website operator turn an object of it into a Deployment and a Service.
func TestLessonOperatorsDefinesAKindAndItsOperatorServesIt(t *testing.T) {
	t.Parallel()
	walk(t, testcluster.StartCascade(t), "operators")
}

// TestDoItForMeReportsABackgroundCommandThatFailsAtOnce: a background
// kubectl that fails before the pacer holds it (the Deployment exists
// already) is reported with kubectl's error, not lost.
func TestDoItForMeReportsABackgroundCommandThatFailsAtOnce(t *testing.T) {
	e := lessons.NewEngine(&lessons.Catalog{})
	defer e.Close()
	sb := &lessons.Sandbox{ID: "sb-1", Kubectl: func(ctx context.Context, user string, args []string, stdin string) (lessons.KubectlOutput, error) {
		return lessons.KubectlOutput{Stderr: `Error from server (AlreadyExists): deployments.apps "helloworld-deployment" already exists`, ExitCode: 1}, nil
	}}
	l := &lessons.Lesson{ID: "again", Steps: []lessons.Step{{ID: "send", Actions: []lessons.Action{
		{Kubectl: []string{"create", "-f", "-"}, Background: true}}}}}
	res, err := e.Do(context.Background(), sb, l, 0)
	if err == nil || !strings.Contains(err.Error(), "AlreadyExists") {
		t.Fatalf("doing the step answered %v, want kubectl's AlreadyExists", err)
	}
	if len(res) != 1 || !strings.Contains(res[0].Error, "AlreadyExists") || res[0].Output == nil {
		t.Errorf("the action's result does not carry the error and kubectl's output: %+v", res)
	}
}
