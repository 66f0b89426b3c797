package validation

// Deployments and ReplicaSets (kubernetes/pkg/apis/apps/validation).
//
// A ReplicaSet keeps N pods that match its selector alive by creating pods
// from its template; a Deployment does the same through ReplicaSets. So the
// selector must select something (an empty selector would adopt every pod in
// the namespace) and must match the template's own labels — otherwise the
// controller would create pods it does not count, forever. The selector is
// immutable: changing it would orphan the pods it already owns.

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ValidateDeployment validates a Deployment, and on update its selector.
func ValidateDeployment(d, old *appsv1.Deployment) field.ErrorList {
	spec := field.NewPath("spec")
	errs := validateReplicas(d.Spec.Replicas, spec.Child("replicas"))
	errs = append(errs, validateSelectorAndTemplate(d.Spec.Selector, &d.Spec.Template, spec)...)
	errs = append(errs, validateDeploymentStrategy(&d.Spec.Strategy, spec.Child("strategy"))...)
	errs = append(errs, apivalidation.ValidateNonnegativeField(int64(d.Spec.MinReadySeconds), spec.Child("minReadySeconds"))...)
	if l := d.Spec.RevisionHistoryLimit; l != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*l), spec.Child("revisionHistoryLimit"))...)
	}
	if p := d.Spec.ProgressDeadlineSeconds; p != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*p), spec.Child("progressDeadlineSeconds"))...)
		if *p <= d.Spec.MinReadySeconds {
			errs = append(errs, field.Invalid(spec.Child("progressDeadlineSeconds"), *p, "must be greater than minReadySeconds"))
		}
	}
	if old != nil {
		errs = append(errs, apivalidation.ValidateImmutableField(d.Spec.Selector, old.Spec.Selector, spec.Child("selector"))...)
	}
	return errs
}

// ValidateReplicaSet validates a ReplicaSet, and on update its selector.
func ValidateReplicaSet(rs, old *appsv1.ReplicaSet) field.ErrorList {
	spec := field.NewPath("spec")
	errs := validateReplicas(rs.Spec.Replicas, spec.Child("replicas"))
	errs = append(errs, apivalidation.ValidateNonnegativeField(int64(rs.Spec.MinReadySeconds), spec.Child("minReadySeconds"))...)
	errs = append(errs, validateSelectorAndTemplate(rs.Spec.Selector, &rs.Spec.Template, spec)...)
	if old != nil {
		errs = append(errs, apivalidation.ValidateImmutableField(rs.Spec.Selector, old.Spec.Selector, spec.Child("selector"))...)
	}
	return errs
}

func validateReplicas(replicas *int32, path *field.Path) field.ErrorList {
	if replicas == nil { // defaulting sets 1
		return nil
	}
	return apivalidation.ValidateNonnegativeField(int64(*replicas), path)
}

// validateSelectorAndTemplate is the heart of a workload: a non-empty valid
// selector that selects the template's labels, and a template whose pods
// restart forever (a ReplicaSet replaces pods; it does not run them to
// completion).
func validateSelectorAndTemplate(sel *metav1.LabelSelector, t *corev1.PodTemplateSpec, spec *field.Path) field.ErrorList {
	var errs field.ErrorList
	selPath, tPath := spec.Child("selector"), spec.Child("template")
	if sel == nil {
		errs = append(errs, field.Required(selPath, ""))
	} else {
		errs = append(errs, metav1validation.ValidateLabelSelector(sel, metav1validation.LabelSelectorValidationOptions{}, selPath)...)
		if len(sel.MatchLabels)+len(sel.MatchExpressions) == 0 {
			errs = append(errs, field.Invalid(selPath, sel, "empty selector is invalid for deployment"))
		}
	}
	selector, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return append(errs, field.Invalid(selPath, sel, "invalid label selector"))
	}
	if !selector.Empty() && !selector.Matches(labels.Set(t.Labels)) {
		errs = append(errs, field.Invalid(tPath.Child("metadata", "labels"), t.Labels, "`selector` does not match template `labels`"))
	}
	errs = append(errs, ValidatePodTemplateSpec(t, tPath)...)
	if t.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		errs = append(errs, field.NotSupported(tPath.Child("spec", "restartPolicy"), t.Spec.RestartPolicy,
			[]corev1.RestartPolicy{corev1.RestartPolicyAlways}))
	}
	if t.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Forbidden(tPath.Child("spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in ReplicaSet is not Supported"))
	}
	return errs
}

// validateDeploymentStrategy: Recreate has no parameters; RollingUpdate's
// maxSurge and maxUnavailable may not both be 0, or the rollout could never
// take a step.
func validateDeploymentStrategy(s *appsv1.DeploymentStrategy, path *field.Path) field.ErrorList {
	switch s.Type {
	case appsv1.RecreateDeploymentStrategyType:
		if s.RollingUpdate != nil {
			return field.ErrorList{field.Forbidden(path.Child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'")}
		}
		return nil
	case appsv1.RollingUpdateDeploymentStrategyType:
		if s.RollingUpdate == nil {
			return field.ErrorList{field.Required(path.Child("rollingUpdate"), "this should be defaulted and never be nil")}
		}
		return validateRollingUpdate(s.RollingUpdate, path.Child("rollingUpdate"))
	}
	return field.ErrorList{field.NotSupported(path.Child("type"), s.Type, []appsv1.DeploymentStrategyType{
		appsv1.RecreateDeploymentStrategyType, appsv1.RollingUpdateDeploymentStrategyType})}
}

func validateRollingUpdate(ru *appsv1.RollingUpdateDeployment, path *field.Path) field.ErrorList {
	unavailable, surge := path.Child("maxUnavailable"), path.Child("maxSurge")
	errs := validatePositiveIntOrPercent(ru.MaxUnavailable, unavailable)
	errs = append(errs, validatePositiveIntOrPercent(ru.MaxSurge, surge)...)
	if intOrPercentValue(ru.MaxUnavailable) == 0 && intOrPercentValue(ru.MaxSurge) == 0 {
		errs = append(errs, field.Invalid(unavailable, ru.MaxUnavailable, "may not be 0 when `maxSurge` is 0"))
	}
	if v, isPercent := percentValue(ru.MaxUnavailable); isPercent && v > 100 {
		errs = append(errs, field.Invalid(unavailable, ru.MaxUnavailable, "must not be greater than 100%"))
	}
	return errs
}

func validatePositiveIntOrPercent(v *intstr.IntOrString, path *field.Path) field.ErrorList {
	if v == nil {
		return nil
	}
	var errs field.ErrorList
	switch v.Type {
	case intstr.String:
		for _, msg := range validation.IsValidPercent(v.StrVal) {
			errs = append(errs, field.Invalid(path, v, msg))
		}
	case intstr.Int:
		errs = apivalidation.ValidateNonnegativeField(int64(v.IntValue()), path)
	}
	return errs
}

// intOrPercentValue is the number in "3" or "25%" (nil counts as 0).
func intOrPercentValue(v *intstr.IntOrString) int {
	if v == nil {
		return 0
	}
	if p, isPercent := percentValue(v); isPercent {
		return p
	}
	return v.IntValue()
}

func percentValue(v *intstr.IntOrString) (int, bool) {
	if v == nil || v.Type != intstr.String || len(validation.IsValidPercent(v.StrVal)) != 0 {
		return 0, false
	}
	n := intstr.FromString(v.StrVal[:len(v.StrVal)-1])
	return n.IntValue(), true
}
