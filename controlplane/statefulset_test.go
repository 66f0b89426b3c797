package controlplane_test

// A StatefulSet on a whole cluster, through both kubectls: scaled from 0 to
// 3 it creates web-0, web-1, web-2 in that order, each only once the one
// before is Running and Ready; scaled to 1 it deletes web-2, and web-1 only
// once web-2 is gone; a rolling update with a partition replaces only the
// ordinals at or above it. A watch on the pods is the witness of the order.

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

const webSet = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 0
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx
`

// podHistory is what a watch on the web pods saw, in order.
type podHistory struct {
	mu     sync.Mutex // guards events
	events []string   // "ADDED web-0", "READY web-0", "TERMINATING web-2", "DELETED web-2"
}

func (h *podHistory) record(e watch.Event) {
	pod, ok := e.Object.(*corev1.Pod)
	if !ok {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	seen := func(s string) bool {
		for _, have := range h.events {
			if have == s {
				return true
			}
		}
		return false
	}
	add := func(s string) {
		if !seen(s) {
			h.events = append(h.events, s)
		}
	}
	switch {
	case e.Type == watch.Added:
		add("ADDED " + pod.Name + " " + string(pod.UID))
	case e.Type == watch.Deleted:
		add("DELETED " + pod.Name + " " + string(pod.UID))
	case pod.DeletionTimestamp != nil:
		add("TERMINATING " + pod.Name + " " + string(pod.UID))
	case podReady(pod):
		add("READY " + pod.Name + " " + string(pod.UID))
	}
}

// order returns the events of kind ("ADDED" …), as "<kind> <pod>", in order.
func (h *podHistory) order(kinds ...string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.events {
		f := strings.Fields(e)
		for _, k := range kinds {
			if f[0] == k {
				out = append(out, f[0]+" "+f[1])
			}
		}
	}
	return out
}

func (h *podHistory) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = nil
}

func watchWebPods(t *testing.T, c *testcluster.Cluster) *podHistory {
	t.Helper()
	cs := c.Client("admin")
	list, err := cs.CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	lw := cache.NewFilteredListWatchFromClient(cs.CoreV1().RESTClient(), "pods", "default", func(o *metav1.ListOptions) {
		o.LabelSelector = "app=web"
		o.FieldSelector = fields.Everything().String()
	})
	ctx, cancel := context.WithCancel(context.Background())
	w, err := watchtools.NewRetryWatcherWithContext(ctx, list.ResourceVersion, lw)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	h := &podHistory{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range w.ResultChan() {
			h.record(e)
		}
	}()
	t.Cleanup(func() {
		cancel()
		w.Stop()
		<-done
	})
	return h
}

func TestStatefulSetCreatesInOrderDeletesInReverseAndRollsFromThePartition(t *testing.T) {
	t.Parallel()
	c := testcluster.StartCascade(t)
	cs := c.Client("admin")
	bins := kubectls(t)
	names := []string{"glassplane kubectl"}
	if _, ok := bins["/usr/bin/kubectl"]; ok {
		names = append(names, "/usr/bin/kubectl")
	}
	// each turn alternates between the kubectls
	turn := 0
	kubectl := func(stdin string, args ...string) string {
		t.Helper()
		name := names[turn%len(names)]
		turn++
		out, err := c.Kubectl(bins[name], "admin", stdin, args...)
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return out
	}
	both := func(args ...string) []string {
		t.Helper()
		var outs []string
		for _, name := range names {
			out, err := c.Kubectl(bins[name], "admin", "", args...)
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
			}
			outs = append(outs, out)
		}
		return outs
	}
	webPods := func() map[string]corev1.Pod {
		l, err := cs.CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]corev1.Pod{}
		for _, p := range l.Items {
			out[p.Name] = p
		}
		return out
	}
	readyExactly := func(image string, want ...string) func() bool {
		return func() bool {
			pods := webPods()
			if len(pods) != len(want) {
				return false
			}
			for _, name := range want {
				p, ok := pods[name]
				if !ok || p.DeletionTimestamp != nil || !podReady(&p) || p.Spec.Containers[0].Image != image {
					return false
				}
			}
			return true
		}
	}

	kubectl(webSet, "apply", "-f", "-")
	history := watchWebPods(t, c)
	kubectl("", "scale", "sts", "web", "--replicas=3")
	waitUntil(t, "web-0, web-1, web-2 ready", readyExactly("nginx", "web-0", "web-1", "web-2"))
	waitUntil(t, "the watch to see web-2 ready", func() bool { return len(history.order("READY")) == 3 })
	want := []string{"ADDED web-0", "READY web-0", "ADDED web-1", "READY web-1", "ADDED web-2", "READY web-2"}
	if got := history.order("ADDED", "READY"); !equalStrings(got, want) {
		t.Errorf("scaling 0→3 went\n%v\nwant\n%v", got, want)
	}
	pods := webPods()
	for _, pair := range [][2]string{{"web-0", "web-1"}, {"web-1", "web-2"}} {
		if pods[pair[1]].CreationTimestamp.Time.Before(pods[pair[0]].CreationTimestamp.Time) {
			t.Errorf("%s was created before %s", pair[1], pair[0])
		}
	}
	if p := pods["web-1"]; p.Spec.Hostname != "web-1" || p.Spec.Subdomain != "web" {
		t.Errorf("web-1 has hostname %q and subdomain %q", p.Spec.Hostname, p.Spec.Subdomain)
	}
	for _, name := range names {
		waitUntil(t, name+" get sts to show web 3/3", func() bool { // status follows the pods
			out, _ := c.Kubectl(bins[name], "admin", "", "get", "sts", "web")
			return regexp.MustCompile(`web\s+3/3\s+\d+s`).MatchString(out)
		})
	}
	for _, out := range both("rollout", "status", "sts/web", "--timeout=60s") {
		// The default partition is 0, so kubectl reports a partitioned roll out, as against kube.
		if !strings.Contains(out, "partitioned roll out complete: 3 new pods have been updated") {
			t.Errorf("rollout status printed %q", out)
		}
	}

	history.reset()
	kubectl("", "scale", "sts", "web", "--replicas=1")
	waitUntil(t, "only web-0 left", readyExactly("nginx", "web-0"))
	waitUntil(t, "the watch to see web-1 deleted", func() bool { return len(history.order("DELETED")) == 2 })
	want = []string{"TERMINATING web-2", "DELETED web-2", "TERMINATING web-1", "DELETED web-1"}
	if got := history.order("TERMINATING", "DELETED"); !equalStrings(got, want) {
		t.Errorf("scaling 3→1 went\n%v\nwant\n%v", got, want)
	}

	kubectl("", "scale", "sts", "web", "--replicas=3")
	waitUntil(t, "three ready again", readyExactly("nginx", "web-0", "web-1", "web-2"))
	before := webPods()
	kubectl("", "patch", "sts", "web", "-p", `{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}`)
	kubectl("", "set", "image", "sts/web", "nginx=nginx:2")
	waitUntil(t, "web-2 running nginx:2", func() bool {
		p, ok := webPods()["web-2"]
		return ok && p.Spec.Containers[0].Image == "nginx:2" && podReady(&p) && p.DeletionTimestamp == nil
	})
	for _, out := range both("rollout", "status", "sts/web", "--timeout=60s") {
		if !strings.Contains(out, "partitioned roll out complete: 1 new pods have been updated") {
			t.Errorf("rollout status with a partition printed %q", out)
		}
	}
	after := webPods()
	for _, name := range []string{"web-0", "web-1"} {
		if after[name].UID != before[name].UID || after[name].Spec.Containers[0].Image != "nginx" {
			t.Errorf("%s below the partition was replaced or updated", name)
		}
	}
	if after["web-2"].Labels["controller-revision-hash"] == before["web-2"].Labels["controller-revision-hash"] {
		t.Errorf("web-2 still carries the old revision %q", after["web-2"].Labels["controller-revision-hash"])
	}
	out := kubectl("", "rollout", "history", "sts/web")
	if !regexp.MustCompile(`(?m)^1\s`).MatchString(out) || !regexp.MustCompile(`(?m)^2\s`).MatchString(out) {
		t.Errorf("rollout history lists no revisions 1 and 2:\n%s", out)
	}
	kubectl("", "patch", "sts", "web", "-p", `{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}`)
	waitUntil(t, "every pod running nginx:2", readyExactly("nginx:2", "web-0", "web-1", "web-2"))
	if out := kubectl("", "rollout", "undo", "sts/web"); !strings.Contains(out, "statefulset.apps/web rolled back") {
		t.Errorf("rollout undo printed %q", out)
	}
	waitUntil(t, "every pod back on nginx", readyExactly("nginx", "web-0", "web-1", "web-2"))
	kubectl("", "delete", "sts", "web")
	waitUntil(t, "the garbage collector to take the pods and revisions", func() bool {
		revs, err := cs.AppsV1().ControllerRevisions("default").List(context.Background(), metav1.ListOptions{})
		return err == nil && len(revs.Items) == 0 && len(webPods()) == 0
	})
}

func equalStrings(a, b []string) bool {
	return strings.Join(a, "|") == strings.Join(b, "|")
}
