package printers

import (
	"reflect"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func TestDaemonSetStatefulSetAndControllerRevisionTablesHaveKubesColumns(t *testing.T) {
	template := corev1.PodTemplateSpec{Spec: corev1.PodSpec{
		NodeSelector: map[string]string{"disk": "ssd"},
		Containers:   []corev1.Container{{Name: "agent", Image: "fluentd"}},
	}}
	ds := &appsv1.DaemonSet{ObjectMeta: objMeta("logs"),
		Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "logs"}}, Template: template},
		Status: appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, CurrentNumberScheduled: 3, NumberReady: 2,
			UpdatedNumberScheduled: 1, NumberAvailable: 2}}
	ss := &appsv1.StatefulSet{ObjectMeta: objMeta("web"),
		Spec:   appsv1.StatefulSetSpec{Replicas: ptr(int32(3)), Template: template},
		Status: appsv1.StatefulSetStatus{ReadyReplicas: 2}}
	rev := &appsv1.ControllerRevision{ObjectMeta: objMeta("web-5d8f7c"), Revision: 2}
	rev.OwnerReferences = []metav1.OwnerReference{*metav1.NewControllerRef(ss, appsv1.SchemeGroupVersion.WithKind("StatefulSet"))}
	tests := []struct {
		name        string
		obj         runtime.Object
		wantColumns []string
		wantCells   []any
	}{
		{"daemonset", ds,
			[]string{"Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age", "Containers", "Images", "Selector"},
			[]any{"logs", int64(3), int64(3), int64(2), int64(1), int64(2), "disk=ssd", "10m", "agent", "fluentd", "app=logs"}},
		{"statefulset", ss,
			[]string{"Name", "Ready", "Age", "Containers", "Images"},
			[]any{"web", "2/3", "10m", "agent", "fluentd"}},
		{"controllerrevision", rev,
			[]string{"Name", "Controller", "Revision", "Age"},
			[]any{"web-5d8f7c", "statefulset.apps/web", int64(2), "10m"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table, err := TableFor(tt.obj, nil)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range table.ColumnDefinitions {
				names = append(names, c.Name)
			}
			if !reflect.DeepEqual(names, tt.wantColumns) {
				t.Errorf("columns = %v, want %v", names, tt.wantColumns)
			}
			if got := table.Rows[0].Cells; !reflect.DeepEqual(got, tt.wantCells) {
				t.Errorf("cells:\n got %#v\nwant %#v", got, tt.wantCells)
			}
		})
	}
}
