package validation

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/apiserver/defaults"
)

func daemonSet(edits ...func(*appsv1.DaemonSet)) *appsv1.DaemonSet {
	d := deployment()
	ds := &appsv1.DaemonSet{ObjectMeta: d.ObjectMeta, Spec: appsv1.DaemonSetSpec{Selector: d.Spec.Selector, Template: d.Spec.Template}}
	defaults.Default(ds)
	for _, e := range edits {
		e(ds)
	}
	return ds
}

func statefulSet(edits ...func(*appsv1.StatefulSet)) *appsv1.StatefulSet {
	d := deployment()
	ss := &appsv1.StatefulSet{ObjectMeta: d.ObjectMeta, Spec: appsv1.StatefulSetSpec{ServiceName: "web",
		Selector: d.Spec.Selector, Template: d.Spec.Template}}
	defaults.Default(ss)
	for _, e := range edits {
		e(ss)
	}
	return ss
}

func TestValidateDaemonSetsAndStatefulSetsAsKubeDoes(t *testing.T) {
	zero := intstr.FromInt32(0)
	run(t, []validationCase{
		{name: "a valid daemonset", obj: daemonSet()},
		{name: "daemonset selector does not match", obj: daemonSet(func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Labels = map[string]string{"app": "x"}
		}), want: []string{"spec.template.metadata.labels: Invalid value", "`selector` does not match template `labels`"}},
		{name: "daemonset empty selector", obj: daemonSet(func(ds *appsv1.DaemonSet) { ds.Spec.Selector = &metav1.LabelSelector{} }),
			want: []string{"empty selector is invalid for daemonset"}},
		{name: "daemonset maxUnavailable and maxSurge both 0", obj: daemonSet(func(ds *appsv1.DaemonSet) {
			ds.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &zero, MaxSurge: &zero}
		}), want: []string{"spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: cannot be 0 when maxSurge is 0"}},
		{name: "daemonset unknown strategy", obj: daemonSet(func(ds *appsv1.DaemonSet) { ds.Spec.UpdateStrategy.Type = "Sometimes" }),
			want: []string{`spec.updateStrategy.type: Unsupported value: "Sometimes"`}},
		{name: "daemonset changed selector", old: daemonSet(), obj: daemonSet(func(ds *appsv1.DaemonSet) {
			ds.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web", "v": "2"}}
			ds.Spec.Template.Labels = map[string]string{"app": "web", "v": "2"}
		}), want: []string{"spec.selector", "field is immutable"}},
		{name: "a valid statefulset", obj: statefulSet()},
		{name: "statefulset empty selector", obj: statefulSet(func(ss *appsv1.StatefulSet) { ss.Spec.Selector = &metav1.LabelSelector{} }),
			want: []string{"empty selector is invalid for statefulset"}},
		{name: "statefulset unknown pod management policy", obj: statefulSet(func(ss *appsv1.StatefulSet) { ss.Spec.PodManagementPolicy = "Random" }),
			want: []string{`spec.podManagementPolicy: Invalid value: "Random": must be 'OrderedReady' or 'Parallel'`}},
		{name: "statefulset negative partition", obj: statefulSet(func(ss *appsv1.StatefulSet) {
			ss.Spec.UpdateStrategy.RollingUpdate.Partition = ptr.To(int32(-1))
		}), want: []string{"spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0"}},
		{name: "statefulset scaled and given a new template", old: statefulSet(), obj: statefulSet(func(ss *appsv1.StatefulSet) {
			ss.Spec.Replicas = ptr.To(int32(5))
			ss.Spec.Template.Spec.Containers[0].Image = "nginx:2"
		})},
		{name: "statefulset given another service", old: statefulSet(), obj: statefulSet(func(ss *appsv1.StatefulSet) { ss.Spec.ServiceName = "other" }),
			want: []string{"spec: Forbidden: updates to statefulset spec for fields other than 'replicas'"}},
	})
}
