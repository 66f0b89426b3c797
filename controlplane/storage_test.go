package controlplane_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/apiserver"
	"github.com/glassplane/glassplane/controlplane/controllers/trace"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

const claimAndPod = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: %[1]s
  namespace: default
spec:
  accessModes: [ReadWriteOnce]
  %[2]s
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: %[1]s
  namespace: default
spec:
  containers:
  - name: app
    image: nginx
    volumeMounts:
    - {name: data, mountPath: /data}
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: %[1]s}
`

// A claim with no class gets the default class "standard"; the
// persistentvolume-binder provisions a volume for it (pvc-<uid>, reclaim
// Delete) and binds both; a pod using the claim runs; deleting the claim
// deletes the volume. Printed with kube's columns — with both kubectls.
func TestAClaimGetsAProvisionedVolumeAndAPodUsingItRuns(t *testing.T) {
	t.Parallel()
	c := testcluster.StartCascade(t)
	cs := c.Client("admin")
	ctx := context.Background()
	out, err := c.Kubectl(kubectls(t)["glassplane kubectl"], "admin", "", "get", "storageclass")
	if err != nil || !regexp.MustCompile(`NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE\n`+
		`standard \(default\)\s+glassplane.dev/hostpath\s+Delete\s+Immediate\s+false\s+`).MatchString(out) {
		t.Errorf("get storageclass: %v\n%s", err, out)
	}
	i := 0
	for name, bin := range kubectls(t) {
		i++
		claim := fmt.Sprintf("data%d", i)
		if out, err := c.Kubectl(bin, "admin", fmt.Sprintf(claimAndPod, claim, ""), "apply", "-f", "-"); err != nil {
			t.Fatalf("%s apply: %v\n%s", name, err, out)
		}
		var pvc *corev1.PersistentVolumeClaim
		waitUntil(t, claim+" Bound", func() bool {
			pvc, err = cs.CoreV1().PersistentVolumeClaims("default").Get(ctx, claim, metav1.GetOptions{})
			return err == nil && pvc.Status.Phase == corev1.ClaimBound
		})
		volume := "pvc-" + string(pvc.UID)
		if pvc.Spec.VolumeName != volume || pvc.Spec.StorageClassName == nil || *pvc.Spec.StorageClassName != "standard" ||
			pvc.Annotations["pv.kubernetes.io/bind-completed"] != "yes" || pvc.Annotations["volume.kubernetes.io/storage-provisioner"] != "glassplane.dev/hostpath" {
			t.Errorf("%s: claim %+v %v", name, pvc.Spec, pvc.Annotations)
		}
		pv, err := cs.CoreV1().PersistentVolumes().Get(ctx, volume, metav1.GetOptions{})
		if err != nil || pv.Status.Phase != corev1.VolumeBound || pv.Spec.ClaimRef == nil || pv.Spec.ClaimRef.UID != pvc.UID ||
			pv.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimDelete || pv.Spec.HostPath == nil {
			t.Fatalf("%s: volume %v %+v", name, err, pv)
		}
		waitUntil(t, "pod "+claim+" Running", func() bool {
			p, err := cs.CoreV1().Pods("default").Get(ctx, claim, metav1.GetOptions{})
			return err == nil && p.Status.Phase == corev1.PodRunning
		})
		out, err = c.Kubectl(bin, "admin", "", "get", "pvc", claim)
		if err != nil || !regexp.MustCompile(`NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE\n`+
			claim+`\s+Bound\s+`+volume+`\s+1Gi\s+RWO\s+standard\s+<unset>\s+`).MatchString(out) {
			t.Errorf("%s get pvc: %v\n%s", name, err, out)
		}
		out, err = c.Kubectl(bin, "admin", "", "get", "pv", volume)
		if err != nil || !regexp.MustCompile(`NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE\n`+
			volume+`\s+1Gi\s+RWO\s+Delete\s+Bound\s+default/`+claim+`\s+standard\s+<unset>\s+`).MatchString(out) {
			t.Errorf("%s get pv: %v\n%s", name, err, out)
		}
		out, err = c.Kubectl(bin, "admin", "", "get", "events", "--field-selector", "involvedObject.name="+claim+",reason=ProvisioningSucceeded")
		if err != nil || !strings.Contains(out, "Successfully provisioned volume "+volume+" using glassplane.dev/hostpath") {
			t.Errorf("%s events: %v\n%s", name, err, out)
		}
		if out, err := c.Kubectl(bin, "admin", "", "delete", "pod", claim, "--wait=false"); err != nil {
			t.Fatalf("%s delete pod: %v\n%s", name, err, out)
		}
		if out, err := c.Kubectl(bin, "admin", "", "delete", "pvc", claim); err != nil {
			t.Fatalf("%s delete pvc: %v\n%s", name, err, out)
		}
		waitUntil(t, volume+" deleted with its claim", func() bool {
			_, err := cs.CoreV1().PersistentVolumes().Get(ctx, volume, metav1.GetOptions{})
			return apierrors.IsNotFound(err)
		})
	}
}

// A claim of a class nobody provisions for, with no volume to bind, stays
// Pending, and a pod using it stays Pending with kube's scheduler message;
// an administrator's volume then binds the claim and the pod runs — with
// both kubectls.
func TestAPodWithAnUnboundClaimStaysPendingUntilAVolumeBindsIt(t *testing.T) {
	t.Parallel()
	c := testcluster.StartCascade(t)
	cs := c.Client("admin")
	ctx := context.Background()
	manual := "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: manual}\nprovisioner: kubernetes.io/no-provisioner\n"
	if out, err := c.Kubectl(kubectls(t)["glassplane kubectl"], "admin", manual, "apply", "-f", "-"); err != nil {
		t.Fatalf("class: %v\n%s", err, out)
	}
	i := 0
	for name, bin := range kubectls(t) {
		i++
		claim := fmt.Sprintf("manual%d", i)
		if out, err := c.Kubectl(bin, "admin", fmt.Sprintf(claimAndPod, claim, "storageClassName: manual"), "apply", "-f", "-"); err != nil {
			t.Fatalf("%s apply: %v\n%s", name, err, out)
		}
		want := "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
		waitUntil(t, "pod "+claim+" unschedulable with kube's message", func() bool {
			p, err := cs.CoreV1().Pods("default").Get(ctx, claim, metav1.GetOptions{})
			if err != nil {
				return false
			}
			for _, cond := range p.Status.Conditions {
				if cond.Type == corev1.PodScheduled && cond.Status == corev1.ConditionFalse && cond.Message == want {
					return true
				}
			}
			return false
		})
		out, err := c.Kubectl(bin, "admin", "", "describe", "pod", claim)
		if err != nil || !strings.Contains(out, "FailedScheduling") || !strings.Contains(out, "pod has unbound immediate PersistentVolumeClaims") {
			t.Errorf("%s describe pod: %v\n%s", name, err, out)
		}
		out, err = c.Kubectl(bin, "admin", "", "describe", "pvc", claim)
		if err != nil || !strings.Contains(out, "Pending") || !strings.Contains(out, "ExternalProvisioning") {
			t.Errorf("%s describe pvc: %v\n%s", name, err, out)
		}
		pv := fmt.Sprintf(`apiVersion: v1
kind: PersistentVolume
metadata: {name: disk%d}
spec:
  capacity: {storage: 2Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  hostPath: {path: /tmp/glassplane/disk%d}
`, i, i)
		if out, err := c.Kubectl(bin, "admin", pv, "apply", "-f", "-"); err != nil {
			t.Fatalf("%s pv: %v\n%s", name, err, out)
		}
		waitUntil(t, "pod "+claim+" Running once its claim is bound", func() bool {
			p, err := cs.CoreV1().Pods("default").Get(ctx, claim, metav1.GetOptions{})
			return err == nil && p.Status.Phase == corev1.PodRunning
		})
		got, err := cs.CoreV1().PersistentVolumeClaims("default").Get(ctx, claim, metav1.GetOptions{})
		if err != nil || got.Spec.VolumeName != fmt.Sprintf("disk%d", i) || got.Status.Capacity.Storage().String() != "2Gi" {
			t.Errorf("%s: claim %v %+v", name, err, got)
		}
		// Retain (a volume made by hand): deleting the claim releases it.
		if out, err := c.Kubectl(bin, "admin", "", "delete", "pod", claim, "--wait=false"); err != nil {
			t.Fatalf("%s delete pod: %v\n%s", name, err, out)
		}
		if out, err := c.Kubectl(bin, "admin", "", "delete", "pvc", claim); err != nil {
			t.Fatalf("%s delete pvc: %v\n%s", name, err, out)
		}
		waitUntil(t, fmt.Sprintf("disk%d Released", i), func() bool {
			v, err := cs.CoreV1().PersistentVolumes().Get(ctx, fmt.Sprintf("disk%d", i), metav1.GetOptions{})
			return err == nil && v.Status.Phase == corev1.VolumeReleased
		})
	}
}

// One `kubectl create` of a claim is one story: admission writes the default
// class in (a patch on the DefaultStorageClass step), and the
// persistentvolume-binder's decisions — provision, then bind — and their
// writes belong to the claim's trace.
func TestProvisioningAndBindingAreStepsOfTheClaimsTrace(t *testing.T) {
	t.Parallel()
	c := testcluster.StartCascade(t)
	cs := c.Client("admin")
	ctx := context.Background()
	pvc := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "data", Namespace: "default"},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}
	created, err := cs.CoreV1().PersistentVolumeClaims("default").Create(ctx, pvc, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	volume := "pvc-" + string(created.UID)
	want := []string{"provision PersistentVolume " + volume + " with glassplane.dev/hostpath", "bind to PersistentVolume " + volume}
	var decisions []string
	patched := false
	deadline := time.Now().Add(30 * time.Second)
	for found := false; !found; time.Sleep(25 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the claim's trace has the binder's decisions %q, want %q", decisions, want)
		}
		decisions, patched = nil, false
		for _, s := range traceOf(c.Steps.Since(0, 0), "create", "persistentvolumeclaims") {
			if d, ok := s.Detail.(apiserver.AdmissionDetail); ok && d.Plugin == "DefaultStorageClass" {
				patched = strings.Contains(string(d.Patch), `"standard"`)
			}
			if d, ok := s.Detail.(trace.Reconcile); ok && d.Controller == "persistentvolume-binder-controller" && s.Object.Kind == "PersistentVolumeClaim" {
				decisions = append(decisions, d.Decision)
			}
		}
		found = slices.Equal(decisions, want)
	}
	if !patched {
		t.Errorf("no DefaultStorageClass step with a patch setting the class")
	}
}
