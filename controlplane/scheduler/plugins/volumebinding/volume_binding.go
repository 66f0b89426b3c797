// Package volumebinding is the scheduler's look at a pod's
// PersistentVolumeClaims before it looks at any node (kube-scheduler's
// VolumeBinding plugin, its PreFilter).
//
// A pod that mounts a claim can run only once the claim is bound to a
// volume. For a claim of a class with volumeBindingMode Immediate the
// persistentvolume-binder binds it as soon as it can, without the scheduler;
// until then no node will do, and kube-scheduler says so in one line:
// "pod has unbound immediate PersistentVolumeClaims". A claim that does not
// exist, or is being deleted, stops the pod the same way. When the claim is
// bound, the scheduler tries the pod again.
//
// (Claims of a WaitForFirstConsumer class wait for the scheduler to pick a
// node; Glassplane's binder binds them at once, so here they count as
// immediate too.)
package volumebinding

import (
	"fmt"

	corelisters "k8s.io/client-go/listers/core/v1"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

// Name is the plugin's name in kube-scheduler's configuration.
const Name = "VolumeBinding"

// ErrReasonUnboundImmediatePVC is kube-scheduler's reason.
const ErrReasonUnboundImmediatePVC = "pod has unbound immediate PersistentVolumeClaims"

// VolumeBinding reads claims from the scheduler's informer cache.
type VolumeBinding struct {
	claims corelisters.PersistentVolumeClaimLister
}

// New returns the plugin reading claims from claims.
func New(claims corelisters.PersistentVolumeClaimLister) *VolumeBinding {
	return &VolumeBinding{claims: claims}
}

// Name returns the plugin's name.
func (*VolumeBinding) Name() string { return Name }

// PreFilter refuses a pod with a claim that is missing, going, or unbound.
func (pl *VolumeBinding) PreFilter(pod *framework.PodInfo, _ []*framework.NodeInfo) *framework.Status {
	unbound := false
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		name := v.PersistentVolumeClaim.ClaimName
		claim, err := pl.claims.PersistentVolumeClaims(pod.Namespace).Get(name)
		if err != nil {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable, fmt.Sprintf("persistentvolumeclaim %q not found", name))
		}
		if claim.DeletionTimestamp != nil {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable, fmt.Sprintf("persistentvolumeclaim %q is being deleted", name))
		}
		if claim.Spec.VolumeName == "" {
			unbound = true
		}
	}
	if unbound {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonUnboundImmediatePVC)
	}
	return nil
}
