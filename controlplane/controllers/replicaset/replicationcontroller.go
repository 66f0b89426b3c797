package replicaset

// ReplicationControllers are the ReplicaSet's predecessor (core v1): the same
// promise, "N pods like this template exist", with a selector that is a plain
// label map. Kubernetes does not keep a second controller for them: its
// replication manager is this ReplicaSet controller run over ReplicationControllers
// converted to ReplicaSets on the way in and back on the way out
// (pkg/controller/replication/conversion.go). So is Glassplane's.
//
// What differs between the two is gathered in a workload: the kind pods name
// as their controller, how to read one from the informer's cache and from the
// API server, and how to write its status. A converted ReplicationController
// keeps its TypeMeta, so Events and steps name the ReplicationController.

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// ReplicationControllerName is the ReplicationController controller's name
// in kube-controller-manager; its Events come from "replication-controller".
const ReplicationControllerName = "replicationcontroller-controller"

// workload is what the controller needs to know of the kind it keeps.
type workload struct {
	gvk      schema.GroupVersionKind
	resource string // "replicasets"
	name     string // the controller's name in steps
	informer cache.SharedIndexInformer
	get      func(namespace, name string) (*appsv1.ReplicaSet, error)
	list     func(namespace string) ([]*appsv1.ReplicaSet, error)
	// fresh reads the object from the API server, not the cache.
	fresh        func(ctx context.Context, namespace, name string) (*appsv1.ReplicaSet, error)
	updateStatus func(ctx context.Context, rs *appsv1.ReplicaSet) (*appsv1.ReplicaSet, error)
}

func replicaSets(client kubernetes.Interface, factory informers.SharedInformerFactory) workload {
	inf := factory.Apps().V1().ReplicaSets()
	lister := inf.Lister()
	return workload{
		gvk: controllerKind, resource: "replicasets", name: Name, informer: inf.Informer(),
		get: func(ns, name string) (*appsv1.ReplicaSet, error) { return lister.ReplicaSets(ns).Get(name) },
		list: func(ns string) ([]*appsv1.ReplicaSet, error) {
			return lister.ReplicaSets(ns).List(labels.Everything())
		},
		fresh: func(ctx context.Context, ns, name string) (*appsv1.ReplicaSet, error) {
			return client.AppsV1().ReplicaSets(ns).Get(ctx, name, metav1.GetOptions{})
		},
		updateStatus: func(ctx context.Context, rs *appsv1.ReplicaSet) (*appsv1.ReplicaSet, error) {
			return client.AppsV1().ReplicaSets(rs.Namespace).UpdateStatus(ctx, rs, metav1.UpdateOptions{})
		},
	}
}

var rcKind = corev1.SchemeGroupVersion.WithKind("ReplicationController")

func replicationControllers(client kubernetes.Interface, factory informers.SharedInformerFactory) workload {
	inf := factory.Core().V1().ReplicationControllers()
	lister := inf.Lister()
	return workload{
		gvk: rcKind, resource: "replicationcontrollers", name: ReplicationControllerName, informer: inf.Informer(),
		get: func(ns, name string) (*appsv1.ReplicaSet, error) {
			rc, err := lister.ReplicationControllers(ns).Get(name)
			if err != nil {
				return nil, err
			}
			return replicaSetOf(rc), nil
		},
		list: func(ns string) ([]*appsv1.ReplicaSet, error) {
			rcs, err := lister.ReplicationControllers(ns).List(labels.Everything())
			out := make([]*appsv1.ReplicaSet, len(rcs))
			for i, rc := range rcs {
				out[i] = replicaSetOf(rc)
			}
			return out, err
		},
		fresh: func(ctx context.Context, ns, name string) (*appsv1.ReplicaSet, error) {
			rc, err := client.CoreV1().ReplicationControllers(ns).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return nil, err
			}
			return replicaSetOf(rc), nil
		},
		updateStatus: func(ctx context.Context, rs *appsv1.ReplicaSet) (*appsv1.ReplicaSet, error) {
			// The status subresource takes only status from the body.
			rc := &corev1.ReplicationController{ObjectMeta: rs.ObjectMeta, Status: replicationControllerStatus(rs.Status)}
			rc, err := client.CoreV1().ReplicationControllers(rs.Namespace).UpdateStatus(ctx, rc, metav1.UpdateOptions{})
			if err != nil {
				return nil, err
			}
			return replicaSetOf(rc), nil
		},
	}
}

// NewForReplicationControllers returns the controller that keeps
// ReplicationControllers: this one, reading and writing them as ReplicaSets.
func NewForReplicationControllers(client kubernetes.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder) *Controller {
	return newController(client, factory, rec, replicationControllers(client, factory), "replication-controller")
}

// replicaSetOf converts rc to the ReplicaSet it means, keeping rc's kind.
func replicaSetOf(rc *corev1.ReplicationController) *appsv1.ReplicaSet {
	rs := &appsv1.ReplicaSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: rcKind.GroupVersion().String(), Kind: rcKind.Kind},
		ObjectMeta: *rc.ObjectMeta.DeepCopy(),
		Spec: appsv1.ReplicaSetSpec{Replicas: rc.Spec.Replicas, MinReadySeconds: rc.Spec.MinReadySeconds,
			Selector: &metav1.LabelSelector{MatchLabels: rc.Spec.Selector}},
		Status: appsv1.ReplicaSetStatus{Replicas: rc.Status.Replicas, FullyLabeledReplicas: rc.Status.FullyLabeledReplicas,
			ReadyReplicas: rc.Status.ReadyReplicas, AvailableReplicas: rc.Status.AvailableReplicas,
			ObservedGeneration: rc.Status.ObservedGeneration},
	}
	if rc.Spec.Template != nil {
		rs.Spec.Template = *rc.Spec.Template.DeepCopy()
	}
	for _, c := range rc.Status.Conditions {
		rs.Status.Conditions = append(rs.Status.Conditions, appsv1.ReplicaSetCondition{Type: appsv1.ReplicaSetConditionType(c.Type),
			Status: c.Status, LastTransitionTime: c.LastTransitionTime, Reason: c.Reason, Message: c.Message})
	}
	return rs
}

func replicationControllerStatus(st appsv1.ReplicaSetStatus) corev1.ReplicationControllerStatus {
	out := corev1.ReplicationControllerStatus{Replicas: st.Replicas, FullyLabeledReplicas: st.FullyLabeledReplicas,
		ReadyReplicas: st.ReadyReplicas, AvailableReplicas: st.AvailableReplicas, ObservedGeneration: st.ObservedGeneration}
	for _, c := range st.Conditions {
		out.Conditions = append(out.Conditions, corev1.ReplicationControllerCondition{Type: corev1.ReplicationControllerConditionType(c.Type),
			Status: c.Status, LastTransitionTime: c.LastTransitionTime, Reason: c.Reason, Message: c.Message})
	}
	return out
}
