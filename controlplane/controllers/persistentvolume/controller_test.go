package persistentvolume

// Sample-controller style: objects in the listers and a fake clientset, the
// sync called directly, the client's actions checked.

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	core "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/ptr"
)

func newClaim(name, class string) *corev1.PersistentVolumeClaim {
	return &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: types.UID(name + "-uid")},
		Spec: corev1.PersistentVolumeClaimSpec{StorageClassName: ptr.To(class),
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}},
		Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimPending},
	}
}

func newVolume(name, class, size string, phase corev1.PersistentVolumePhase) *corev1.PersistentVolume {
	return &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(name + "-uid")},
		Spec: corev1.PersistentVolumeSpec{StorageClassName: class, PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
			AccessModes:            []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Capacity:               corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)},
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/tmp/" + name}}},
		Status: corev1.PersistentVolumeStatus{Phase: phase},
	}
}

func newController(t *testing.T, objs ...runtime.Object) (*Controller, *fake.Clientset, *record.FakeRecorder) {
	client := fake.NewClientset(objs...)
	factory := informers.NewSharedInformerFactory(client, 0)
	c := New(client, factory, nil)
	events := record.NewFakeRecorder(10)
	c.eventRecorder = events
	for _, o := range objs {
		var err error
		switch o := o.(type) {
		case *corev1.PersistentVolumeClaim:
			err = factory.Core().V1().PersistentVolumeClaims().Informer().GetIndexer().Add(o)
		case *corev1.PersistentVolume:
			err = factory.Core().V1().PersistentVolumes().Informer().GetIndexer().Add(o)
		case *storagev1.StorageClass:
			err = factory.Storage().V1().StorageClasses().Informer().GetIndexer().Add(o)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return c, client, events
}

func actions(client *fake.Clientset) []string {
	var out []string
	for _, a := range client.Actions() {
		s := a.GetVerb() + " " + a.GetResource().Resource
		if a.GetSubresource() != "" {
			s += "/" + a.GetSubresource()
		}
		out = append(out, s)
	}
	return out
}

func TestSyncClaimBindsTheSmallestAvailableVolumeThatFits(t *testing.T) {
	claim := newClaim("data", "manual")
	small, big, other := newVolume("small", "manual", "500Mi", corev1.VolumeAvailable),
		newVolume("big", "manual", "5Gi", corev1.VolumeAvailable), newVolume("fits", "manual", "2Gi", corev1.VolumeAvailable)
	c, client, _ := newController(t, claim, small, big, other)
	if err := c.syncClaim(context.Background(), "default/data"); err != nil {
		t.Fatal(err)
	}
	want := "update persistentvolumes,update persistentvolumes/status,update persistentvolumeclaims,update persistentvolumeclaims/status"
	if got := strings.Join(actions(client), ","); got != want {
		t.Fatalf("actions %s, want %s", got, want)
	}
	pv := client.Actions()[0].(core.UpdateAction).GetObject().(*corev1.PersistentVolume)
	bound := client.Actions()[2].(core.UpdateAction).GetObject().(*corev1.PersistentVolumeClaim)
	if pv.Name != "fits" || pv.Spec.ClaimRef == nil || pv.Spec.ClaimRef.UID != claim.UID || bound.Spec.VolumeName != "fits" ||
		bound.Annotations["pv.kubernetes.io/bind-completed"] != "yes" || bound.Annotations["pv.kubernetes.io/bound-by-controller"] != "yes" {
		t.Errorf("bound %s to %+v; claim %+v %v", pv.Name, pv.Spec.ClaimRef, bound.Spec, bound.Annotations)
	}
	status := client.Actions()[3].(core.UpdateAction).GetObject().(*corev1.PersistentVolumeClaim)
	if status.Status.Phase != corev1.ClaimBound || status.Status.Capacity.Storage().String() != "2Gi" {
		t.Errorf("claim status %+v", status.Status)
	}
}

func TestSyncClaimProvisionsAPreBoundVolumeForAClassOfItsProvisioner(t *testing.T) {
	claim := newClaim("data", "standard")
	class := &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "standard"}, Provisioner: Provisioner,
		ReclaimPolicy: ptr.To(corev1.PersistentVolumeReclaimDelete)}
	c, client, events := newController(t, claim, class)
	if err := c.syncClaim(context.Background(), "default/data"); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(actions(client), ","); got != "update persistentvolumeclaims,create persistentvolumes" {
		t.Fatalf("actions %s", got)
	}
	pv := client.Actions()[1].(core.CreateAction).GetObject().(*corev1.PersistentVolume)
	if pv.Name != "pvc-data-uid" || pv.Spec.ClaimRef.UID != claim.UID || pv.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimDelete ||
		pv.Spec.HostPath.Path != "/tmp/glassplane/pvc-data-uid" || pv.Spec.StorageClassName != "standard" || pv.Spec.Capacity.Storage().String() != "1Gi" {
		t.Errorf("provisioned %+v", pv)
	}
	if got := <-events.Events; got != "Normal ProvisioningSucceeded Successfully provisioned volume pvc-data-uid using glassplane.dev/hostpath" {
		t.Errorf("event %q", got)
	}
}

func TestSyncClaimWaitsForAVolumeWhenItsClassHasNoProvisioner(t *testing.T) {
	claim := newClaim("data", "manual")
	class := &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "manual"}, Provisioner: "kubernetes.io/no-provisioner"}
	c, client, events := newController(t, claim, class)
	if err := c.syncClaim(context.Background(), "default/data"); err != nil {
		t.Fatal(err)
	}
	if len(client.Actions()) != 0 {
		t.Errorf("actions %v, want none", actions(client))
	}
	if got := <-events.Events; !strings.HasPrefix(got, "Normal ExternalProvisioning Waiting for a volume to be created either by the external provisioner 'kubernetes.io/no-provisioner'") {
		t.Errorf("event %q", got)
	}
}

func TestSyncVolumeDeletesOrReleasesAVolumeWhoseClaimIsGone(t *testing.T) {
	for _, policy := range []corev1.PersistentVolumeReclaimPolicy{corev1.PersistentVolumeReclaimDelete, corev1.PersistentVolumeReclaimRetain} {
		pv := newVolume("pv", "standard", "1Gi", corev1.VolumeBound)
		pv.Spec.PersistentVolumeReclaimPolicy = policy
		pv.Spec.ClaimRef = &corev1.ObjectReference{Namespace: "default", Name: "gone", UID: "gone-uid"}
		c, client, _ := newController(t, pv)
		if err := c.syncVolume(context.Background(), "pv"); err != nil {
			t.Fatal(err)
		}
		want := map[corev1.PersistentVolumeReclaimPolicy]string{corev1.PersistentVolumeReclaimDelete: "delete persistentvolumes",
			corev1.PersistentVolumeReclaimRetain: "update persistentvolumes/status"}[policy]
		if got := strings.Join(actions(client), ","); got != want {
			t.Errorf("%s: actions %s, want %s", policy, got, want)
		}
	}
}
