package validation

// ValidatePodDisruptionBudget, after kube's pkg/apis/policy/validation: a
// budget says either how many pods must stay available or how many may be
// unavailable, not both, as a number of pods (zero or more) or a percentage
// (0% to 100%), and selects its pods with a valid label selector.

import (
	"strings"

	policyv1 "k8s.io/api/policy/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ValidatePodDisruptionBudget checks pdb's spec.
func ValidatePodDisruptionBudget(pdb *policyv1.PodDisruptionBudget) field.ErrorList {
	var errs field.ErrorList
	spec := field.NewPath("spec")
	if pdb.Spec.MinAvailable != nil && pdb.Spec.MaxUnavailable != nil {
		errs = append(errs, field.Invalid(spec, pdb.Spec, "minAvailable and maxUnavailable cannot be both set"))
	}
	errs = append(errs, validateBudget(pdb.Spec.MinAvailable, spec.Child("minAvailable"))...)
	errs = append(errs, validateBudget(pdb.Spec.MaxUnavailable, spec.Child("maxUnavailable"))...)
	errs = append(errs, metav1validation.ValidateLabelSelector(pdb.Spec.Selector,
		metav1validation.LabelSelectorValidationOptions{}, spec.Child("selector"))...)
	return errs
}

func validateBudget(v *intstr.IntOrString, p *field.Path) field.ErrorList {
	if v == nil {
		return nil
	}
	if v.Type == intstr.Int {
		if v.IntVal < 0 {
			return field.ErrorList{field.Invalid(p, v.IntVal, "must be greater than or equal to 0")}
		}
		return nil
	}
	pct, ok := strings.CutSuffix(v.StrVal, "%")
	n, err := intstr.GetScaledValueFromIntOrPercent(v, 100, false)
	if !ok || err != nil || n < 0 || n > 100 || pct == "" {
		return field.ErrorList{field.Invalid(p, v.StrVal, "must be an integer or a percentage from 0% to 100%")}
	}
	return nil
}
