package statefulset

// Stable storage. Each template of spec.volumeClaimTemplates becomes one
// PersistentVolumeClaim per ordinal, named <template>-<set>-<ordinal>
// (data-web-0), created before the pod that mounts it. The pod's volume of
// the template's name points at that claim, so when web-0 is deleted and
// made again it mounts data-web-0 again: its data outlives it.
//
// The claims outlive the set too, unless its
// persistentVolumeClaimRetentionPolicy says otherwise: whenDeleted: Delete
// makes the set a claim's owner (the garbage collector deletes the claims
// with the set); whenScaled: Delete makes a pod that a scale-down removes the
// owner of its claims, so they go with it. Retain, the default for both,
// leaves every claim for someone to delete by hand.

import (
	"context"
	"fmt"
	"maps"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// claimName is the claim of template for set's pod with ordinal i.
func claimName(set *appsv1.StatefulSet, template *corev1.PersistentVolumeClaim, i int) string {
	return fmt.Sprintf("%s-%s-%d", template.Name, set.Name, i)
}

// claimsFor are the claims of set's pod with ordinal i, in template order,
// labelled with the set's selector as kube labels them.
func claimsFor(set *appsv1.StatefulSet, i int) []*corev1.PersistentVolumeClaim {
	var claims []*corev1.PersistentVolumeClaim
	for _, t := range set.Spec.VolumeClaimTemplates {
		claim := t.DeepCopy()
		claim.Name, claim.Namespace = claimName(set, &t, i), set.Namespace
		claim.ResourceVersion, claim.UID = "", ""
		if claim.Labels == nil {
			claim.Labels = map[string]string{}
		}
		if set.Spec.Selector != nil {
			maps.Copy(claim.Labels, set.Spec.Selector.MatchLabels)
		}
		if policy := set.Spec.PersistentVolumeClaimRetentionPolicy; policy != nil &&
			policy.WhenDeleted == appsv1.DeletePersistentVolumeClaimRetentionPolicyType {
			claim.OwnerReferences = []metav1.OwnerReference{*metav1.NewControllerRef(set, controllerKind)}
		}
		claims = append(claims, claim)
	}
	return claims
}

// mountClaims points pod's volume of each template's name at its claim,
// replacing a volume of that name in the pod template.
func mountClaims(set *appsv1.StatefulSet, pod *corev1.Pod, i int) {
	if len(set.Spec.VolumeClaimTemplates) == 0 {
		return
	}
	var volumes []corev1.Volume
	templated := map[string]bool{}
	for _, t := range set.Spec.VolumeClaimTemplates {
		templated[t.Name] = true
		volumes = append(volumes, corev1.Volume{Name: t.Name, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claimName(set, &t, i)}}})
	}
	for _, v := range pod.Spec.Volumes {
		if !templated[v.Name] {
			volumes = append(volumes, v)
		}
	}
	pod.Spec.Volumes = volumes
}

// createClaims creates the claims pod i needs that do not exist yet. A claim
// that is being deleted is an error: the pod must wait for a fresh one, or it
// would mount storage on its way out.
func (c *Controller) createClaims(ctx context.Context, set *appsv1.StatefulSet, pod *corev1.Pod, i int) error {
	for _, claim := range claimsFor(set, i) {
		found, err := c.claimLister.PersistentVolumeClaims(set.Namespace).Get(claim.Name)
		switch {
		case apierrors.IsNotFound(err):
			_, err := c.client.CoreV1().PersistentVolumeClaims(set.Namespace).Create(ctx, claim, metav1.CreateOptions{})
			if apierrors.IsAlreadyExists(err) {
				continue // made by an earlier sync the informer has not shown yet
			}
			if err != nil {
				c.eventRecorder.Eventf(set, corev1.EventTypeWarning, FailedCreate,
					"create Claim %s for Pod %s in StatefulSet %s failed error: %s", claim.Name, pod.Name, set.Name, err)
				return fmt.Errorf("failed to create PVC %s: %w", claim.Name, err)
			}
			c.eventRecorder.Eventf(set, corev1.EventTypeNormal, SuccessfulCreate,
				"create Claim %s Pod %s in StatefulSet %s success", claim.Name, pod.Name, set.Name)
		case err != nil:
			return err
		case found.DeletionTimestamp != nil:
			return fmt.Errorf("pvc %s is being deleted", claim.Name)
		}
	}
	return nil
}

// condemnClaims makes pod, which a scale-down is about to delete, the owner
// of its claims when the set's policy is whenScaled: Delete, so the garbage
// collector deletes them once the pod is gone. The set stops owning them (a
// claim goes only when all its owners have gone), as kube's controller does.
func (c *Controller) condemnClaims(ctx context.Context, set *appsv1.StatefulSet, pod *corev1.Pod) error {
	policy := set.Spec.PersistentVolumeClaimRetentionPolicy
	_, i := parentAndOrdinal(pod.Name)
	if policy == nil || policy.WhenScaled != appsv1.DeletePersistentVolumeClaimRetentionPolicyType || i < replicas(set) {
		return nil
	}
	for _, want := range claimsFor(set, i) {
		claim, err := c.claimLister.PersistentVolumeClaims(set.Namespace).Get(want.Name)
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		if hasOwner(claim, pod.UID) && !hasOwner(claim, set.UID) {
			continue
		}
		claim = claim.DeepCopy()
		claim.OwnerReferences = slices.DeleteFunc(claim.OwnerReferences, func(r metav1.OwnerReference) bool {
			return r.UID == set.UID || r.UID == pod.UID
		})
		claim.OwnerReferences = append(claim.OwnerReferences, metav1.OwnerReference{
			APIVersion: "v1", Kind: "Pod", Name: pod.Name, UID: pod.UID})
		if _, err := c.client.CoreV1().PersistentVolumeClaims(set.Namespace).Update(ctx, claim, metav1.UpdateOptions{}); err != nil {
			return err
		}
	}
	return nil
}

func hasOwner(obj metav1.Object, uid types.UID) bool {
	for _, r := range obj.GetOwnerReferences() {
		if r.UID == uid {
			return true
		}
	}
	return false
}
