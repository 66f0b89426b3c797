package validation

// PriorityClasses (kubernetes/pkg/apis/scheduling/validation). Users may
// name priorities up to one billion; the numbers above belong to the two
// system classes the cluster ships with (system-cluster-critical and
// system-node-critical), as does the prefix "system-". A class's value
// cannot change once pods may have taken it.

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The scheduling API's limits and system classes.
const (
	HighestUserDefinablePriority = 1_000_000_000
	SystemClusterCritical        = "system-cluster-critical"
	SystemNodeCritical           = "system-node-critical"
)

// SystemPriorityClasses are the classes every cluster has.
var SystemPriorityClasses = map[string]int32{SystemClusterCritical: 2 * HighestUserDefinablePriority, SystemNodeCritical: 2*HighestUserDefinablePriority + 1000}

// ValidatePriorityClass validates a PriorityClass, and on update its value.
func ValidatePriorityClass(pc, old *schedulingv1.PriorityClass) field.ErrorList {
	var errs field.ErrorList
	if v, system := SystemPriorityClasses[pc.Name]; system {
		if pc.Value != v {
			errs = append(errs, field.Forbidden(field.NewPath("value"), fmt.Sprintf("value of %s must be %d", pc.Name, v)))
		}
	} else {
		if strings.HasPrefix(pc.Name, "system-") {
			errs = append(errs, field.Forbidden(field.NewPath("metadata", "name"), "priority class names with 'system-' prefix are reserved for system use only"))
		}
		if pc.Value > HighestUserDefinablePriority {
			errs = append(errs, field.Forbidden(field.NewPath("value"), fmt.Sprintf("maximum allowed value of a user defined priority is %v", HighestUserDefinablePriority)))
		}
	}
	if p := pc.PreemptionPolicy; p != nil && *p != corev1.PreemptLowerPriority && *p != corev1.PreemptNever {
		errs = append(errs, field.NotSupported(field.NewPath("preemptionPolicy"), *p, []corev1.PreemptionPolicy{corev1.PreemptLowerPriority, corev1.PreemptNever}))
	}
	if old != nil {
		errs = append(errs, apivalidation.ValidateImmutableField(pc.Value, old.Value, field.NewPath("value"))...)
		errs = append(errs, apivalidation.ValidateImmutableField(pc.PreemptionPolicy, old.PreemptionPolicy, field.NewPath("preemptionPolicy"))...)
	}
	return errs
}
