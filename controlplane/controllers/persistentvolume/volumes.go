package persistentvolume

// Volumes: a volume is Available until a claim binds it, Bound while its
// claim exists, and Released when the claim is deleted. What happens to a
// Released volume is its reclaim policy: Delete deletes it (a provisioned
// volume is made for one claim), Retain keeps it, data and all, until an
// administrator decides.

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

// syncVolume moves one volume to the phase its claim (or lack of one) says.
func (c *Controller) syncVolume(ctx context.Context, name string) error {
	volume, err := c.volumeLister.Get(name)
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	if volume = c.written.volume(name, volume); volume == nil || volume.DeletionTimestamp != nil {
		return nil
	}
	ref := volume.Spec.ClaimRef
	if ref == nil {
		return c.setPhase(ctx, volume, corev1.VolumeAvailable, "no claim: mark it Available")
	}
	claim, err := c.claimLister.PersistentVolumeClaims(ref.Namespace).Get(ref.Name)
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	claim = c.written.claim(ref.Namespace+"/"+ref.Name, claim)
	if claim != nil && (ref.UID == "" || claim.UID == ref.UID) {
		if claim.Spec.VolumeName == volume.Name {
			return c.setPhase(ctx, volume, corev1.VolumeBound, fmt.Sprintf("mark it Bound to %s/%s", claim.Namespace, claim.Name))
		}
		return nil // its claim's sync binds them
	}
	if ref.UID == "" {
		// Pre-bound by a user to a claim that does not exist yet.
		return c.setPhase(ctx, volume, corev1.VolumeAvailable, "no claim: mark it Available")
	}
	return c.reclaim(ctx, volume)
}

// setPhase writes volume's phase, with a reconcile step saying decision.
func (c *Controller) setPhase(ctx context.Context, volume *corev1.PersistentVolume, phase corev1.PersistentVolumePhase, decision string) error {
	if volume.Status.Phase == phase {
		return nil
	}
	d := trace.Reconcile{Desired: string(phase), Actual: string(volume.Status.Phase), Decision: decision}
	ctx = c.decided(ctx, "PersistentVolume", volume, d)
	next := volume.DeepCopy()
	next.Status.Phase = phase
	next, err := c.client.CoreV1().PersistentVolumes().UpdateStatus(ctx, next, metav1.UpdateOptions{})
	if err != nil {
		return err
	}
	c.written.volumeWritten(next)
	return nil
}

// reclaim acts on a volume whose claim is gone, by its reclaim policy.
func (c *Controller) reclaim(ctx context.Context, volume *corev1.PersistentVolume) error {
	claim := volume.Spec.ClaimRef.Namespace + "/" + volume.Spec.ClaimRef.Name
	if volume.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimDelete {
		return c.setPhase(ctx, volume, corev1.VolumeReleased,
			fmt.Sprintf("mark it Released: its claim %s is gone (reclaim policy %s)", claim, volume.Spec.PersistentVolumeReclaimPolicy))
	}
	d := trace.Reconcile{Desired: "no volume: its claim " + claim + " is gone", Actual: string(volume.Status.Phase),
		Decision: fmt.Sprintf("delete it: its claim %s is gone (reclaim policy Delete)", claim)}
	ctx = c.decided(ctx, "PersistentVolume", volume, d)
	err := c.client.CoreV1().PersistentVolumes().Delete(ctx, volume.Name, metav1.DeleteOptions{
		Preconditions: &metav1.Preconditions{UID: &volume.UID}})
	if err != nil && !apierrors.IsNotFound(err) {
		c.eventRecorder.Event(volume, corev1.EventTypeWarning, VolumeFailedDelete, err.Error())
		return err
	}
	c.written.forgetVolume(volume.Name)
	return nil
}
