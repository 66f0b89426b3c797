package trace

import (
	"context"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// write records a request by user that wrote version rv of uid, as the API
// server does, and returns its trace.
func write(rec *steps.Recorder, user, uid, rv string) string {
	trace := steps.NewTrace()
	req := rec.Record(context.Background(), steps.Step{Trace: trace, Component: steps.APIServer, Stage: steps.Request})
	ctx := steps.WithCause(context.Background(), steps.Cause{Trace: trace, Parent: req.Seq})
	rec.Record(ctx, steps.Step{Component: steps.APIServer, Stage: steps.Authenticate, Message: steps.Msg("apiserver.authenticate.ok", "user", user)})
	st := rec.Record(ctx, steps.Step{Component: steps.Etcd, Stage: steps.Store})
	rec.Remember(uid, rv, steps.Cause{Trace: trace, Parent: st.Seq})
	return trace
}

func pod(uid, rv string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", UID: types.UID(uid), ResourceVersion: rv}}
}

func TestALearnersCauseIsNotOverwrittenByBackgroundBeforeTheSync(t *testing.T) {
	rec := steps.NewRecorder(100)
	learner := write(rec, "admin", "u-x", "10")
	background := write(rec, "system:node:node-1", "u-x", "11")
	var c Causes
	c.Note("default/web", rec, pod("u-x", "10"))
	c.Note("default/web", rec, pod("u-x", "11")) // a kubelet's status report, before the sync
	ctx := c.Context(context.Background(), "default/web", rec, pod("u-x", "11"))
	if got, _ := steps.CauseFrom(ctx); got.Trace != learner {
		t.Errorf("the sync joins trace %s; want the learner's %s, not the background's %s", got.Trace, learner, background)
	}
	// The other way round, the later learner's cause wins as before.
	c.Note("default/web", rec, pod("u-x", "11"))
	c.Note("default/web", rec, pod("u-x", "10"))
	if got, _ := steps.CauseFrom(c.Context(context.Background(), "default/web", rec, nil)); got.Trace != learner {
		t.Errorf("the sync joins trace %s; want the learner's %s", got.Trace, learner)
	}
}

func TestAStatusReportDoesNotDisplaceTheChangeThatCalledForAction(t *testing.T) {
	rec := steps.NewRecorder(100)
	create := write(rec, "admin", "rs-1", "20")    // the create's own status write, a learner's trace
	del := write(rec, "admin", "pod-1", "30")      // the learner deletes a pod
	scale := write(rec, "admin", "rs-1", "21")     // and later scales the ReplicaSet
	rs := func(rv string, gen int64) *corev1.Pod { // any object with a generation will do
		p := pod("rs-1", rv)
		p.Generation = gen
		return p
	}
	var c Causes
	c.Note("default/web", rec, pod("pod-1", "30"))
	c.NoteUpdate("default/web", rec, rs("19", 1), rs("20", 1))
	if got, _ := steps.CauseFrom(c.Context(context.Background(), "default/web", rec, nil)); got.Trace != del {
		t.Errorf("the sync joins trace %s; want the delete's %s, not the status report's %s", got.Trace, del, create)
	}
	// Nothing waiting: the status report is the cause.
	c.NoteUpdate("default/web", rec, rs("19", 1), rs("20", 1))
	if got, _ := steps.CauseFrom(c.Context(context.Background(), "default/web", rec, nil)); got.Trace != create {
		t.Errorf("the sync joins trace %s; want the status report's %s", got.Trace, create)
	}
	// A change of spec (a new generation) displaces what waits.
	c.Note("default/web", rec, pod("pod-1", "30"))
	c.NoteUpdate("default/web", rec, rs("20", 1), rs("21", 2))
	if got, _ := steps.CauseFrom(c.Context(context.Background(), "default/web", rec, nil)); got.Trace != scale {
		t.Errorf("the sync joins trace %s; want the scale's %s", got.Trace, scale)
	}
}

func TestASyncJoinsTheNewestChangeItFindsInItsListers(t *testing.T) {
	rec := steps.NewRecorder(100)
	status := write(rec, "admin", "rs-1", "20") // the ReplicaSet's status report, noted first
	del := write(rec, "admin", "pod-1", "30")   // the learner's delete, already in the lister
	heartbeat := write(rec, "system:node:node-1", "pod-2", "31")
	ctx := steps.WithCause(context.Background(), steps.Cause{Trace: status, Parent: 1})
	if got, _ := steps.CauseFrom(Newest(ctx, rec, pod("pod-1", "30"))); got.Trace != del {
		t.Errorf("the sync joins trace %s; want the newer delete's %s", got.Trace, del)
	}
	if got, _ := steps.CauseFrom(Newest(ctx, rec, pod("pod-2", "31"))); got.Trace != status {
		t.Errorf("the sync joins trace %s; want the learner's %s over the background %s", got.Trace, status, heartbeat)
	}
	later := write(rec, "admin", "rs-1", "40")
	ctx = steps.WithCause(context.Background(), steps.Cause{Trace: later, Parent: 1000})
	if got, _ := steps.CauseFrom(Newest(ctx, rec, pod("pod-1", "30"))); got.Trace != later {
		t.Errorf("the sync joins trace %s; want its own newer %s", got.Trace, later)
	}
}

// TestAWatchEventThatOvertakesTheAPIServersMemoryIsResolvedAtTheSync: the
// API server remembers which trace wrote a version just after etcd answers,
// and the watch event for that version may reach the controller first. The
// note is resolved when the key is synced, so the sync still joins the
// learner's trace.
func TestAWatchEventThatOvertakesTheAPIServersMemoryIsResolvedAtTheSync(t *testing.T) {
	rec := steps.NewRecorder(100)
	status := write(rec, "system:node:node-1", "rs-1", "20")
	var c Causes
	c.Note("default/web", rec, pod("pod-1", "30")) // the delete's event, before the API server remembers it
	del := write(rec, "admin", "pod-1", "30")
	got, _ := steps.CauseFrom(c.Context(context.Background(), "default/web", rec, pod("rs-1", "20")))
	if got.Trace != del {
		t.Errorf("the sync joins trace %s; want the delete's %s, not the owner's last writer %s", got.Trace, del, status)
	}
}

func TestManyNotesBeforeOneSyncKeepTheLearnersCause(t *testing.T) {
	rec := steps.NewRecorder(1000)
	learner := write(rec, "admin", "pod-1", "1")
	var c Causes
	c.Note("default/web", rec, pod("pod-1", "1"))
	for i := range 3 * maxNotes {
		rv := fmt.Sprint(100 + i)
		write(rec, "system:node:node-1", "pod-2", rv)
		c.Note("default/web", rec, pod("pod-2", rv))
	}
	if got, _ := steps.CauseFrom(c.Context(context.Background(), "default/web", rec, nil)); got.Trace != learner {
		t.Errorf("the sync joins trace %s; want the learner's %s", got.Trace, learner)
	}
}

// TestAStatusReportThatWokeTheSyncGivesWayToTheChangeItFinds: a
// ReplicaSet's status report wakes its sync, and the sync finds in its
// lister a pod a learner has just deleted, whose own event is still on its
// way. The status report was written after the delete, but the replacement
// belongs to the delete.
func TestAStatusReportThatWokeTheSyncGivesWayToTheChangeItFinds(t *testing.T) {
	rec := steps.NewRecorder(100)
	del := write(rec, "admin", "pod-1", "30")      // the learner deletes a pod
	status := write(rec, "admin", "rs-1", "31")    // then a status report of the ReplicaSet, in a learner's trace too
	rs := func(rv string, gen int64) *corev1.Pod { // any object with a generation will do
		p := pod("rs-1", rv)
		p.Generation = gen
		return p
	}
	var c Causes
	c.NoteUpdate("default/web", rec, rs("20", 1), rs("31", 1))
	ctx := Newest(c.Context(context.Background(), "default/web", rec, nil), rec, pod("pod-1", "30"))
	if got, _ := steps.CauseFrom(ctx); got.Trace != del {
		t.Errorf("the replacement joins trace %s; want the delete's %s, not the status report's %s", got.Trace, del, status)
	}
	// A change of spec is no status report: the newer one stays.
	c.NoteUpdate("default/web", rec, rs("20", 1), rs("31", 2))
	ctx = Newest(c.Context(context.Background(), "default/web", rec, nil), rec, pod("pod-1", "30"))
	if got, _ := steps.CauseFrom(ctx); got.Trace != status {
		t.Errorf("after a change of spec the sync joins trace %s; want its %s", got.Trace, status)
	}
}
