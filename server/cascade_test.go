package server_test

// The whole story of one `kubectl create -f hello-deployment.yaml`, watched
// through the websocket the browser uses.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
	"github.com/glassplane/glassplane/server"
)

func seedManifest(t testing.TB) string {
	b, err := os.ReadFile(filepath.Join("..", "controlplane", "testdata", "hello-deployment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// collect reads steps from conn until done accepts the steps so far.
func collect(t *testing.T, conn *websocket.Conn, done func([]steps.Step) bool) []steps.Step {
	t.Helper()
	var all []steps.Step
	deadline := time.Now().Add(30 * time.Second)
	for !done(all) {
		_ = conn.SetReadDeadline(deadline)
		var m server.Message
		if err := conn.ReadJSON(&m); err != nil {
			tr := createTrace(all)
			var got []string
			for _, s := range all {
				if s.Trace == tr {
					got = append(got, s.Component+"/"+s.Stage+"/"+s.Object.Kind+"/"+s.Outcome)
				}
			}
			t.Fatalf("stream ended after %d steps: %v; the create's trace holds:\n%s", len(all), err, strings.Join(got, "\n"))
		}
		all = append(all, m.Steps...)
	}
	return all
}

// createTrace returns the trace of kubectl's create request for deployments.
func createTrace(all []steps.Step) string {
	for _, s := range all {
		if s.Stage == steps.Request && s.Message.Args["verb"] == "create" && s.Message.Args["resource"] == "deployments.apps" {
			return s.Trace
		}
	}
	return ""
}

// runningStatus reports a kubelet status write after a container started, in
// the create's trace.
func runningStatus(all []steps.Step) bool {
	tr, ran := createTrace(all), false
	for _, s := range all {
		if tr == "" || s.Trace != tr || !strings.HasPrefix(s.Component, "kubelet/") {
			continue
		}
		ran = ran || s.Stage == steps.Run
		if ran && s.Stage == steps.Status {
			return true
		}
	}
	return false
}

func TestOneKubectlCreateIsOneTraceDownToTheRunningPod(t *testing.T) {
	t.Parallel()
	h := startCascade(t)
	conn, _, err := h.dial("default", h.token, h.cluster.Steps.Last(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	kubectl := []string{testcluster.GlassplaneBinary(t), "kubectl"}
	if out, err := h.cluster.Kubectl(kubectl, "admin", seedManifest(t), "create", "-f", "-"); err != nil {
		t.Fatalf("kubectl create: %v\n%s", err, out)
	}
	all := collect(t, conn, runningStatus)
	trace := createTrace(all)
	var tr []steps.Step
	for _, s := range all {
		if s.Trace == trace {
			tr = append(tr, s)
		}
	}
	// The causal order the issue asks for, each found after the previous.
	want := []struct{ component, stage, kind string }{
		{steps.APIServer, steps.Request, ""},
		{steps.APIServer, steps.Authenticate, ""},
		{steps.APIServer, steps.Authorize, ""},
		{steps.APIServer, steps.Admit, ""},
		{steps.APIServer, steps.Validate, ""},
		{steps.Etcd, steps.Store, "Deployment"},
		{steps.ControllerManager, steps.Watch, ""},
		{steps.ControllerManager, steps.Reconcile, "Deployment"},
		{steps.Etcd, steps.Store, "ReplicaSet"},
		{steps.ControllerManager, steps.Reconcile, "ReplicaSet"},
		{steps.Etcd, steps.Store, "Pod"},
		{steps.Scheduler, steps.Filter, "Pod"},
		{steps.Scheduler, steps.Score, "Pod"},
		{steps.Scheduler, steps.Bind, "Pod"},
		{"kubelet/", steps.Pull, "Pod"},
		{"kubelet/", steps.Run, "Pod"},
		{"kubelet/", steps.Status, "Pod"},
	}
	i := 0
	for _, s := range tr {
		w := want[i]
		if strings.HasPrefix(s.Component, w.component) && s.Stage == w.stage && (w.kind == "" || s.Object.Kind == w.kind) {
			if s.Stage == steps.Store && s.Detail == nil {
				t.Errorf("store step without its etcd detail: %+v", s)
			}
			if s.Stage == steps.Filter && s.Detail == nil {
				t.Errorf("filter step without its node table")
			}
			i++
			if i == len(want) {
				break
			}
		}
	}
	if i < len(want) {
		var got []string
		for _, s := range tr {
			got = append(got, s.Component+"/"+s.Stage+"/"+s.Object.Kind)
		}
		t.Fatalf("the trace lacks %v after step %d of the expected order; it holds:\n%s", want[i], i, strings.Join(got, "\n"))
	}
	for _, s := range tr[1:] {
		if s.Parent == 0 {
			t.Errorf("step %d (%s %s) has no parent", s.Seq, s.Component, s.Stage)
		}
	}
}

func TestPausedSchedulerLeavesPodUnboundUntilResumed(t *testing.T) {
	t.Parallel()
	h := startCascade(t)
	if code, body := h.do("PUT", "/glassplane/v1/sandboxes/default/pacer", h.token, map[string]any{"paused": []string{"scheduler"}}); code != 200 {
		t.Fatalf("pause the scheduler: %d %s", code, body)
	}
	kubectl := []string{testcluster.GlassplaneBinary(t), "kubectl"}
	if out, err := h.cluster.Kubectl(kubectl, "admin", seedManifest(t), "create", "-f", "-"); err != nil {
		t.Fatalf("kubectl create: %v\n%s", err, out)
	}
	pods := h.cluster.Client("admin").CoreV1().Pods("default")
	waitFor(t, "the seed's pod created", func() bool {
		l, _ := pods.List(context.Background(), metav1.ListOptions{})
		return len(l.Items) == 1
	})
	// A negative check: nothing may bind while the scheduler is paused, and
	// there is no change to wait for, so give a (wrongly) running scheduler a
	// fixed time to bind before looking.
	time.Sleep(300 * time.Millisecond)
	out, err := h.cluster.Kubectl(kubectl, "admin", "", "get", "pods", "-o", "wide")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		if f := strings.Fields(line); len(f) < 7 || f[2] != "Pending" || f[6] != "<none>" {
			t.Errorf("with the scheduler paused, a pod shows %q; want Pending with NODE <none>", line)
		}
	}
	if code, _ := h.do("PUT", "/glassplane/v1/sandboxes/default/pacer", h.token, map[string]any{"paused": []string{}}); code != 200 {
		t.Fatal("resume failed")
	}
	waitFor(t, "every pod bound after resuming", func() bool {
		l, _ := pods.List(context.Background(), metav1.ListOptions{FieldSelector: "spec.nodeName="})
		return len(l.Items) == 0
	})
}

func TestStepModeAdvancesOneComponentStepPerNext(t *testing.T) {
	t.Parallel()
	h := startCascade(t)
	if code, body := h.do("PUT", "/glassplane/v1/sandboxes/default/pacer", h.token, map[string]any{"mode": "step", "unit": "step"}); code != 200 {
		t.Fatalf("step mode: %d %s", code, body)
	}
	kubectl := []string{testcluster.GlassplaneBinary(t), "kubectl"}
	done := make(chan error, 1)
	go func() {
		_, err := h.cluster.Kubectl(kubectl, "admin", seedManifest(t), "create", "-f", "-")
		done <- err
	}()
	// Each Next releases exactly one held step; count them until a pod runs.
	pods := h.cluster.Client("admin").CoreV1().Pods("default")
	nexts := 0
	deadline := time.Now().Add(60 * time.Second)
	for {
		l, _ := pods.List(context.Background(), metav1.ListOptions{FieldSelector: "status.phase=Running"})
		if len(l.Items) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no pod ran after %d Next presses", nexts)
		}
		before := len(h.cluster.Pacer.State().Waiting)
		if before == 0 {
			time.Sleep(2 * time.Millisecond)
			continue
		}
		if !h.cluster.Pacer.Next() {
			continue
		}
		nexts++
	}
	if nexts < 10 {
		t.Errorf("a pod ran after only %d Next presses; step mode should hold every component step", nexts)
	}
	h.cluster.Pacer.Set(steps.PacerState{})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestBeatModeTakesTheSeedCreateToARunningPodInAtMostFifteenNexts(t *testing.T) {
	t.Parallel()
	h := startCascade(t)
	if code, body := h.do("PUT", "/glassplane/v1/sandboxes/default/pacer", h.token, map[string]any{"mode": "step"}); code != 200 {
		t.Fatalf("step mode: %d %s", code, body)
	}
	if u := h.cluster.Pacer.State().Unit; u != steps.UnitBeat {
		t.Fatalf("step mode holds by %q; beat is the default", u)
	}
	kubectl := []string{testcluster.GlassplaneBinary(t), "kubectl"}
	done := make(chan error, 1)
	go func() {
		_, err := h.cluster.Kubectl(kubectl, "admin", seedManifest(t), "create", "-f", "-")
		done <- err
	}()
	pods := h.cluster.Client("admin").CoreV1().Pods("default")
	var held []string
	deadline := time.Now().Add(60 * time.Second)
	for {
		// Look at what is held first, then at the cluster: a held
		// component cannot move the pod on in between.
		waiting := h.cluster.Pacer.State().Waiting
		l, _ := pods.List(context.Background(), metav1.ListOptions{LabelSelector: "app=helloworld-pod"})
		if len(l.Items) == 1 && l.Items[0].Status.Phase == corev1.PodRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no pod ran after %d Next presses (%v)", len(held), held)
		}
		if len(waiting) == 0 {
			time.Sleep(2 * time.Millisecond)
			continue
		}
		// While a component is held at the start of its beat, the cluster
		// really is as the beat before left it.
		w := waiting[0]
		switch {
		case w.Component == steps.Scheduler:
			if len(l.Items) != 1 || l.Items[0].Spec.NodeName != "" {
				t.Errorf("the scheduler is held, yet the pod is bound: %s", podsAndOwners(l.Items))
			}
		case strings.HasPrefix(w.Component, "kubelet/"):
			if len(l.Items) != 1 || l.Items[0].Spec.NodeName == "" || l.Items[0].Status.Phase == corev1.PodRunning {
				t.Errorf("the kubelet is held, yet the pod is unbound or running: %s", podsAndOwners(l.Items))
			}
		}
		held = append(held, w.Component+" "+w.Stage+" "+w.Object.Kind)
		if !h.cluster.Pacer.Next() {
			held = held[:len(held)-1]
		}
	}
	t.Logf("%d Next presses: %v", len(held), held)
	if len(held) > 15 || len(held) < 5 {
		t.Errorf("the seed create reached Running after %d Next presses, want 5 to 15 (one per beat): %v", len(held), held)
	}
	h.cluster.Pacer.Set(steps.PacerState{})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// podsAndOwners says which pods there are, where, and who made them.
func podsAndOwners(pods []corev1.Pod) string {
	var out []string
	for _, p := range pods {
		owner := "no owner"
		if ref := metav1.GetControllerOf(&p); ref != nil {
			owner = ref.Kind + " " + ref.Name
		}
		out = append(out, fmt.Sprintf("%s (%s, node %q, %s)", p.Name, owner, p.Spec.NodeName, p.Status.Phase))
	}
	return fmt.Sprintf("%d pods: %s", len(pods), strings.Join(out, "; "))
}
