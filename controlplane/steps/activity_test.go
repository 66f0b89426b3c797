package steps

import (
	"context"
	"testing"
)

// request records a request by user answered with key ("apiserver.respond"
// or "apiserver.error"), as the API server does.
func request(r *Recorder, user, key string) {
	req := r.Record(context.Background(), Step{Trace: NewTrace(), Component: APIServer, Stage: Request})
	ctx := WithCause(context.Background(), Cause{Trace: req.Trace, Parent: req.Seq})
	r.Record(ctx, Step{Component: APIServer, Stage: Authenticate, Message: Msg("apiserver.authenticate.ok", "user", user)})
	r.Record(ctx, Step{Component: APIServer, Stage: Respond, Message: Msg(key, "code", "403")})
}

func TestActivityCountsAPersonsRequestsAndRefusalsButNotTheControlPlanes(t *testing.T) {
	r := NewRecorder(1000)
	if a := r.Activity(); !a.LastRequest.IsZero() || a.Requests != 0 {
		t.Fatalf("a fresh recorder has activity %+v", a)
	}
	request(r, "admin", "apiserver.respond")
	request(r, "admin", "apiserver.error")
	request(r, "system:kube-controller-manager", "apiserver.error")
	request(r, "system:node:node-1", "apiserver.respond")
	a := r.Activity()
	if a.Requests != 2 || a.Refused != 1 || a.LastRequest.IsZero() {
		t.Errorf("activity = %+v; want 2 requests by a person, 1 refused, and a time", a)
	}
}
