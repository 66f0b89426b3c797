package controlplane

// The system PriorityClasses. Every Kubernetes cluster has two, above any
// number a user may choose: system-cluster-critical for the add-ons a
// cluster cannot work without (DNS, say) and system-node-critical, higher
// still, for what a node cannot work without. A pod naming one of them may
// preempt any user pod.

import (
	"context"
	"fmt"

	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/uuid"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/apiserver/validation"
)

var systemClassDescriptions = map[string]string{
	validation.SystemClusterCritical: "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
	validation.SystemNodeCritical:    "Used for system critical pods that must not be moved from their current node.",
}

// bootstrapPriorityClasses creates the system PriorityClasses that are missing.
func (c *Cluster) bootstrapPriorityClasses(ctx context.Context) error {
	res, _ := registry.Lookup(schedulingv1.GroupName, "priorityclasses")
	for name, value := range validation.SystemPriorityClasses {
		pc := &schedulingv1.PriorityClass{
			ObjectMeta:  metav1.ObjectMeta{Name: name, UID: uuid.NewUUID(), CreationTimestamp: metav1.Now()},
			Value:       value,
			Description: systemClassDescriptions[name],
		}
		if _, err := c.Store.Create(ctx, res, pc); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating PriorityClass %s: %w", name, err)
		}
	}
	return nil
}
