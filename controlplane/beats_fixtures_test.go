package controlplane_test

// The recorded traces the beat grouping is tested on
// (controlplane/steps/testdata/beats). They are real: this test records them
// from a whole cluster when run with GLASSPLANE_UPDATE_BEATS=1:
//
//	GLASSPLANE_UPDATE_BEATS=1 go test -run TestRecordBeatFixtures ./controlplane/

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

func TestRecordBeatFixtures(t *testing.T) {
	t.Parallel()
	update := os.Getenv("GLASSPLANE_UPDATE_BEATS") != ""
	if !update {
		t.Skip("records the beat fixtures only when GLASSPLANE_UPDATE_BEATS is set")
	}
	c := testcluster.StartCascade(t)
	cs := c.Client("admin")
	ctx := context.Background()
	bin := []string{testcluster.GlassplaneBinary(t), "kubectl"}
	kubectl := func(stdin string, args ...string) {
		t.Helper()
		if out, err := c.Kubectl(bin, "admin", stdin, args...); err != nil {
			t.Fatalf("kubectl %v: %v\n%s", args, err, out)
		}
	}
	settle := func(what string, cond func() bool) {
		t.Helper()
		waitUntil(t, what, cond)
		mark := c.Steps.Last()
		// Let the status-only work after it finish, so the trace is whole.
		waitUntil(t, what+" and the cluster quiet", func() bool {
			for _, s := range c.Steps.Since(mark, 0) {
				if s.Trace != "" && s.Stage != steps.Watch {
					mark = c.Steps.Last()
					return false
				}
			}
			return true
		})
	}
	running := func(n int) func() bool {
		return func() bool { return len(runningPods(t, cs, "app=helloworld-pod")) == n }
	}
	save := func(name, verb, resource string, code string) {
		t.Helper()
		trace := traceWith(c.Steps.Since(0, 0), verb, resource, code)
		if len(trace) == 0 {
			t.Fatalf("%s: no trace of %s %s answered %s", name, verb, resource, code)
		}
		writeBeatFixture(t, name, trace)
	}

	kubectl(string(readSeed(t)), "create", "-f", "-")
	settle("the seed's pod running", running(1))
	save("seed-create", "create", "deployments.apps", "201")

	kubectl("", "scale", "deployment", "helloworld-deployment", "--replicas=5")
	settle("five pods running", running(5))
	save("scale-to-5", "patch", "deployments.apps/scale", "200")

	kubectl("", "delete", "deployment", "helloworld-deployment")
	settle("every pod gone", func() bool {
		l, _ := cs.CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
		return l != nil && len(l.Items) == 0
	})
	save("delete-cascade", "delete", "deployments.apps", "200")

	bad := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "bad"}, Spec: appsv1.DeploymentSpec{
		Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"}},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "y"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}}}
	if _, err := cs.AppsV1().Deployments("default").Create(ctx, bad, metav1.CreateOptions{}); err == nil {
		t.Fatal("an invalid Deployment was created")
	}
	save("invalid-422", "create", "deployments.apps", "422")

	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "not-hers"}}
	if _, err := c.Client("alice").CoreV1().ConfigMaps("kube-system").Create(ctx, cm, metav1.CreateOptions{}); err == nil {
		t.Fatal("alice created a ConfigMap in kube-system")
	}
	save("forbidden-403", "create", "configmaps", "403")
}

// writeBeatFixture writes a recorded trace to
// steps/testdata/beats/name.jsonl, one step a line.
func writeBeatFixture(t *testing.T, name string, trace []steps.Step) {
	t.Helper()
	var buf bytes.Buffer
	for _, s := range trace {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join("steps", "testdata", "beats", name+".jsonl"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A node failure: a person stops node-2's kubelet; the node lifecycle
// controller marks the node Unknown, taints it and evicts its pod; the
// ReplicaSet controller replaces the pod, the scheduler places it on another
// node and that node's kubelet runs it. The whole response is one trace,
// begun by the stop (breaks.go).
func TestRecordBeatFixturesOfANodeFailure(t *testing.T) {
	t.Parallel()
	if os.Getenv("GLASSPLANE_UPDATE_BEATS") == "" {
		t.Skip("records the beat fixtures only when GLASSPLANE_UPDATE_BEATS is set")
	}
	c := testcluster.StartCascade(t)
	cs := c.Client("admin")
	bin := []string{testcluster.GlassplaneBinary(t), "kubectl"}
	if out, err := c.Kubectl(bin, "admin", "", "create", "deployment", "web", "--image=nginx", "--replicas=3"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	lost := ""
	waitUntil(t, "3 running pods, one on node-2", func() bool {
		pods := runningPods(t, cs, "app=web")
		for _, p := range pods {
			if p.Spec.NodeName == "node-2" {
				lost = p.Name
			}
		}
		return len(pods) == 3 && lost != ""
	})
	mark := c.Steps.Last()
	if err := c.StopComponent("kubelet/node-2"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "3 running pods, none on node-2", func() bool {
		pods := runningPods(t, cs, "app=web")
		for _, p := range pods {
			if p.Spec.NodeName == "node-2" {
				return false
			}
		}
		return len(pods) == 3
	})
	// The trace the stop began, once nothing has been added to it for a
	// second.
	trace, tainted := "", false
	for _, s := range c.Steps.Since(mark, 0) {
		if s.Stage == steps.Stop && s.Component == "kubelet/node-2" {
			trace = s.Trace
		}
		tainted = tainted || (s.Trace == trace && s.Stage == steps.Reconcile && s.Message.Args["controller"] == "node-controller" &&
			s.Object.Name == "node-2" && strings.Contains(s.Message.Args["decision"], "taint"))
	}
	if !tainted {
		t.Fatal("the node lifecycle controller never tainted node-2 in the stop's trace")
	}
	of := func() []steps.Step {
		var out []steps.Step
		for _, s := range c.Steps.Since(mark, 0) {
			if s.Trace == trace {
				out = append(out, s)
			}
		}
		return out
	}
	n, since := len(of()), time.Now()
	waitUntil(t, "the node failure's trace quiet for a second", func() bool {
		if m := len(of()); m != n {
			n, since = m, time.Now()
		}
		return time.Since(since) > time.Second
	})
	got := of()
	replaced := false
	for _, s := range got {
		replaced = replaced || (s.Stage == steps.Reconcile && s.Message.Args["controller"] == "replicaset-controller" &&
			strings.HasPrefix(s.Message.Args["decision"], "create"))
	}
	if !replaced {
		t.Fatalf("the replacement of %s went on outside the node failure's trace (%d steps)", lost, len(got))
	}
	writeBeatFixture(t, "node-failure", got)
}
