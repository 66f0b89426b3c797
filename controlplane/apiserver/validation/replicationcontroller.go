package validation

// ReplicationControllers (kubernetes/pkg/apis/core/validation,
// ValidateReplicationController): the ReplicaSet's rules, written for the
// older shape: the selector is a plain label map, and when the user leaves it
// empty defaulting copies the template's labels into it.

import (
	corev1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ValidateReplicationController validates rc's replicas, selector and
// template.
func ValidateReplicationController(rc *corev1.ReplicationController) field.ErrorList {
	spec := field.NewPath("spec")
	errs := validateReplicas(rc.Spec.Replicas, spec.Child("replicas"))
	errs = append(errs, apivalidation.ValidateNonnegativeField(int64(rc.Spec.MinReadySeconds), spec.Child("minReadySeconds"))...)
	if len(rc.Spec.Selector) == 0 {
		errs = append(errs, field.Required(spec.Child("selector"), ""))
	}
	if rc.Spec.Template == nil {
		return append(errs, field.Required(spec.Child("template"), ""))
	}
	if len(rc.Spec.Selector) == 0 {
		return errs
	}
	return append(errs, validateSelectorAndTemplate(&metav1.LabelSelector{MatchLabels: rc.Spec.Selector}, rc.Spec.Template, spec)...)
}
