package validation

// DaemonSets and StatefulSets (kubernetes/pkg/apis/apps/validation).
//
// Both are workloads like a ReplicaSet — a selector that selects the
// template's own labels, pods that restart forever — with their own rules for
// how a new template replaces old pods. A DaemonSet rolls node by node,
// never more than maxUnavailable down (or maxSurge extra) at once, so the two
// may not both be 0. A StatefulSet's pods have identities (web-0, web-1 …),
// so most of its spec is fixed once created: only replicas, the template, the
// update strategy and a few limits may change.

import (
	"fmt"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ValidateDaemonSet validates a DaemonSet, and on update its selector.
func ValidateDaemonSet(ds, old *appsv1.DaemonSet) field.ErrorList {
	spec := field.NewPath("spec")
	errs := validateWorkloadTemplate("DaemonSet", ds.Spec.Selector, &ds.Spec.Template, spec)
	errs = append(errs, apivalidation.ValidateNonnegativeField(int64(ds.Spec.MinReadySeconds), spec.Child("minReadySeconds"))...)
	if l := ds.Spec.RevisionHistoryLimit; l != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*l), spec.Child("revisionHistoryLimit"))...)
	}
	errs = append(errs, validateDaemonSetUpdateStrategy(&ds.Spec.UpdateStrategy, spec.Child("updateStrategy"))...)
	if old != nil {
		errs = append(errs, apivalidation.ValidateImmutableField(ds.Spec.Selector, old.Spec.Selector, spec.Child("selector"))...)
	}
	return errs
}

func validateDaemonSetUpdateStrategy(s *appsv1.DaemonSetUpdateStrategy, path *field.Path) field.ErrorList {
	switch s.Type {
	case appsv1.OnDeleteDaemonSetStrategyType:
		return nil
	case appsv1.RollingUpdateDaemonSetStrategyType:
		ru := s.RollingUpdate
		if ru == nil {
			return field.ErrorList{field.Required(path.Child("rollingUpdate"), "")}
		}
		p := path.Child("rollingUpdate")
		errs := validatePositiveIntOrPercent(ru.MaxUnavailable, p.Child("maxUnavailable"))
		errs = append(errs, validatePositiveIntOrPercent(ru.MaxSurge, p.Child("maxSurge"))...)
		if intOrPercentValue(ru.MaxUnavailable) == 0 && intOrPercentValue(ru.MaxSurge) == 0 {
			errs = append(errs, field.Invalid(p.Child("maxUnavailable"), ru.MaxUnavailable, "cannot be 0 when maxSurge is 0"))
		}
		if v, isPercent := percentValue(ru.MaxUnavailable); isPercent && v > 100 {
			errs = append(errs, field.Invalid(p.Child("maxUnavailable"), ru.MaxUnavailable, "must not be greater than 100%"))
		}
		return errs
	}
	return field.ErrorList{field.NotSupported(path.Child("type"), s.Type, []appsv1.DaemonSetUpdateStrategyType{
		appsv1.OnDeleteDaemonSetStrategyType, appsv1.RollingUpdateDaemonSetStrategyType})}
}

// ValidateStatefulSet validates a StatefulSet, and on update which fields
// of its spec changed.
func ValidateStatefulSet(ss, old *appsv1.StatefulSet) field.ErrorList {
	spec := field.NewPath("spec")
	errs := validateReplicas(ss.Spec.Replicas, spec.Child("replicas"))
	switch ss.Spec.PodManagementPolicy {
	case appsv1.OrderedReadyPodManagement, appsv1.ParallelPodManagement:
	case "":
		errs = append(errs, field.Required(spec.Child("podManagementPolicy"), ""))
	default:
		errs = append(errs, field.Invalid(spec.Child("podManagementPolicy"), ss.Spec.PodManagementPolicy,
			fmt.Sprintf("must be '%s' or '%s'", appsv1.OrderedReadyPodManagement, appsv1.ParallelPodManagement)))
	}
	errs = append(errs, validateStatefulSetUpdateStrategy(&ss.Spec.UpdateStrategy, spec.Child("updateStrategy"))...)
	errs = append(errs, apivalidation.ValidateNonnegativeField(int64(ss.Spec.MinReadySeconds), spec.Child("minReadySeconds"))...)
	if o := ss.Spec.Ordinals; o != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(o.Start), spec.Child("ordinals", "start"))...)
	}
	errs = append(errs, validateWorkloadTemplate("StatefulSet", ss.Spec.Selector, withClaimVolumes(ss), spec)...)
	if old != nil {
		errs = append(errs, validateStatefulSetSpecChange(ss, old)...)
	}
	return errs
}

// withClaimVolumes is ss's pod template with a volume for each of its
// volumeClaimTemplates, as the controller will give each pod, so that a
// container may mount a claim the template itself does not list.
func withClaimVolumes(ss *appsv1.StatefulSet) *corev1.PodTemplateSpec {
	if len(ss.Spec.VolumeClaimTemplates) == 0 {
		return &ss.Spec.Template
	}
	t := ss.Spec.Template.DeepCopy()
	for _, c := range ss.Spec.VolumeClaimTemplates {
		t.Spec.Volumes = slices.DeleteFunc(t.Spec.Volumes, func(v corev1.Volume) bool { return v.Name == c.Name })
		t.Spec.Volumes = append(t.Spec.Volumes, corev1.Volume{Name: c.Name, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: c.Name + "-" + ss.Name + "-0"}}})
	}
	return t
}

func validateStatefulSetUpdateStrategy(s *appsv1.StatefulSetUpdateStrategy, path *field.Path) field.ErrorList {
	switch s.Type {
	case "":
		return field.ErrorList{field.Required(path, "")}
	case appsv1.OnDeleteStatefulSetStrategyType:
		if s.RollingUpdate != nil {
			return field.ErrorList{field.Invalid(path.Child("rollingUpdate"), s.RollingUpdate,
				fmt.Sprintf("only allowed for updateStrategy '%s'", appsv1.RollingUpdateStatefulSetStrategyType))}
		}
	case appsv1.RollingUpdateStatefulSetStrategyType:
		if ru := s.RollingUpdate; ru != nil && ru.Partition != nil {
			return apivalidation.ValidateNonnegativeField(int64(*ru.Partition), path.Child("rollingUpdate", "partition"))
		}
	default:
		return field.ErrorList{field.Invalid(path, s,
			fmt.Sprintf("must be '%s' or '%s'", appsv1.RollingUpdateStatefulSetStrategyType, appsv1.OnDeleteStatefulSetStrategyType))}
	}
	return nil
}

// validateStatefulSetSpecChange forbids changing anything but the fields
// kube lets a StatefulSet's owner change.
func validateStatefulSetSpecChange(ss, old *appsv1.StatefulSet) field.ErrorList {
	next := ss.Spec.DeepCopy()
	next.Replicas, next.Template, next.UpdateStrategy = old.Spec.Replicas, old.Spec.Template, old.Spec.UpdateStrategy
	next.MinReadySeconds, next.Ordinals = old.Spec.MinReadySeconds, old.Spec.Ordinals
	next.RevisionHistoryLimit, next.PersistentVolumeClaimRetentionPolicy = old.Spec.RevisionHistoryLimit, old.Spec.PersistentVolumeClaimRetentionPolicy
	if equality.Semantic.DeepEqual(*next, old.Spec) {
		return nil
	}
	return field.ErrorList{field.Forbidden(field.NewPath("spec"), "updates to statefulset spec for fields other than "+
		"'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")}
}

// validateWorkloadTemplate is validateSelectorAndTemplate with kube's
// messages for kind.
func validateWorkloadTemplate(kind string, sel *metav1.LabelSelector, t *corev1.PodTemplateSpec, spec *field.Path) field.ErrorList {
	errs := validateSelectorAndTemplate(sel, t, spec)
	for _, e := range errs {
		e.Detail = strings.Replace(e.Detail, "invalid for deployment", "invalid for "+strings.ToLower(kind), 1)
		e.Detail = strings.Replace(e.Detail, "in ReplicaSet", "in "+kind, 1)
	}
	return errs
}
