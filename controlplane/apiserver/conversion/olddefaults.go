// Defaults of the old versions (kubernetes/pkg/apis/{extensions/v1beta1,
// apps/v1beta1,apps/v1beta2}/defaults.go, as they were when still served).
//
// Kube defaults an object in the version the client sent, before converting
// it. So the same manifest gets different values depending on its apiVersion:
//
//	                      selector from labels  revisionHistoryLimit  maxSurge/maxUnavailable  progressDeadlineSeconds
//	extensions/v1beta1    yes                   2147483647 (all)      1 / 1                    2147483647 (none)
//	apps/v1beta1          yes                   2                     25% / 25%                600
//	apps/v1beta2, apps/v1 no (required)         10                    25% / 25%                600
package conversion

import (
	"maps"
	"math"

	appsv1beta1 "k8s.io/api/apps/v1beta1"
	appsv1beta2 "k8s.io/api/apps/v1beta2"
	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/apiserver/defaults"
)

func defaultExtensionsDeployment(d *extensionsv1beta1.Deployment) *extensionsv1beta1.Deployment {
	selectorFromTemplate(&d.ObjectMeta, &d.Spec.Selector, d.Spec.Template.Labels)
	if d.Spec.Replicas == nil {
		d.Spec.Replicas = ptr.To[int32](1)
	}
	s := &d.Spec.Strategy
	if s.Type == "" {
		s.Type = extensionsv1beta1.RollingUpdateDeploymentStrategyType
	}
	if s.Type == extensionsv1beta1.RollingUpdateDeploymentStrategyType || s.RollingUpdate != nil {
		if s.RollingUpdate == nil {
			s.RollingUpdate = &extensionsv1beta1.RollingUpdateDeployment{}
		}
		if s.RollingUpdate.MaxUnavailable == nil {
			s.RollingUpdate.MaxUnavailable = ptr.To(intstr.FromInt32(1))
		}
		if s.RollingUpdate.MaxSurge == nil {
			s.RollingUpdate.MaxSurge = ptr.To(intstr.FromInt32(1))
		}
	}
	if d.Spec.ProgressDeadlineSeconds == nil {
		d.Spec.ProgressDeadlineSeconds = ptr.To[int32](math.MaxInt32) // means "no deadline"
	}
	if d.Spec.RevisionHistoryLimit == nil {
		d.Spec.RevisionHistoryLimit = ptr.To[int32](math.MaxInt32) // means "keep all"
	}
	defaults.PodTemplate(&d.Spec.Template)
	return d
}

func defaultAppsV1beta1Deployment(d *appsv1beta1.Deployment) *appsv1beta1.Deployment {
	selectorFromTemplate(&d.ObjectMeta, &d.Spec.Selector, d.Spec.Template.Labels)
	if d.Spec.Replicas == nil {
		d.Spec.Replicas = ptr.To[int32](1)
	}
	s := &d.Spec.Strategy
	if s.Type == "" {
		s.Type = appsv1beta1.RollingUpdateDeploymentStrategyType
	}
	if s.Type == appsv1beta1.RollingUpdateDeploymentStrategyType {
		if s.RollingUpdate == nil {
			s.RollingUpdate = &appsv1beta1.RollingUpdateDeployment{}
		}
		if s.RollingUpdate.MaxUnavailable == nil {
			s.RollingUpdate.MaxUnavailable = ptr.To(intstr.FromString("25%"))
		}
		if s.RollingUpdate.MaxSurge == nil {
			s.RollingUpdate.MaxSurge = ptr.To(intstr.FromString("25%"))
		}
	}
	if d.Spec.RevisionHistoryLimit == nil {
		d.Spec.RevisionHistoryLimit = ptr.To[int32](2)
	}
	if d.Spec.ProgressDeadlineSeconds == nil {
		d.Spec.ProgressDeadlineSeconds = ptr.To[int32](600)
	}
	defaults.PodTemplate(&d.Spec.Template)
	return d
}

// defaultAppsV1beta2Deployment: apps/v1beta2 already had the apps/v1 defaults.
func defaultAppsV1beta2Deployment(d *appsv1beta2.Deployment) *appsv1beta2.Deployment {
	if d.Spec.Replicas == nil {
		d.Spec.Replicas = ptr.To[int32](1)
	}
	s := &d.Spec.Strategy
	if s.Type == "" {
		s.Type = appsv1beta2.RollingUpdateDeploymentStrategyType
	}
	if s.Type == appsv1beta2.RollingUpdateDeploymentStrategyType {
		if s.RollingUpdate == nil {
			s.RollingUpdate = &appsv1beta2.RollingUpdateDeployment{}
		}
		if s.RollingUpdate.MaxUnavailable == nil {
			s.RollingUpdate.MaxUnavailable = ptr.To(intstr.FromString("25%"))
		}
		if s.RollingUpdate.MaxSurge == nil {
			s.RollingUpdate.MaxSurge = ptr.To(intstr.FromString("25%"))
		}
	}
	if d.Spec.RevisionHistoryLimit == nil {
		d.Spec.RevisionHistoryLimit = ptr.To[int32](10)
	}
	if d.Spec.ProgressDeadlineSeconds == nil {
		d.Spec.ProgressDeadlineSeconds = ptr.To[int32](600)
	}
	defaults.PodTemplate(&d.Spec.Template)
	return d
}

func defaultAppsV1beta2ReplicaSet(rs *appsv1beta2.ReplicaSet) *appsv1beta2.ReplicaSet {
	if rs.Spec.Replicas == nil {
		rs.Spec.Replicas = ptr.To[int32](1)
	}
	defaults.PodTemplate(&rs.Spec.Template)
	return rs
}

func defaultExtensionsReplicaSet(rs *extensionsv1beta1.ReplicaSet) *extensionsv1beta1.ReplicaSet {
	selectorFromTemplate(&rs.ObjectMeta, &rs.Spec.Selector, rs.Spec.Template.Labels)
	if rs.Spec.Replicas == nil {
		rs.Spec.Replicas = ptr.To[int32](1)
	}
	defaults.PodTemplate(&rs.Spec.Template)
	return rs
}

// selectorFromTemplate: before apps/v1 the selector was optional and
// defaulted to the pod template's labels; so did the object's own labels.
// (Kube shares the map; we copy it so later edits cannot leak between them.)
func selectorFromTemplate(meta *metav1.ObjectMeta, selector **metav1.LabelSelector, labels map[string]string) {
	if labels == nil {
		return
	}
	if *selector == nil {
		*selector = &metav1.LabelSelector{MatchLabels: maps.Clone(labels)}
	}
	if len(meta.Labels) == 0 {
		meta.Labels = maps.Clone(labels)
	}
}
