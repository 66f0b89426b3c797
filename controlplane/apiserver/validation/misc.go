package validation

// The smaller kinds: Namespace, Node, ResourceQuota, Event, Lease
// (kubernetes/pkg/apis/core/validation, coordination/validation).
//
// Each has a few rules that protect what reads it: a node's podCIDR is
// where the kubelet hands out pod IPs, so once set it stays; a taint's
// effect must be one the scheduler knows; a quota's limits are real
// quantities of known resources; an Event about a pod lives in the pod's
// namespace; a Lease lasts a positive number of seconds.

import (
	"strings"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ValidateNamespace checks the namespace's finalizers. (Its name — a DNS
// label, immutable — is metadata, checked by the API server.)
func ValidateNamespace(ns *corev1.Namespace) field.ErrorList {
	var errs field.ErrorList
	for i, f := range ns.Spec.Finalizers {
		p := field.NewPath("spec", "finalizers").Index(i)
		for _, msg := range content.IsQualifiedName(string(f)) {
			errs = append(errs, field.Invalid(p, f, msg))
		}
	}
	return errs
}

// ValidateNode validates a node's CIDRs, taints and capacity, and on update
// that its podCIDR and providerID only go from unset to set.
func ValidateNode(n, old *corev1.Node) field.ErrorList {
	spec := field.NewPath("spec")
	var errs field.ErrorList
	if n.Spec.PodCIDR != "" {
		errs = append(errs, validation.IsValidCIDR(spec.Child("podCIDR"), n.Spec.PodCIDR)...)
	}
	for i, cidr := range n.Spec.PodCIDRs {
		errs = append(errs, validation.IsValidCIDR(spec.Child("podCIDRs").Index(i), cidr)...)
	}
	errs = append(errs, validateTaints(n.Spec.Taints, spec.Child("taints"))...)
	status := field.NewPath("status")
	for _, name := range sortedNames(n.Status.Capacity) {
		errs = append(errs, nonNegativeQuantity(n.Status.Capacity[name], status.Child("capacity").Key(string(name)))...)
	}
	for _, name := range sortedNames(n.Status.Allocatable) {
		errs = append(errs, nonNegativeQuantity(n.Status.Allocatable[name], status.Child("allocatable").Key(string(name)))...)
	}
	if old != nil {
		if old.Spec.PodCIDR != "" && n.Spec.PodCIDR != old.Spec.PodCIDR ||
			len(old.Spec.PodCIDRs) > 0 && strings.Join(n.Spec.PodCIDRs, ",") != strings.Join(old.Spec.PodCIDRs, ",") {
			errs = append(errs, field.Forbidden(spec.Child("podCIDRs"), `node updates may not change podCIDR except from "" to valid`))
		}
		if old.Spec.ProviderID != "" && n.Spec.ProviderID != old.Spec.ProviderID {
			errs = append(errs, field.Forbidden(spec.Child("providerID"), `node updates may not change providerID except from "" to valid`))
		}
	}
	return errs
}

// validateTaints: a taint has a key, an effect the scheduler knows, and is
// unique by key and effect.
func validateTaints(taints []corev1.Taint, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, t := range taints {
		p := path.Index(i)
		errs = append(errs, metav1validation.ValidateLabelName(t.Key, p.Child("key"))...)
		for _, msg := range validation.IsValidLabelValue(t.Value) {
			errs = append(errs, field.Invalid(p.Child("value"), t.Value, msg))
		}
		if t.Effect == "" {
			errs = append(errs, field.Required(p.Child("effect"), ""))
		} else {
			errs = append(errs, validateTaintEffect(t.Effect, p.Child("effect"))...)
		}
		key := t.Key + "/" + string(t.Effect)
		if seen[key] {
			errs = append(errs, field.Duplicate(p, t))
		}
		seen[key] = true
	}
	return errs
}

// standardQuotaResources are the names a quota may limit without a "/".
var standardQuotaResources = map[corev1.ResourceName]bool{
	corev1.ResourcePods: true, corev1.ResourceServices: true, corev1.ResourceReplicationControllers: true,
	corev1.ResourceQuotas: true, corev1.ResourceSecrets: true, corev1.ResourceConfigMaps: true,
	corev1.ResourcePersistentVolumeClaims: true, corev1.ResourceServicesNodePorts: true,
	corev1.ResourceServicesLoadBalancers: true, corev1.ResourceCPU: true, corev1.ResourceMemory: true,
	corev1.ResourceEphemeralStorage: true, corev1.ResourceStorage: true,
	corev1.ResourceRequestsCPU: true, corev1.ResourceRequestsMemory: true, corev1.ResourceRequestsStorage: true,
	corev1.ResourceRequestsEphemeralStorage: true, corev1.ResourceLimitsCPU: true, corev1.ResourceLimitsMemory: true,
	corev1.ResourceLimitsEphemeralStorage: true,
}

// ValidateResourceQuota checks that spec.hard names resources a quota can
// count, with quantities that are not negative (and whole, for counts).
func ValidateResourceQuota(q *corev1.ResourceQuota) field.ErrorList {
	var errs field.ErrorList
	hard := field.NewPath("spec", "hard")
	for _, name := range sortedNames(q.Spec.Hard) {
		p, v := hard.Key(string(name)), q.Spec.Hard[name]
		for _, msg := range content.IsQualifiedName(string(name)) {
			errs = append(errs, field.Invalid(p, name, msg))
		}
		if !standardQuotaResources[name] && !strings.Contains(string(name), "/") && !strings.Contains(string(name), "hugepages-") {
			errs = append(errs, field.Invalid(p, name, "must be a standard resource for quota"))
		}
		errs = append(errs, nonNegativeQuantity(v, p)...)
		if isCountResource(name) && v.MilliValue()%1000 != 0 {
			errs = append(errs, field.Invalid(p, v.String(), isNotIntegerErrorMsg))
		}
	}
	return errs
}

// isCountResource: quotas on object counts take whole numbers.
func isCountResource(name corev1.ResourceName) bool {
	switch name {
	case corev1.ResourcePods, corev1.ResourceServices, corev1.ResourceReplicationControllers, corev1.ResourceQuotas,
		corev1.ResourceSecrets, corev1.ResourceConfigMaps, corev1.ResourcePersistentVolumeClaims,
		corev1.ResourceServicesNodePorts, corev1.ResourceServicesLoadBalancers:
		return true
	}
	return strings.HasPrefix(string(name), "count/")
}

// ValidateEvent is kube's check for core/v1 Events: an Event about a
// namespaced object lives in that object's namespace; one about a cluster
// object (a Node) in "default" (or nowhere).
func ValidateEvent(e *corev1.Event) field.ErrorList {
	p := field.NewPath("involvedObject", "namespace")
	ns := e.InvolvedObject.Namespace
	switch {
	case ns == "" && e.Namespace != metav1.NamespaceNone && e.Namespace != metav1.NamespaceDefault && e.EventTime.IsZero(),
		ns == "" && e.Namespace != metav1.NamespaceNone && e.Namespace != metav1.NamespaceSystem && !e.EventTime.IsZero(),
		ns != "" && e.Namespace != ns:
		return field.ErrorList{field.Invalid(p, ns, "does not match event.namespace")}
	}
	return nil
}

// ValidateLease: a lease lasts a positive time and counts its changes of
// holder from 0.
func ValidateLease(l *coordinationv1.Lease) field.ErrorList {
	var errs field.ErrorList
	spec := field.NewPath("spec")
	if d := l.Spec.LeaseDurationSeconds; d != nil && *d <= 0 {
		errs = append(errs, field.Invalid(spec.Child("leaseDurationSeconds"), *d, "must be greater than 0"))
	}
	if t := l.Spec.LeaseTransitions; t != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*t), spec.Child("leaseTransitions"))...)
	}
	return errs
}
