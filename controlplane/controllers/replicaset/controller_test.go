package replicaset

// Sample-controller style: a fixture of objects in the listers and a fake
// clientset, syncReplicaSet called directly, the client's actions checked.

import (
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	core "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/ptr"
)

type fixture struct {
	t       *testing.T
	client  *fake.Clientset
	rsList  []*appsv1.ReplicaSet
	pods    []*corev1.Pod
	objects []runtime.Object
}

func newFixture(t *testing.T) *fixture { return &fixture{t: t} }

func (f *fixture) controller() (*Controller, *record.FakeRecorder) {
	f.client = fake.NewClientset(f.objects...)
	generated := 0
	f.client.PrependReactor("create", "pods", func(a core.Action) (bool, runtime.Object, error) {
		// The fake clientset does not generate names as the API server does.
		pod := a.(core.CreateAction).GetObject().(*corev1.Pod)
		if pod.Name == "" {
			pod.Name = fmt.Sprintf("%s%d", pod.GenerateName, generated)
			generated++
		}
		return false, nil, nil
	})
	factory := informers.NewSharedInformerFactory(f.client, 0)
	c := New(f.client, factory, nil)
	events := record.NewFakeRecorder(100)
	c.eventRecorder = events
	for _, rs := range f.rsList {
		_ = factory.Apps().V1().ReplicaSets().Informer().GetIndexer().Add(rs)
	}
	for _, p := range f.pods {
		_ = factory.Core().V1().Pods().Informer().GetIndexer().Add(p)
	}
	return c, events
}

func (f *fixture) sync(c *Controller, key string) {
	f.t.Helper()
	f.client.ClearActions()
	if err := c.syncReplicaSet(context.Background(), key); err != nil {
		f.t.Fatalf("syncReplicaSet: %v", err)
	}
}

// verbs lists the client's actions as "verb resource[/subresource]".
func (f *fixture) verbs() []string {
	var out []string
	for _, a := range f.client.Actions() {
		s := a.GetVerb() + " " + a.GetResource().Resource
		if a.GetSubresource() != "" {
			s += "/" + a.GetSubresource()
		}
		out = append(out, s)
	}
	return out
}

func newRS(name string, replicas int32) *appsv1.ReplicaSet {
	lbls := map[string]string{"app": name}
	return &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: types.UID(name + "-uid"), Generation: 1},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: lbls},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: lbls},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}},
		},
	}
}

func newPod(name string, rs *appsv1.ReplicaSet, phase corev1.PodPhase, node string, ready bool) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: types.UID(name + "-uid"),
			Labels: rs.Spec.Template.Labels, CreationTimestamp: metav1.Now()},
		Spec:   corev1.PodSpec{NodeName: node},
		Status: corev1.PodStatus{Phase: phase},
	}
	p.OwnerReferences = []metav1.OwnerReference{*metav1.NewControllerRef(rs, controllerKind)}
	if ready {
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue,
			LastTransitionTime: metav1.NewTime(time.Now().Add(-time.Minute))}}
	}
	return p
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

func TestSyncCreatesMissingPodsOwnedByTheReplicaSet(t *testing.T) {
	f := newFixture(t)
	rs := newRS("web", 3)
	f.rsList, f.objects = []*appsv1.ReplicaSet{rs}, []runtime.Object{rs}
	c, events := f.controller()
	f.sync(c, "default/web")

	if n := count(f.verbs(), "create pods"); n != 3 {
		t.Fatalf("created %d pods, want 3; actions %v", n, f.verbs())
	}
	for _, a := range f.client.Actions() {
		create, ok := a.(core.CreateAction)
		if !ok || a.GetResource().Resource != "pods" {
			continue
		}
		pod := create.GetObject().(*corev1.Pod)
		ref := metav1.GetControllerOf(pod)
		if pod.GenerateName != "web-" || ref == nil || ref.UID != rs.UID || !*ref.BlockOwnerDeletion {
			t.Errorf("pod generateName %q, controller %+v", pod.GenerateName, ref)
		}
	}
	if got := <-events.Events; got != "Normal SuccessfulCreate Created pod: web-0" {
		t.Errorf("event %q", got)
	}
}

func TestSyncWaitsForItsOwnCreatesBeforeCreatingMore(t *testing.T) {
	f := newFixture(t)
	rs := newRS("web", 2)
	f.rsList, f.objects = []*appsv1.ReplicaSet{rs}, []runtime.Object{rs}
	c, _ := f.controller()
	f.sync(c, "default/web")
	f.sync(c, "default/web") // the informer has not delivered the pods yet
	if n := count(f.verbs(), "create pods"); n != 0 {
		t.Errorf("second sync created %d more pods before seeing the first ones", n)
	}
}

func TestSyncDeletesUnscheduledAndNotReadyPodsFirst(t *testing.T) {
	f := newFixture(t)
	rs := newRS("web", 1)
	running := newPod("running", rs, corev1.PodRunning, "node-1", true)
	notReady := newPod("not-ready", rs, corev1.PodRunning, "node-1", false)
	pending := newPod("pending", rs, corev1.PodPending, "", false)
	f.rsList, f.pods = []*appsv1.ReplicaSet{rs}, []*corev1.Pod{running, notReady, pending}
	f.objects = []runtime.Object{rs, running, notReady, pending}
	c, _ := f.controller()
	f.sync(c, "default/web")

	var deleted []string
	for _, a := range f.client.Actions() {
		if d, ok := a.(core.DeleteAction); ok && a.GetResource().Resource == "pods" {
			deleted = append(deleted, d.GetName())
		}
	}
	if len(deleted) != 2 || deleted[0] != "pending" || deleted[1] != "not-ready" {
		t.Errorf("deleted %v, want [pending not-ready]", deleted)
	}
}

func TestSyncAdoptsMatchingOrphansAndReleasesPodsThatNoLongerMatch(t *testing.T) {
	f := newFixture(t)
	rs := newRS("web", 2)
	orphan := newPod("orphan", rs, corev1.PodRunning, "node-1", true)
	orphan.OwnerReferences = nil
	relabelled := newPod("relabelled", rs, corev1.PodRunning, "node-1", true)
	relabelled.Labels = map[string]string{"app": "debug"}
	f.rsList, f.pods = []*appsv1.ReplicaSet{rs}, []*corev1.Pod{orphan, relabelled}
	f.objects = []runtime.Object{rs, orphan, relabelled}
	c, _ := f.controller()
	f.sync(c, "default/web")

	patched := map[string]string{}
	for _, a := range f.client.Actions() {
		if p, ok := a.(core.PatchAction); ok {
			patched[p.GetName()] = string(p.GetPatch())
		}
	}
	if len(patched) != 2 || patched["orphan"] == "" || patched["relabelled"] == "" {
		t.Fatalf("patched %v, want the orphan adopted and the relabelled pod released", patched)
	}
	// One pod adopted, one released: one more is needed.
	if n := count(f.verbs(), "create pods"); n != 1 {
		t.Errorf("created %d pods, want 1", n)
	}
}

func TestStatusCountsReadyAndAvailablePods(t *testing.T) {
	rs := newRS("web", 3)
	rs.Spec.MinReadySeconds = 120
	justReady := newPod("just-ready", rs, corev1.PodRunning, "n", true)
	justReady.Status.Conditions[0].LastTransitionTime = metav1.Now()
	pods := []*corev1.Pod{newPod("a", rs, corev1.PodRunning, "n", true), justReady, newPod("c", rs, corev1.PodPending, "", false)}
	pods[0].Status.Conditions[0].LastTransitionTime = metav1.NewTime(time.Now().Add(-time.Hour))
	st := calculateStatus(rs, pods, time.Now())
	if st.Replicas != 3 || st.FullyLabeledReplicas != 3 || st.ReadyReplicas != 2 || st.AvailableReplicas != 1 || st.ObservedGeneration != 1 {
		t.Errorf("status %+v", st)
	}
}
