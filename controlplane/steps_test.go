package controlplane_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// traceOf returns the steps of the trace begun by the last request for verb
// on resource.
func traceOf(all []steps.Step, verb, resource string) []steps.Step {
	return traceWith(all, verb, resource, "")
}

// traceWith returns the steps of the last trace begun by a request (with no
// cause: a person's) for verb on resource that was answered with code (any
// code when code is "").
func traceWith(all []steps.Step, verb, resource, code string) []steps.Step {
	answered := map[uint64]string{}
	for _, s := range all {
		if s.Stage == steps.Respond {
			answered[s.Parent] = s.Message.Args["code"]
		}
	}
	trace := ""
	for _, s := range all {
		if s.Stage == steps.Request && s.Parent == 0 && s.Message.Args["verb"] == verb &&
			s.Message.Args["resource"] == resource && (code == "" || answered[s.Seq] == code) {
			trace = s.Trace
		}
	}
	var out []steps.Step
	for _, s := range all {
		if trace != "" && s.Trace == trace {
			out = append(out, s)
		}
	}
	return out
}

func TestCreateRecordsEachStageOfTheChainInOrder(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	d, err := c.Client("admin").AppsV1().Deployments("default").Create(context.Background(), deployment("web", 1), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	trace := traceOf(c.Steps.Since(0, 0), "create", "deployments.apps")
	var stages []string
	for _, s := range trace {
		if len(stages) == 0 || stages[len(stages)-1] != s.Stage {
			stages = append(stages, s.Stage)
		}
	}
	want := []string{steps.Request, steps.Authenticate, steps.Authorize, steps.Admit, steps.Validate, steps.Store, steps.Respond}
	if len(stages) != len(want) {
		t.Fatalf("stages %v, want %v", stages, want)
	}
	for i := range want {
		if stages[i] != want[i] {
			t.Fatalf("stages %v, want %v", stages, want)
		}
	}
	for i, s := range trace {
		if i > 0 && s.Seq <= trace[i-1].Seq {
			t.Errorf("sequence numbers not increasing: %d after %d", s.Seq, trace[i-1].Seq)
		}
		if i > 0 && s.Parent == 0 {
			t.Errorf("%s step has no parent", s.Stage)
		}
		switch s.Stage {
		case steps.Authenticate:
			if s.Message.Args["user"] != "admin" {
				t.Errorf("authenticate step names user %q, want admin", s.Message.Args["user"])
			}
		case steps.Store:
			w, ok := s.Detail.(registry.EtcdWrite)
			if !ok {
				t.Fatalf("store detail is %T", s.Detail)
			}
			if w.Key != "/registry/deployments/default/web" || strconv.FormatInt(w.Revision, 10) != d.ResourceVersion {
				t.Errorf("store step wrote %s at %d; the object has resourceVersion %s", w.Key, w.Revision, d.ResourceVersion)
			}
			if s.Component != steps.Etcd || s.Object.UID != string(d.UID) {
				t.Errorf("store step: component %s uid %s", s.Component, s.Object.UID)
			}
		case steps.Respond:
			if s.Message.Args["code"] != "201" {
				t.Errorf("respond step code %s, want 201", s.Message.Args["code"])
			}
		}
	}
}

func TestRefusedRequestEndsWithAnErrorStep(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	_, err := c.Client("admin").AppsV1().Deployments("nowhere").Create(context.Background(), deployment("web", 1), metav1.CreateOptions{})
	if err == nil {
		t.Fatal("create in a missing namespace succeeded")
	}
	trace := traceOf(c.Steps.Since(0, 0), "create", "deployments.apps")
	last := trace[len(trace)-1]
	if last.Stage != steps.Respond || last.Outcome == steps.OK || last.Message.Args["code"] != "404" {
		t.Errorf("last step %+v, want a failed respond with 404", last)
	}
	for _, s := range trace {
		if s.Stage == steps.Store {
			t.Errorf("a refused create reached etcd: %+v", s)
		}
	}
}

func TestObserverReadsAreNotRecordedButWritesAre(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	cfg := c.RESTConfig("admin")
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			r.Header.Set(steps.ObserverHeader, "test")
			return rt.RoundTrip(r)
		})
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	before := c.Steps.Last()
	if _, err := cs.CoreV1().Namespaces().List(context.Background(), metav1.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	if c.Steps.Last() != before {
		t.Errorf("an observer's list recorded %d steps", c.Steps.Last()-before)
	}
	if _, err := cs.CoreV1().ConfigMaps("default").Create(context.Background(), &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if c.Steps.Last() == before {
		t.Error("an observer's write was not recorded")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestReplacementPodJoinsTheTraceOfTheDeleteThatCausedIt(t *testing.T) {
	t.Parallel()
	c := testcluster.StartCascade(t)
	cs := c.Client("admin")
	ctx := context.Background()
	if _, err := cs.AppsV1().Deployments("default").Create(ctx, deployment("web", 1), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var pod string
	waitUntil(t, "a running pod", func() bool {
		pods := runningPods(t, cs, "app=web")
		if len(pods) == 1 {
			pod = pods[0].Name
		}
		return pod != ""
	})
	if err := cs.CoreV1().Pods("default").Delete(ctx, pod, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	found := func() bool {
		all := c.Steps.Since(0, 0)
		del := traceOf(all, "delete", "pods")
		if len(del) == 0 {
			return false
		}
		for _, s := range all {
			if s.Trace == del[0].Trace && s.Stage == steps.Store && s.Object.Kind == "Pod" && s.Object.Name != pod {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(30 * time.Second)
	for !found() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for the replacement pod's creation in the delete's trace; the pods' story:\n%s",
				podStory(c.Steps.Since(0, 0)))
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// podStory lists the requests on pods and the pod and ReplicaSet steps of
// the controllers, with their traces, for a failure message.
func podStory(all []steps.Step) string {
	var b strings.Builder
	for _, s := range all {
		request := s.Stage == steps.Request && s.Message.Args["resource"] == "pods"
		if request || s.Object.Kind == "Pod" && s.Stage == steps.Store || s.Component == steps.ControllerManager {
			fmt.Fprintf(&b, "#%d trace %s parent %d %s %s %s %s/%s %v\n", s.Seq, s.Trace, s.Parent, s.Component, s.Stage,
				s.Message.Key, s.Object.Kind, s.Object.Name, s.Message.Args)
		}
	}
	return b.String()
}

// TestRequestGivenUpWhileHeldByThePacerRecordsAnErrorStep: a create held
// in step mode whose client gives up ends as an error step in the trace, as
// every other failure does.
func TestRequestGivenUpWhileHeldByThePacerRecordsAnErrorStep(t *testing.T) {
	c := testcluster.Start(t)
	c.Pacer.Set(steps.PacerState{Mode: steps.ModeStep})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	_, err := c.Client("admin").CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "held"}}, metav1.CreateOptions{})
	cancel()
	if err == nil {
		t.Fatal("a create held in step mode went through")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, s := range c.Steps.Since(0, 0) {
			if d, ok := s.Detail.(map[string]any); ok && s.Stage == steps.Respond && s.Outcome == steps.Failed && d["code"] == http.StatusGatewayTimeout {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no error step was recorded for the request the pacer held")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
