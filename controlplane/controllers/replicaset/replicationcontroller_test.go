package replicaset

import (
	"context"
	"fmt"
	"testing"

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

// The same sync keeps a ReplicationController: the pods it creates name the
// ReplicationController as their controller, and the counts go to the
// ReplicationController's status.
func TestSyncOfAReplicationControllerCreatesPodsItControlsAndReportsItsStatus(t *testing.T) {
	lbls := map[string]string{"app": "web"}
	rc := &corev1.ReplicationController{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", UID: types.UID("web-uid"), Generation: 1, ResourceVersion: "7"},
		Spec: corev1.ReplicationControllerSpec{Replicas: ptr.To[int32](2), Selector: lbls,
			Template: &corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: lbls},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}},
	}
	client := fake.NewClientset(rc)
	generated := 0
	client.PrependReactor("create", "pods", func(a core.Action) (bool, runtime.Object, error) {
		pod := a.(core.CreateAction).GetObject().(*corev1.Pod)
		pod.Name = fmt.Sprintf("%s%d", pod.GenerateName, generated)
		generated++
		return false, nil, nil
	})
	factory := informers.NewSharedInformerFactory(client, 0)
	c := NewForReplicationControllers(client, factory, nil)
	events := record.NewFakeRecorder(10)
	c.eventRecorder = events
	_ = factory.Core().V1().ReplicationControllers().Informer().GetIndexer().Add(rc)

	if err := c.syncReplicaSet(context.Background(), "default/web"); err != nil {
		t.Fatal(err)
	}
	created, status := 0, false
	for _, a := range client.Actions() {
		switch {
		case a.GetVerb() == "create" && a.GetResource().Resource == "pods":
			created++
			ref := metav1.GetControllerOf(a.(core.CreateAction).GetObject().(*corev1.Pod))
			if ref == nil || ref.Kind != "ReplicationController" || ref.APIVersion != "v1" || ref.UID != rc.UID {
				t.Errorf("pod's controller %+v", ref)
			}
		case a.GetVerb() == "update" && a.GetResource().Resource == "replicationcontrollers" && a.GetSubresource() == "status":
			got := a.(core.UpdateAction).GetObject().(*corev1.ReplicationController)
			status = got.Status.ObservedGeneration == 1
		}
	}
	if created != 2 || !status {
		t.Errorf("created %d pods (want 2), status written %v; actions %v", created, status, client.Actions())
	}
	if got := <-events.Events; got != "Normal SuccessfulCreate Created pod: web-0" {
		t.Errorf("event %q", got)
	}
}
