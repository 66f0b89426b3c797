// PriorityClasses (scheduling.k8s.io/v1): names for pod priorities. A row
// shows the number a class stands for, whether pods that name no class get
// it, and whether its pods may preempt others.
package printers

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var priorityClassColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Value", Type: "integer", Description: schedulingv1.PriorityClass{}.SwaggerDoc()["value"]},
	{Name: "Global-Default", Type: "boolean", Description: schedulingv1.PriorityClass{}.SwaggerDoc()["globalDefault"]},
	ageColumn,
	{Name: "PreemptionPolicy", Type: "string", Description: schedulingv1.PriorityClass{}.SwaggerDoc()["preemptionPolicy"]},
}

func init() { register(priorityClassColumns, printPriorityClass) }

// printPriorityClass prints e.g. "high 1000000 false 5m PreemptLowerPriority".
func printPriorityClass(pc *schedulingv1.PriorityClass) metav1.TableRow {
	policy := corev1.PreemptLowerPriority
	if pc.PreemptionPolicy != nil {
		policy = *pc.PreemptionPolicy
	}
	return cells(pc.Name, int64(pc.Value), pc.GlobalDefault, age(pc.CreationTimestamp), fmt.Sprint(policy))
}
