package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
	"github.com/glassplane/glassplane/server"
)

// An hour of idle background after the seed create (recorded at once, not
// waited for) must not push the create out: its whole trace is still there
// to replay and export, grouped in the same beats.
func TestTheSeedCreateIsStillWholeAfterAnHourOfBackground(t *testing.T) {
	t.Parallel()
	h := startCascade(t)
	kubectl := []string{testcluster.GlassplaneBinary(t), "kubectl"}
	if out, err := h.cluster.Kubectl(kubectl, "admin", seedManifest(t), "create", "-f", "-"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	pods := h.cluster.Client("admin").CoreV1().Pods("default")
	waitFor(t, "the seed's pod running", func() bool {
		l, _ := pods.List(context.Background(), metav1.ListOptions{FieldSelector: "status.phase=Running"})
		return len(l.Items) == 1
	})
	var create server.TraceSummary
	waitFor(t, "the create's trace listed with its beats", func() bool {
		code, body := h.do("GET", "/glassplane/v1/sandboxes/default/traces", h.token, nil)
		var list []server.TraceSummary
		_ = json.Unmarshal(body, &list)
		for _, s := range list {
			if s.Request["verb"] == "create" && s.Request["resource"] == "deployments.apps" {
				create = s
			}
		}
		return code == 200 && create.Foreground >= 5
	})
	before := traceOf(t, h, create.Trace)
	t.Logf("seed create: %d steps, %d beats, %d foreground, %d background steps",
		create.Steps, create.Beats, create.Foreground, create.BackgroundSteps)
	if create.Foreground > 15 || create.Request["resource"] != "deployments.apps" || create.Request["user"] != "admin" {
		t.Errorf("the create's summary: %+v", create)
	}

	ctx := context.Background()
	for i := 0; i < 16*3600; i++ { // what an idle laptop records in an hour
		h.cluster.Steps.Record(ctx, steps.Step{Trace: steps.NewTrace(), Component: "kubelet/node-1", Stage: steps.Status,
			Object: steps.Object{Kind: "Node", Name: "node-1"}, Message: steps.Msg("kubelet.node.status")})
	}

	after := traceOf(t, h, create.Trace)
	if len(after.StepList) < len(before.StepList) || after.StepList[0].Seq != before.StepList[0].Seq {
		t.Fatalf("after an hour the create has %d of its %d steps", len(after.StepList), len(before.StepList))
	}
	if after.Foreground != create.Foreground {
		t.Errorf("after an hour the create has %d foreground beats, before %d", after.Foreground, create.Foreground)
	}
	// A replay or export from the beginning has every step of it.
	var replay []steps.Step
	for since := uint64(0); ; {
		_, body := h.do("GET", fmt.Sprintf("/glassplane/v1/sandboxes/default/steps?since=%d&limit=10000", since), h.token, nil)
		var page []steps.Step
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		replay = append(replay, page...)
		since = page[len(page)-1].Seq
	}
	n := 0
	for _, s := range replay {
		if s.Trace == create.Trace {
			n++
		}
	}
	if n < len(before.StepList) {
		t.Errorf("a replay from the start has %d of the create's %d steps", n, len(before.StepList))
	}
}

func traceOf(t *testing.T, h *harness, trace string) server.TraceDetail {
	t.Helper()
	code, body := h.do("GET", "/glassplane/v1/sandboxes/default/traces/"+trace, h.token, nil)
	var d server.TraceDetail
	if err := json.Unmarshal(body, &d); code != 200 || err != nil {
		t.Fatalf("trace %s: %d %v %s", trace, code, err, body)
	}
	return d
}
