package admission

// Priority (kubernetes/plugin/pkg/admission/priority) turns a pod's
// spec.priorityClassName into the number the scheduler sorts and preempts
// by: spec.priority, and the class's preemptionPolicy. A pod that names no
// class gets the cluster's globalDefault class, if one exists, else
// priority 0. Naming a class that does not exist is refused, and so is
// writing spec.priority by hand, since the class is the only source of it.
//
// For PriorityClasses themselves, it keeps one globalDefault at most.

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
)

// Priority is the mutating plugin of the same name.
type Priority struct{}

func (Priority) Name() string   { return "Priority" }
func (Priority) Mutating() bool { return true }

// Handles: pods are given their priority when created; classes are checked
// when created or updated.
func (Priority) Handles(operation string) bool { return operation == Create || operation == Update }

func (Priority) HandlesResource(r *registry.Resource) bool {
	return (r.Group == "" && r.Resource == "pods") || (r.Group == schedulingv1.GroupName && r.Resource == "priorityclasses")
}

func (Priority) Admit(ctx context.Context, a *Attributes) error {
	if a.Subresource != "" {
		return nil
	}
	classes, err := priorityClasses(ctx, a.Store)
	if err != nil {
		return err
	}
	switch o := a.Object.(type) {
	case *corev1.Pod:
		if a.Operation != Create {
			return nil
		}
		return admitPod(o, classes, a)
	case *schedulingv1.PriorityClass:
		for _, c := range classes {
			if o.GlobalDefault && c.GlobalDefault && c.Name != o.Name {
				return apierrors.NewForbidden(schema.GroupResource{Group: schedulingv1.GroupName, Resource: "priorityclasses"}, o.Name,
					fmt.Errorf("PriorityClass %v is already marked as default. Only one default can exist", c.Name))
			}
		}
	}
	return nil
}

func admitPod(pod *corev1.Pod, classes []schedulingv1.PriorityClass, a *Attributes) error {
	var class *schedulingv1.PriorityClass
	for i, c := range classes {
		if (pod.Spec.PriorityClassName == "" && c.GlobalDefault) || (pod.Spec.PriorityClassName != "" && c.Name == pod.Spec.PriorityClassName) {
			class = &classes[i]
		}
	}
	forbidden := func(format string, args ...any) error {
		return apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, pod.Name, fmt.Errorf(format, args...))
	}
	if class == nil && pod.Spec.PriorityClassName != "" {
		return forbidden("no PriorityClass with name %v was found", pod.Spec.PriorityClassName)
	}
	var value int32
	policy := corev1.PreemptLowerPriority
	if class != nil {
		value = class.Value
		if class.PreemptionPolicy != nil {
			policy = *class.PreemptionPolicy
		}
	}
	if pod.Spec.Priority != nil && *pod.Spec.Priority != value {
		return forbidden("the integer value of priority (%d) must not be provided in pod spec; priority admission controller computed %d from the given PriorityClass name", *pod.Spec.Priority, value)
	}
	pod.Spec.Priority = &value
	if pod.Spec.PreemptionPolicy == nil {
		pod.Spec.PreemptionPolicy = &policy
	}
	return nil
}

func priorityClasses(ctx context.Context, store *registry.Store) ([]schedulingv1.PriorityClass, error) {
	res, _ := registry.Lookup(schedulingv1.GroupName, "priorityclasses")
	list, err := store.List(ctx, res, registry.Selection{}, 0)
	if err != nil {
		return nil, err
	}
	return list.(*schedulingv1.PriorityClassList).Items, nil
}
