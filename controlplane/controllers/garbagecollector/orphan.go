package garbagecollector

// Orphan deletion (`kubectl delete deployment web --cascade=orphan`). The
// owner stays, marked with the finalizer "orphan", while the collector
// removes the owner reference to it from every dependent. The dependents
// live on without an owner — a ReplicaSet left by its Deployment keeps its
// pods running — and could be adopted by a new owner that selects them.
// Then the collector removes the finalizer, and the owner is deleted.

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

func (c *Controller) orphanDependents(ctx context.Context, w *watched, owner metav1.Object) error {
	deps := c.dependents(owner)
	ctx = c.reconciled(ctx, w, owner, trace.Reconcile{
		Desired:  "its dependents without an owner, then it gone",
		Actual:   fmt.Sprintf("%d dependents name it as owner", len(deps)),
		Decision: "remove the owner references, then the orphan finalizer",
	})
	for _, d := range deps {
		if err := c.removeOwnerReferences(ctx, d.w, d.obj, []metav1.OwnerReference{d.ref}); err != nil {
			return err
		}
	}
	return c.removeFinalizer(ctx, w, owner, orphanFinalizer)
}
