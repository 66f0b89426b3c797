package validation

// ValidateHorizontalPodAutoscaler, after kube's pkg/apis/autoscaling/
// validation, the parts a learner meets: the target names a kind and a
// name; minReplicas is at least 1 and maxReplicas at least minReplicas; each
// metric fills in the source its type names, and a resource metric's target
// is a utilization (a percentage of the pods' requests, above 0) or an
// average value (a quantity above 0); the behavior's windows and policies
// are within kube's bounds.

import (
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// maxStabilizationWindowSeconds and maxPeriodSeconds are kube's bounds: an hour, half an hour.
const (
	maxStabilizationWindowSeconds = 3600
	maxPeriodSeconds              = 1800
)

// ValidateHorizontalPodAutoscaler checks hpa's spec.
func ValidateHorizontalPodAutoscaler(hpa *autoscalingv2.HorizontalPodAutoscaler) field.ErrorList {
	var errs field.ErrorList
	spec := field.NewPath("spec")
	ref := spec.Child("scaleTargetRef")
	if hpa.Spec.ScaleTargetRef.Kind == "" {
		errs = append(errs, field.Required(ref.Child("kind"), ""))
	}
	if hpa.Spec.ScaleTargetRef.Name == "" {
		errs = append(errs, field.Required(ref.Child("name"), ""))
	}
	min := int32(1)
	if hpa.Spec.MinReplicas != nil {
		min = *hpa.Spec.MinReplicas
		if min < 1 {
			errs = append(errs, field.Invalid(spec.Child("minReplicas"), min, "must be greater than or equal to 1"))
		}
	}
	switch {
	case hpa.Spec.MaxReplicas < 1:
		errs = append(errs, field.Invalid(spec.Child("maxReplicas"), hpa.Spec.MaxReplicas, "must be greater than 0"))
	case hpa.Spec.MaxReplicas < min:
		errs = append(errs, field.Invalid(spec.Child("maxReplicas"), hpa.Spec.MaxReplicas, "must be greater than or equal to `minReplicas`"))
	}
	for i, m := range hpa.Spec.Metrics {
		errs = append(errs, validateMetricSpec(m, spec.Child("metrics").Index(i))...)
	}
	if b := hpa.Spec.Behavior; b != nil {
		errs = append(errs, validateScalingRules(b.ScaleUp, spec.Child("behavior", "scaleUp"))...)
		errs = append(errs, validateScalingRules(b.ScaleDown, spec.Child("behavior", "scaleDown"))...)
	}
	return errs
}

func validateMetricSpec(m autoscalingv2.MetricSpec, p *field.Path) field.ErrorList {
	set := map[autoscalingv2.MetricSourceType]bool{
		autoscalingv2.ObjectMetricSourceType:            m.Object != nil,
		autoscalingv2.PodsMetricSourceType:              m.Pods != nil,
		autoscalingv2.ResourceMetricSourceType:          m.Resource != nil,
		autoscalingv2.ContainerResourceMetricSourceType: m.ContainerResource != nil,
		autoscalingv2.ExternalMetricSourceType:          m.External != nil,
	}
	switch {
	case m.Type == "":
		return field.ErrorList{field.Required(p.Child("type"), "must specify a metric source type")}
	case !isKnownMetricType(m.Type):
		return field.ErrorList{field.NotSupported(p.Child("type"), m.Type, []string{"ContainerResource", "External", "Object", "Pods", "Resource"})}
	case !set[m.Type]:
		return field.ErrorList{field.Required(p.Child(metricField(m.Type)), "must populate information for the given metric source")}
	}
	for t, ok := range set {
		if ok && t != m.Type {
			return field.ErrorList{field.Forbidden(p.Child(metricField(t)), "must populate the given metric source only")}
		}
	}
	if m.Resource == nil {
		return nil
	}
	var errs field.ErrorList
	target := p.Child("resource", "target")
	if m.Resource.Name == "" {
		errs = append(errs, field.Required(p.Child("resource", "name"), "must specify a resource name"))
	}
	t := m.Resource.Target
	switch t.Type {
	case autoscalingv2.UtilizationMetricType:
		if t.AverageUtilization == nil {
			errs = append(errs, field.Required(target.Child("averageUtilization"), "must set either a target raw value or a target utilization"))
		} else if *t.AverageUtilization < 1 {
			errs = append(errs, field.Invalid(target.Child("averageUtilization"), *t.AverageUtilization, "must be greater than 0"))
		}
	case autoscalingv2.AverageValueMetricType:
		if t.AverageValue == nil {
			errs = append(errs, field.Required(target.Child("averageValue"), "must set either a target raw value or a target utilization"))
		} else if t.AverageValue.Sign() <= 0 {
			errs = append(errs, field.Invalid(target.Child("averageValue"), t.AverageValue.String(), "must be positive"))
		}
	case "":
		errs = append(errs, field.Required(target.Child("type"), "must specify a metric target type"))
	default:
		errs = append(errs, field.NotSupported(target.Child("type"), t.Type, []string{"AverageValue", "Utilization"}))
	}
	return errs
}

func isKnownMetricType(t autoscalingv2.MetricSourceType) bool {
	switch t {
	case autoscalingv2.ObjectMetricSourceType, autoscalingv2.PodsMetricSourceType, autoscalingv2.ResourceMetricSourceType,
		autoscalingv2.ContainerResourceMetricSourceType, autoscalingv2.ExternalMetricSourceType:
		return true
	}
	return false
}

// metricField is the field that holds a metric source of type t: "containerResource" for ContainerResource.
func metricField(t autoscalingv2.MetricSourceType) string {
	s := string(t)
	return string(s[0]+'a'-'A') + s[1:]
}

func validateScalingRules(r *autoscalingv2.HPAScalingRules, p *field.Path) field.ErrorList {
	if r == nil {
		return nil
	}
	var errs field.ErrorList
	if w := r.StabilizationWindowSeconds; w != nil && (*w < 0 || *w > maxStabilizationWindowSeconds) {
		errs = append(errs, field.Invalid(p.Child("stabilizationWindowSeconds"), *w, "must be less than or equal to 3600"))
	}
	for i, pol := range r.Policies {
		pp := p.Child("policies").Index(i)
		if pol.Value <= 0 {
			errs = append(errs, field.Invalid(pp.Child("value"), pol.Value, "must be greater than zero"))
		}
		if pol.PeriodSeconds <= 0 || pol.PeriodSeconds > maxPeriodSeconds {
			errs = append(errs, field.Invalid(pp.Child("periodSeconds"), pol.PeriodSeconds, "must be greater than zero and less than or equal to 1800"))
		}
		if pol.Type != autoscalingv2.PodsScalingPolicy && pol.Type != autoscalingv2.PercentScalingPolicy {
			errs = append(errs, field.NotSupported(pp.Child("type"), pol.Type, []string{"Percent", "Pods"}))
		}
	}
	return errs
}
