// Field-by-field conversion of the two Deployment versions whose fields
// differ from apps/v1: extensions/v1beta1 and apps/v1beta1.
//
// Their statuses are identical to apps/v1's and are copied through JSON.
// Both have spec.rollbackTo ("roll back to this revision"), which apps/v1
// replaced by `kubectl rollout undo`. Kube does not silently lose it: it is
// kept in the deprecated.deployment.rollback.to annotation of the stored
// apps/v1 object and turned back into spec.rollbackTo on the way out.
package conversion

import (
	"fmt"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	appsv1beta1 "k8s.io/api/apps/v1beta1"
	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func deploymentFromExtensions(in *extensionsv1beta1.Deployment) (runtime.Object, error) {
	s := in.Spec
	out := &appsv1.Deployment{
		TypeMeta:   typeMeta(appsv1.SchemeGroupVersion, "Deployment"),
		ObjectMeta: in.ObjectMeta,
		Spec: appsv1.DeploymentSpec{
			Replicas: s.Replicas,
			Selector: s.Selector,
			Template: s.Template,
			Strategy: appsv1.DeploymentStrategy{
				Type: appsv1.DeploymentStrategyType(s.Strategy.Type),
				// Same two fields (maxUnavailable, maxSurge) and types.
				RollingUpdate: (*appsv1.RollingUpdateDeployment)(s.Strategy.RollingUpdate),
			},
			MinReadySeconds:         s.MinReadySeconds,
			RevisionHistoryLimit:    s.RevisionHistoryLimit,
			Paused:                  s.Paused,
			ProgressDeadlineSeconds: s.ProgressDeadlineSeconds,
		},
	}
	if s.RollbackTo != nil {
		setRollbackTo(&out.ObjectMeta, s.RollbackTo.Revision)
	} else {
		delete(out.Annotations, appsv1.DeprecatedRollbackTo)
	}
	return out, copyJSON(in.Status, &out.Status)
}

func deploymentToExtensions(in *appsv1.Deployment) (runtime.Object, error) {
	s := in.Spec
	out := &extensionsv1beta1.Deployment{
		TypeMeta:   typeMeta(extensionsv1beta1.SchemeGroupVersion, "Deployment"),
		ObjectMeta: in.ObjectMeta,
		Spec: extensionsv1beta1.DeploymentSpec{
			Replicas: s.Replicas,
			Selector: s.Selector,
			Template: s.Template,
			Strategy: extensionsv1beta1.DeploymentStrategy{
				Type:          extensionsv1beta1.DeploymentStrategyType(s.Strategy.Type),
				RollingUpdate: (*extensionsv1beta1.RollingUpdateDeployment)(s.Strategy.RollingUpdate),
			},
			MinReadySeconds:         s.MinReadySeconds,
			RevisionHistoryLimit:    s.RevisionHistoryLimit,
			Paused:                  s.Paused,
			ProgressDeadlineSeconds: s.ProgressDeadlineSeconds,
		},
	}
	revision, err := takeRollbackTo(&out.ObjectMeta)
	if err != nil {
		return nil, err
	}
	if revision != nil {
		out.Spec.RollbackTo = &extensionsv1beta1.RollbackConfig{Revision: *revision}
	}
	return out, copyJSON(in.Status, &out.Status)
}

func deploymentFromAppsV1beta1(in *appsv1beta1.Deployment) (runtime.Object, error) {
	s := in.Spec
	out := &appsv1.Deployment{
		TypeMeta:   typeMeta(appsv1.SchemeGroupVersion, "Deployment"),
		ObjectMeta: in.ObjectMeta,
		Spec: appsv1.DeploymentSpec{
			Replicas: s.Replicas,
			Selector: s.Selector,
			Template: s.Template,
			Strategy: appsv1.DeploymentStrategy{
				Type:          appsv1.DeploymentStrategyType(s.Strategy.Type),
				RollingUpdate: (*appsv1.RollingUpdateDeployment)(s.Strategy.RollingUpdate),
			},
			MinReadySeconds:         s.MinReadySeconds,
			RevisionHistoryLimit:    s.RevisionHistoryLimit,
			Paused:                  s.Paused,
			ProgressDeadlineSeconds: s.ProgressDeadlineSeconds,
		},
	}
	if s.RollbackTo != nil {
		setRollbackTo(&out.ObjectMeta, s.RollbackTo.Revision)
	} else {
		delete(out.Annotations, appsv1.DeprecatedRollbackTo)
	}
	return out, copyJSON(in.Status, &out.Status)
}

func deploymentToAppsV1beta1(in *appsv1.Deployment) (runtime.Object, error) {
	s := in.Spec
	out := &appsv1beta1.Deployment{
		TypeMeta:   typeMeta(appsv1beta1.SchemeGroupVersion, "Deployment"),
		ObjectMeta: in.ObjectMeta,
		Spec: appsv1beta1.DeploymentSpec{
			Replicas: s.Replicas,
			Selector: s.Selector,
			Template: s.Template,
			Strategy: appsv1beta1.DeploymentStrategy{
				Type:          appsv1beta1.DeploymentStrategyType(s.Strategy.Type),
				RollingUpdate: (*appsv1beta1.RollingUpdateDeployment)(s.Strategy.RollingUpdate),
			},
			MinReadySeconds:         s.MinReadySeconds,
			RevisionHistoryLimit:    s.RevisionHistoryLimit,
			Paused:                  s.Paused,
			ProgressDeadlineSeconds: s.ProgressDeadlineSeconds,
		},
	}
	revision, err := takeRollbackTo(&out.ObjectMeta)
	if err != nil {
		return nil, err
	}
	if revision != nil {
		out.Spec.RollbackTo = &appsv1beta1.RollbackConfig{Revision: *revision}
	}
	return out, copyJSON(in.Status, &out.Status)
}

// setRollbackTo records spec.rollbackTo in the stored object's annotations.
func setRollbackTo(meta *metav1.ObjectMeta, revision int64) {
	if meta.Annotations == nil {
		meta.Annotations = map[string]string{}
	}
	meta.Annotations[appsv1.DeprecatedRollbackTo] = strconv.FormatInt(revision, 10)
}

// takeRollbackTo removes the annotation and returns the revision it held.
func takeRollbackTo(meta *metav1.ObjectMeta) (*int64, error) {
	value := meta.Annotations[appsv1.DeprecatedRollbackTo]
	if value == "" {
		return nil, nil
	}
	revision, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("annotation %s=%q is not a revision number: %w", appsv1.DeprecatedRollbackTo, value, err)
	}
	delete(meta.Annotations, appsv1.DeprecatedRollbackTo)
	return &revision, nil
}
