package validation

// Pod updates (kubernetes/pkg/apis/core/validation: ValidatePodUpdate).
//
// A pod is not edited, it is replaced: once created, its spec is fixed,
// because the kubelet has already started containers from it. Only a few
// fields may change in place — a container's image (the kubelet restarts
// that container), activeDeadlineSeconds (only made shorter) and
// tolerations (only added to). kube checks this by copying the allowed
// changes onto the old spec and demanding that nothing else differs; the
// error shows the difference.

import (
	"fmt"
	"math"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// updatablePodSpecFields is the list kube prints when a pod update changes
// anything else.
var updatablePodSpecFields = []string{
	"`spec.containers[*].image`",
	"`spec.initContainers[*].image`",
	"`spec.activeDeadlineSeconds`",
	"`spec.tolerations` (only additions to existing tolerations)",
	"`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
}

func validatePodSpecUpdate(spec, old *corev1.PodSpec, path *field.Path) field.ErrorList {
	if len(spec.Containers) != len(old.Containers) {
		return field.ErrorList{field.Forbidden(path.Child("containers"), "pod updates may not add or remove containers")}
	}
	if len(spec.InitContainers) != len(old.InitContainers) {
		return field.ErrorList{field.Forbidden(path.Child("initContainers"), "pod updates may not add or remove containers")}
	}
	errs := validateActiveDeadlineUpdate(spec.ActiveDeadlineSeconds, old.ActiveDeadlineSeconds, path.Child("activeDeadlineSeconds"))
	errs = append(errs, validateOnlyAddedTolerations(spec.Tolerations, old.Tolerations, path.Child("tolerations"))...)

	// Copy the changes that are allowed onto a copy of the new spec's old
	// values; whatever still differs was not allowed.
	munged := spec.DeepCopy()
	for i := range munged.Containers {
		munged.Containers[i].Image = old.Containers[i].Image
	}
	for i := range munged.InitContainers {
		munged.InitContainers[i].Image = old.InitContainers[i].Image
	}
	munged.ActiveDeadlineSeconds = old.ActiveDeadlineSeconds
	if munged.DeprecatedServiceAccount == "" { // kube's internal type has no such field to compare
		munged.DeprecatedServiceAccount = old.DeprecatedServiceAccount
	}
	munged.Tolerations = old.Tolerations
	if g, o := spec.TerminationGracePeriodSeconds, old.TerminationGracePeriodSeconds; g != nil && *g == 1 && o != nil && *o < 0 {
		munged.TerminationGracePeriodSeconds = old.TerminationGracePeriodSeconds
	}
	if !equality.Semantic.DeepEqual(munged, old) {
		errs = append(errs, field.Forbidden(path, fmt.Sprintf("pod updates may not change fields other than %s\n%v",
			strings.Join(updatablePodSpecFields, ","), diff.Diff(old, munged))))
	}
	return errs
}

// validateActiveDeadlineUpdate: the deadline may be set or shortened, never
// lengthened or removed.
func validateActiveDeadlineUpdate(now, old *int64, path *field.Path) field.ErrorList {
	if now == nil {
		if old != nil {
			return field.ErrorList{field.Invalid(path, now, "must not update from a positive integer to nil value")}
		}
		return nil
	}
	if *now < 0 || *now > math.MaxInt32 {
		return field.ErrorList{field.Invalid(path, *now, validation.InclusiveRangeError(0, math.MaxInt32))}
	}
	if old != nil && *old < *now {
		return field.ErrorList{field.Invalid(path, *now, "must be less than or equal to previous value")}
	}
	return nil
}

// validateOnlyAddedTolerations: every old toleration must still be there
// (a NoExecute one may only have its tolerationSeconds shortened).
func validateOnlyAddedTolerations(now, old []corev1.Toleration, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, o := range old {
		found := false
		for _, n := range now {
			if equalUpToSeconds(o, n) {
				found = true
				break
			}
		}
		if !found {
			errs = append(errs, field.Forbidden(path, "existing toleration can not be modified except its tolerationSeconds"))
			return errs
		}
	}
	return errs
}

func equalUpToSeconds(old, now corev1.Toleration) bool {
	if old.Key != now.Key || old.Operator != now.Operator || old.Value != now.Value || old.Effect != now.Effect {
		return false
	}
	if old.Effect != corev1.TaintEffectNoExecute {
		return equality.Semantic.DeepEqual(old.TolerationSeconds, now.TolerationSeconds)
	}
	// A NoExecute toleration's seconds may only be shortened (0 or less means evict now).
	if old.TolerationSeconds == nil {
		return true
	}
	return now.TolerationSeconds != nil && *now.TolerationSeconds <= *old.TolerationSeconds
}
