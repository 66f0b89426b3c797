// DaemonSets and StatefulSets (group apps/v1), the two workloads whose pods
// are not interchangeable, and the ControllerRevisions that keep their
// templates' history. A DaemonSet's table counts nodes — how many should
// run its pod, how many do, how many are ready, up to date and available —
// and shows the node selector that picks them; a StatefulSet's shows ready
// over desired, like a Deployment's.
package printers

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var daemonSetColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Desired", Type: "integer", Description: appsv1.DaemonSetStatus{}.SwaggerDoc()["desiredNumberScheduled"]},
	{Name: "Current", Type: "integer", Description: appsv1.DaemonSetStatus{}.SwaggerDoc()["currentNumberScheduled"]},
	{Name: "Ready", Type: "integer", Description: appsv1.DaemonSetStatus{}.SwaggerDoc()["numberReady"]},
	{Name: "Up-to-date", Type: "integer", Description: appsv1.DaemonSetStatus{}.SwaggerDoc()["updatedNumberScheduled"]},
	{Name: "Available", Type: "integer", Description: appsv1.DaemonSetStatus{}.SwaggerDoc()["numberAvailable"]},
	{Name: "Node Selector", Type: "string", Description: corev1.PodSpec{}.SwaggerDoc()["nodeSelector"]},
	ageColumn,
	containersColumn,
	imagesColumn,
	{Name: "Selector", Type: "string", Priority: 1, Description: appsv1.DaemonSetSpec{}.SwaggerDoc()["selector"]},
}

var statefulSetColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Ready", Type: "string", Description: "Number of the pod with ready state"},
	ageColumn,
	containersColumn,
	imagesColumn,
}

var controllerRevisionColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Controller", Type: "string", Description: "Controller of the object"},
	{Name: "Revision", Type: "integer", Description: appsv1.ControllerRevision{}.SwaggerDoc()["revision"]},
	ageColumn,
}

func init() {
	register(daemonSetColumns, printDaemonSet)
	register(statefulSetColumns, printStatefulSet)
	register(controllerRevisionColumns, printControllerRevision)
}

// printDaemonSet prints e.g. "logs 3 3 2 3 2 <none> 5m".
func printDaemonSet(ds *appsv1.DaemonSet) metav1.TableRow {
	names, images := containerCells(ds.Spec.Template.Spec.Containers)
	st := ds.Status
	return cells(
		ds.Name,
		int64(st.DesiredNumberScheduled),
		int64(st.CurrentNumberScheduled),
		int64(st.NumberReady),
		int64(st.UpdatedNumberScheduled),
		int64(st.NumberAvailable),
		labels.FormatLabels(ds.Spec.Template.Spec.NodeSelector),
		age(ds.CreationTimestamp),
		names,
		images,
		selectorCell(ds.Spec.Selector),
	)
}

// printStatefulSet prints e.g. "web 2/3 5m".
func printStatefulSet(ss *appsv1.StatefulSet) metav1.TableRow {
	names, images := containerCells(ss.Spec.Template.Spec.Containers)
	return cells(
		ss.Name,
		fmt.Sprintf("%d/%d", ss.Status.ReadyReplicas, desiredReplicas(ss.Spec.Replicas)),
		age(ss.CreationTimestamp),
		names,
		images,
	)
}

// printControllerRevision prints e.g. "web-5d8f7c statefulset.apps/web 2 5m".
func printControllerRevision(r *appsv1.ControllerRevision) metav1.TableRow {
	controller := "<none>"
	if ref := metav1.GetControllerOf(r); ref != nil {
		gv, _ := schema.ParseGroupVersion(ref.APIVersion)
		gk := schema.GroupKind{Group: gv.Group, Kind: ref.Kind}
		controller = strings.ToLower(gk.String()) + "/" + ref.Name
	}
	return cells(r.Name, controller, r.Revision, age(r.CreationTimestamp))
}
