package deployment

import (
	"context"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	core "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/ptr"
)

type fixture struct {
	t      *testing.T
	client *fake.Clientset
	d      *appsv1.Deployment
	rsList []*appsv1.ReplicaSet
	events *record.FakeRecorder
}

// newDeployment is a Deployment as the API server stores it, defaults applied.
func newDeployment(replicas int32, surge, unavailable intstr.IntOrString) *appsv1.Deployment {
	lbls := map[string]string{"app": "web"}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", UID: "web-uid", Generation: 1},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: lbls},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: lbls},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx:1.25"}}}},
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &surge, MaxUnavailable: &unavailable}},
			RevisionHistoryLimit:    ptr.To[int32](10),
			ProgressDeadlineSeconds: ptr.To[int32](600),
		},
	}
}

// replicaSetFor is the ReplicaSet d would make for its template, at size
// replicas with available pods, revision rev.
func replicaSetFor(d *appsv1.Deployment, replicas, available int32, rev string) *appsv1.ReplicaSet {
	rs := newReplicaSet(d)
	rs.UID = types.UID(rs.Name + "-uid")
	rs.Spec.Replicas = ptr.To(replicas)
	rs.Status = appsv1.ReplicaSetStatus{Replicas: replicas, ReadyReplicas: available, AvailableReplicas: available}
	rs.Annotations = map[string]string{RevisionAnnotation: rev,
		DesiredReplicasAnnotation: "3", MaxReplicasAnnotation: "4"}
	return rs
}

func (f *fixture) sync() {
	f.t.Helper()
	objs := []runtime.Object{f.d}
	for _, rs := range f.rsList {
		objs = append(objs, rs)
	}
	f.client = fake.NewClientset(objs...)
	factory := informers.NewSharedInformerFactory(f.client, 0)
	c := New(f.client, factory, nil)
	f.events = record.NewFakeRecorder(100)
	c.eventRecorder = f.events
	_ = factory.Apps().V1().Deployments().Informer().GetIndexer().Add(f.d)
	for _, rs := range f.rsList {
		_ = factory.Apps().V1().ReplicaSets().Informer().GetIndexer().Add(rs)
	}
	if err := c.syncDeployment(context.Background(), "default/web"); err != nil {
		f.t.Fatalf("syncDeployment: %v", err)
	}
}

// replicaSetWrites returns the ReplicaSets the sync created or updated.
func (f *fixture) replicaSetWrites(verb string) []*appsv1.ReplicaSet {
	var out []*appsv1.ReplicaSet
	for _, a := range f.client.Actions() {
		if a.GetVerb() != verb || a.GetResource().Resource != "replicasets" {
			continue
		}
		switch a := a.(type) {
		case core.CreateAction:
			out = append(out, a.GetObject().(*appsv1.ReplicaSet))
		case core.UpdateAction:
			out = append(out, a.GetObject().(*appsv1.ReplicaSet))
		}
	}
	return out
}

func TestNewDeploymentGetsAReplicaSetNamedAfterItsTemplateHash(t *testing.T) {
	f := &fixture{t: t, d: newDeployment(3, intstr.FromString("25%"), intstr.FromString("25%"))}
	f.sync()
	created := f.replicaSetWrites("create")
	if len(created) != 1 {
		t.Fatalf("created %d ReplicaSets, want 1", len(created))
	}
	rs, hash := created[0], ComputeHash(&f.d.Spec.Template, nil)
	if rs.Name != "web-"+hash || *rs.Spec.Replicas != 3 || rs.Spec.Selector.MatchLabels[PodTemplateHashLabel] != hash ||
		rs.Spec.Template.Labels[PodTemplateHashLabel] != hash || rs.Annotations[RevisionAnnotation] != "1" {
		t.Errorf("ReplicaSet %s: replicas %d, selector %v, annotations %v", rs.Name, *rs.Spec.Replicas, rs.Spec.Selector, rs.Annotations)
	}
	if ref := metav1.GetControllerOf(rs); ref == nil || ref.UID != f.d.UID {
		t.Errorf("ReplicaSet not controlled by the Deployment: %+v", rs.OwnerReferences)
	}
	if got := <-f.events.Events; got != "Normal ScalingReplicaSet Scaled up replica set web-"+hash+" from 0 to 3" {
		t.Errorf("event %q", got)
	}
}

func TestRollingUpdateSurgesTheNewReplicaSetWithinMaxSurge(t *testing.T) {
	old := newDeployment(3, intstr.FromInt32(1), intstr.FromInt32(0))
	f := &fixture{t: t, rsList: []*appsv1.ReplicaSet{replicaSetFor(old, 3, 3, "1")}}
	f.d = old.DeepCopy()
	f.d.Spec.Template.Spec.Containers[0].Image = "nginx:1.27"
	f.sync()
	created := f.replicaSetWrites("create")
	if len(created) != 1 || *created[0].Spec.Replicas != 1 || created[0].Annotations[RevisionAnnotation] != "2" {
		t.Fatalf("want a new ReplicaSet of 1 replica at revision 2, got %d creates", len(created))
	}
	if updated := f.replicaSetWrites("update"); len(updated) != 0 {
		t.Errorf("the old ReplicaSet was scaled before any new pod was available")
	}
}

func TestRollingUpdateScalesOldPodsDownAsNewOnesBecomeAvailable(t *testing.T) {
	old := newDeployment(3, intstr.FromInt32(1), intstr.FromInt32(0))
	f := &fixture{t: t}
	f.d = old.DeepCopy()
	f.d.Spec.Template.Spec.Containers[0].Image = "nginx:1.27"
	f.rsList = []*appsv1.ReplicaSet{replicaSetFor(old, 3, 3, "1"), replicaSetFor(f.d, 1, 1, "2")}
	f.sync()
	updated := f.replicaSetWrites("update")
	if len(updated) != 1 || updated[0].Name != f.rsList[0].Name || *updated[0].Spec.Replicas != 2 {
		t.Fatalf("want the old ReplicaSet scaled 3 → 2, got %d updates", len(updated))
	}
}

func TestScalingADeploymentResizesItsOnlyReplicaSet(t *testing.T) {
	f := &fixture{t: t, d: newDeployment(5, intstr.FromString("25%"), intstr.FromString("25%"))}
	f.rsList = []*appsv1.ReplicaSet{replicaSetFor(f.d, 3, 3, "1")}
	f.sync()
	updated := f.replicaSetWrites("update")
	if len(updated) != 1 || *updated[0].Spec.Replicas != 5 || updated[0].Annotations[DesiredReplicasAnnotation] != "5" {
		t.Fatalf("want the ReplicaSet scaled to 5, got %d updates", len(updated))
	}
	if got := <-f.events.Events; !strings.HasPrefix(got, "Normal ScalingReplicaSet Scaled up replica set web-") || !strings.HasSuffix(got, "from 3 to 5") {
		t.Errorf("event %q", got)
	}
}

func TestOldReplicaSetsBeyondRevisionHistoryLimitAreDeleted(t *testing.T) {
	f := &fixture{t: t, d: newDeployment(1, intstr.FromString("25%"), intstr.FromString("25%"))}
	f.d.Spec.RevisionHistoryLimit = ptr.To[int32](1)
	cur := replicaSetFor(f.d, 1, 1, "3")
	cur.Annotations[DesiredReplicasAnnotation], cur.Annotations[MaxReplicasAnnotation] = "1", "2"
	var olds []*appsv1.ReplicaSet
	for i, image := range []string{"nginx:1.1", "nginx:1.2"} {
		d := f.d.DeepCopy()
		d.Spec.Template.Spec.Containers[0].Image = image
		olds = append(olds, replicaSetFor(d, 0, 0, string(rune('1'+i))))
	}
	f.rsList = append(olds, cur)
	f.d.Status = appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 1, UpdatedReplicas: 1, AvailableReplicas: 1, ReadyReplicas: 1}
	f.sync()
	var deleted []string
	for _, a := range f.client.Actions() {
		if d, ok := a.(core.DeleteAction); ok {
			deleted = append(deleted, d.GetName())
		}
	}
	if len(deleted) != 1 || deleted[0] != olds[0].Name {
		t.Errorf("deleted %v, want only the oldest revision %s", deleted, olds[0].Name)
	}
}

func TestCompletedRolloutReportsNewReplicaSetAvailable(t *testing.T) {
	d := newDeployment(3, intstr.FromString("25%"), intstr.FromString("25%"))
	rs := replicaSetFor(d, 3, 3, "1")
	st := calculateStatus(d, []*appsv1.ReplicaSet{rs}, rs)
	setProgressing(d, &st, rs, metav1.Now().Time)
	avail, prog := condition(st, appsv1.DeploymentAvailable), condition(st, appsv1.DeploymentProgressing)
	if st.Replicas != 3 || st.UpdatedReplicas != 3 || st.AvailableReplicas != 3 || st.UnavailableReplicas != 0 {
		t.Errorf("status %+v", st)
	}
	if avail == nil || avail.Reason != MinimumReplicasAvailable || prog == nil || prog.Reason != NewRSAvailableReason ||
		prog.Message != `ReplicaSet "`+rs.Name+`" has successfully progressed.` {
		t.Errorf("conditions %+v", st.Conditions)
	}
}

func TestComputeHashDependsOnTheTemplateAndCollisionCount(t *testing.T) {
	d := newDeployment(1, intstr.FromInt32(1), intstr.FromInt32(0))
	a := ComputeHash(&d.Spec.Template, nil)
	if b := ComputeHash(d.Spec.Template.DeepCopy(), nil); a != b {
		t.Errorf("the same template hashed to %s and %s", a, b)
	}
	changed := d.Spec.Template.DeepCopy()
	changed.Spec.Containers[0].Image = "nginx:1.27"
	if b := ComputeHash(changed, nil); a == b {
		t.Errorf("a different image hashed to the same %s", a)
	}
	if b := ComputeHash(&d.Spec.Template, ptr.To[int32](1)); a == b {
		t.Errorf("a collision count did not change the hash %s", a)
	}
	if strings.ContainsAny(a, "aeiou") {
		t.Errorf("hash %s has vowels; SafeEncodeString avoids them", a)
	}
}
