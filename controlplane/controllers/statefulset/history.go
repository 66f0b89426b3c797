package statefulset

// Revisions (controllers/history). A StatefulSet's status names two: the
// update revision (the current template) and the current revision (what the
// pods below the partition keep running, and what a deleted one of them is
// made from again). Pods carry the name of their revision in their
// controller-revision-hash label. kube hashes a revision's data; here the
// hash is the template's, so names differ from a real cluster's.

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/glassplane/glassplane/controlplane/controllers/deployment"
	"github.com/glassplane/glassplane/controlplane/controllers/history"
)

// updateRevisionName names the revision of set's current template.
func updateRevisionName(set *appsv1.StatefulSet) string {
	return set.Name + "-" + deployment.ComputeHash(&set.Spec.Template, set.Status.CollisionCount)
}

// ensureUpdateRevision makes sure the revision of set's template exists.
func (c *Controller) ensureUpdateRevision(ctx context.Context, set *appsv1.StatefulSet, owned []*appsv1.ControllerRevision) error {
	return history.Ensure(ctx, c.client, set, controllerKind, &set.Spec.Template, updateRevisionName(set), set.Spec.Template.Labels, owned)
}

// templateOf returns the template of revision name; set's own if the
// revision is unknown.
func templateOf(set *appsv1.StatefulSet, owned []*appsv1.ControllerRevision, name string) *corev1.PodTemplateSpec {
	if t, ok := history.TemplateOf(owned, name); ok {
		return t
	}
	return &set.Spec.Template
}

// truncateHistory deletes the oldest revisions no pod runs, beyond
// spec.revisionHistoryLimit.
func (c *Controller) truncateHistory(ctx context.Context, set *appsv1.StatefulSet, owned []*appsv1.ControllerRevision, pods []*corev1.Pod, live ...string) error {
	keep := sets.New(live...)
	for _, p := range pods {
		keep.Insert(revisionOf(p))
	}
	return history.Truncate(ctx, c.client, owned, keep, history.Limit(set.Spec.RevisionHistoryLimit))
}
