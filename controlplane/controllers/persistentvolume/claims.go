package persistentvolume

// Claims: binding an unbound claim to a volume, or provisioning one for it.
//
// Binding writes four times, in kube's order, so that a controller stopped
// half way finds what it did and carries on: the volume's claimRef, the
// volume's phase, the claim's volumeName, the claim's phase.

import (
	"context"
	"fmt"
	"path"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/cache"
	volumeutil "k8s.io/component-helpers/storage/volume"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

var everything = labels.Everything()

func claimClass(claim *corev1.PersistentVolumeClaim) string {
	return volumeutil.GetPersistentVolumeClaimClass(claim)
}

// syncClaim brings one claim towards Bound.
func (c *Controller) syncClaim(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	claim, err := c.claimLister.PersistentVolumeClaims(namespace).Get(name)
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	if claim = c.written.claim(key, claim); claim == nil || claim.DeletionTimestamp != nil {
		return nil // a deleted claim's volume is released by the volume's sync
	}
	if claim.Spec.VolumeName == "" {
		return c.syncUnboundClaim(ctx, claim)
	}
	return c.syncBoundClaim(ctx, claim)
}

// syncUnboundClaim binds claim to the best matching volume, or provisions
// one, or says why it waits.
func (c *Controller) syncUnboundClaim(ctx context.Context, claim *corev1.PersistentVolumeClaim) error {
	volume, err := c.findVolume(claim)
	if err != nil {
		return err
	}
	want := claim.Spec.Resources.Requests[corev1.ResourceStorage]
	d := trace.Reconcile{Desired: fmt.Sprintf("a %s volume of class %q", want.String(), claimClass(claim)), Actual: "unbound"}
	if volume != nil {
		d.Decision = "bind to PersistentVolume " + volume.Name
		return c.bind(c.decided(ctx, "PersistentVolumeClaim", claim, d), volume, claim)
	}
	className := claimClass(claim)
	if className == "" {
		d.Decision = "wait: no volume matches and the claim has no storage class"
		c.decided(ctx, "PersistentVolumeClaim", claim, d)
		c.eventRecorder.Event(claim, corev1.EventTypeNormal, FailedBinding, "no persistent volumes available for this claim and no storage class is set")
		return nil
	}
	class, err := c.classLister.Get(className)
	if apierrors.IsNotFound(err) {
		d.Decision = fmt.Sprintf("wait: StorageClass %s does not exist", className)
		c.decided(ctx, "PersistentVolumeClaim", claim, d)
		c.eventRecorder.Event(claim, corev1.EventTypeWarning, ProvisioningFailed, fmt.Sprintf("storageclass.storage.k8s.io %q not found", className))
		return nil
	}
	if err != nil {
		return err
	}
	if class.Provisioner != Provisioner {
		d.Decision = fmt.Sprintf("wait: no volume matches; %s is to make one", class.Provisioner)
		c.decided(ctx, "PersistentVolumeClaim", claim, d)
		c.eventRecorder.Event(claim, corev1.EventTypeNormal, ExternalProvisioning, fmt.Sprintf("Waiting for a volume to be created either by the external provisioner '%s' "+
			"or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.", class.Provisioner))
		return nil
	}
	pv := provisionedVolume(claim, class.ReclaimPolicy)
	d.Decision = fmt.Sprintf("provision PersistentVolume %s with %s", pv.Name, Provisioner)
	return c.provision(c.decided(ctx, "PersistentVolumeClaim", claim, d), claim, pv)
}

// findVolume is the smallest Available volume of claim's class, big enough
// and with claim's access modes, or the volume pre-bound to claim.
func (c *Controller) findVolume(claim *corev1.PersistentVolumeClaim) (*corev1.PersistentVolume, error) {
	all, err := c.volumeLister.List(everything)
	if err != nil {
		return nil, err
	}
	var candidates []*corev1.PersistentVolume
	for _, v := range c.written.allVolumes(all) {
		if volumeutil.IsVolumeBoundToClaim(v, claim) || volumeutil.CheckAccessModes(claim, v) {
			candidates = append(candidates, v)
		}
	}
	v, err := volumeutil.FindMatchingVolume(claim, candidates, nil, nil, false, true)
	if err != nil {
		return nil, nil // a claim no volume can match waits, as an unmatched one does
	}
	return v, nil
}

// bind binds volume and claim to each other and marks both Bound.
func (c *Controller) bind(ctx context.Context, volume *corev1.PersistentVolume, claim *corev1.PersistentVolumeClaim) error {
	next, dirty, err := volumeutil.GetBindVolumeToClaim(volume, claim)
	if err != nil {
		return err
	}
	if dirty {
		if next, err = c.client.CoreV1().PersistentVolumes().Update(ctx, next, metav1.UpdateOptions{}); err != nil {
			return err
		}
		c.written.volumeWritten(next)
	}
	if next.Status.Phase != corev1.VolumeBound {
		next = next.DeepCopy()
		next.Status.Phase = corev1.VolumeBound
		if next, err = c.client.CoreV1().PersistentVolumes().UpdateStatus(ctx, next, metav1.UpdateOptions{}); err != nil {
			return err
		}
		c.written.volumeWritten(next)
	}
	bound := claim.DeepCopy()
	bound.Spec.VolumeName = next.Name
	metav1.SetMetaDataAnnotation(&bound.ObjectMeta, volumeutil.AnnBindCompleted, "yes")
	if claim.Spec.VolumeName == "" { // the binder chose the volume, not the user
		metav1.SetMetaDataAnnotation(&bound.ObjectMeta, volumeutil.AnnBoundByController, "yes")
	}
	if bound, err = c.client.CoreV1().PersistentVolumeClaims(claim.Namespace).Update(ctx, bound, metav1.UpdateOptions{}); err != nil {
		return err
	}
	c.written.claimWritten(bound)
	return c.markClaimBound(ctx, bound, next)
}

// markClaimBound writes the claim's status: Bound, with what the volume
// gives it.
func (c *Controller) markClaimBound(ctx context.Context, claim *corev1.PersistentVolumeClaim, volume *corev1.PersistentVolume) error {
	if claim.Status.Phase == corev1.ClaimBound {
		return nil
	}
	claim = claim.DeepCopy()
	claim.Status.Phase = corev1.ClaimBound
	claim.Status.AccessModes = volume.Spec.AccessModes
	claim.Status.Capacity = volume.Spec.Capacity
	claim, err := c.client.CoreV1().PersistentVolumeClaims(claim.Namespace).UpdateStatus(ctx, claim, metav1.UpdateOptions{})
	if err != nil {
		return err
	}
	c.written.claimWritten(claim)
	return nil
}

// provisionedVolume is the volume Glassplane's provisioner makes for claim:
// exactly its request, its access modes and class, pre-bound to it.
func provisionedVolume(claim *corev1.PersistentVolumeClaim, reclaim *corev1.PersistentVolumeReclaimPolicy) *corev1.PersistentVolume {
	name := "pvc-" + string(claim.UID)
	return &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{
			volumeutil.AnnDynamicallyProvisioned: Provisioner, volumeutil.AnnBoundByController: "yes"}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: claim.Spec.Resources.Requests[corev1.ResourceStorage]},
			AccessModes:                   claim.Spec.AccessModes,
			PersistentVolumeReclaimPolicy: ptr.Deref(reclaim, corev1.PersistentVolumeReclaimDelete),
			StorageClassName:              claimClass(claim),
			VolumeMode:                    claim.Spec.VolumeMode,
			ClaimRef: &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1",
				Namespace: claim.Namespace, Name: claim.Name, UID: claim.UID, ResourceVersion: claim.ResourceVersion},
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{
				Path: path.Join(HostPathRoot, name), Type: ptr.To(corev1.HostPathDirectoryOrCreate)}},
		},
	}
}

// provision notes the provisioner on the claim, as kube does for every
// provisioner, and creates the volume.
func (c *Controller) provision(ctx context.Context, claim *corev1.PersistentVolumeClaim, pv *corev1.PersistentVolume) error {
	if claim.Annotations[volumeutil.AnnStorageProvisioner] != Provisioner {
		claim = claim.DeepCopy()
		metav1.SetMetaDataAnnotation(&claim.ObjectMeta, volumeutil.AnnStorageProvisioner, Provisioner)
		metav1.SetMetaDataAnnotation(&claim.ObjectMeta, volumeutil.AnnBetaStorageProvisioner, Provisioner)
		var err error
		if claim, err = c.client.CoreV1().PersistentVolumeClaims(claim.Namespace).Update(ctx, claim, metav1.UpdateOptions{}); err != nil {
			return err
		}
		c.written.claimWritten(claim)
	}
	made, err := c.client.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil // made by an earlier sync; the volume's events bind it
	}
	if err != nil {
		c.eventRecorder.Event(claim, corev1.EventTypeWarning, ProvisioningFailed, err.Error())
		return err
	}
	c.written.volumeWritten(made)
	c.eventRecorder.Event(claim, corev1.EventTypeNormal, ProvisioningSucceeded,
		fmt.Sprintf("Successfully provisioned volume %s using %s", pv.Name, Provisioner))
	return nil
}

// syncBoundClaim keeps a bound claim's status: Bound while its volume names
// it, Lost when the volume is gone.
func (c *Controller) syncBoundClaim(ctx context.Context, claim *corev1.PersistentVolumeClaim) error {
	volume, err := c.volumeLister.Get(claim.Spec.VolumeName)
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	if volume = c.written.volume(claim.Spec.VolumeName, volume); volume == nil {
		if claim.Status.Phase == corev1.ClaimLost {
			return nil
		}
		d := trace.Reconcile{Desired: "bound to PersistentVolume " + claim.Spec.VolumeName, Actual: "the volume is gone",
			Decision: fmt.Sprintf("mark it Lost: its volume %s is gone", claim.Spec.VolumeName)}
		ctx = c.decided(ctx, "PersistentVolumeClaim", claim, d)
		lost := claim.DeepCopy()
		lost.Status.Phase = corev1.ClaimLost
		lost, err := c.client.CoreV1().PersistentVolumeClaims(claim.Namespace).UpdateStatus(ctx, lost, metav1.UpdateOptions{})
		if err != nil {
			return err
		}
		c.written.claimWritten(lost)
		c.eventRecorder.Event(claim, corev1.EventTypeWarning, ClaimLost, "Bound claim has lost its PersistentVolume. Data on the volume is lost!")
		return nil
	}
	if claim.Status.Phase == corev1.ClaimBound {
		return nil
	}
	if volume.Spec.ClaimRef == nil || volumeutil.IsVolumeBoundToClaim(volume, claim) {
		// The user named the volume in the claim: bind the volume back.
		d := trace.Reconcile{Desired: "bound to PersistentVolume " + volume.Name, Actual: string(claim.Status.Phase),
			Decision: "bind to PersistentVolume " + volume.Name}
		return c.bind(c.decided(ctx, "PersistentVolumeClaim", claim, d), volume, claim)
	}
	return nil // the volume is another claim's: the claim waits for it
}
