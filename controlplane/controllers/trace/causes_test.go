package trace

import (
	"context"
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
