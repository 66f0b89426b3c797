package apiserver

// Subresources are narrower doors into an object:
//
//	status   — controllers and kubelets report what is; users' updates never
//	           touch it, and status updates never touch the spec
//	scale    — an autoscaling/v1 Scale view of spec.replicas (`kubectl scale`)
//	binding  — the scheduler's decision: set a pod's spec.nodeName, once

import (
	"fmt"
	"net/http"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func (s *Server) updateStatus(q *apiRequest) (runtime.Object, int, error) {
	switch q.info.Verb {
	case "get":
		obj, err := s.get(q)
		return obj, http.StatusOK, err
	case "update":
		return s.replace(q, true)
	case "patch":
		out, err := s.patchWith(q, true)
		return out, http.StatusOK, err
	}
	return nil, 0, apierrors.NewMethodNotSupported(q.res.GroupResource(), q.info.Verb+" status")
}

var scaleGVK = autoscalingv1.SchemeGroupVersion.WithKind("Scale")

// scaleOf presents a Deployment, ReplicaSet, StatefulSet or
// ReplicationController as a Scale.
func scaleOf(obj runtime.Object) *autoscalingv1.Scale {
	var meta metav1.ObjectMeta
	var replicas, current int32
	var selector *metav1.LabelSelector
	switch o := obj.(type) {
	case *appsv1.Deployment:
		meta, replicas, current, selector = o.ObjectMeta, deref(o.Spec.Replicas), o.Status.Replicas, o.Spec.Selector
	case *appsv1.ReplicaSet:
		meta, replicas, current, selector = o.ObjectMeta, deref(o.Spec.Replicas), o.Status.Replicas, o.Spec.Selector
	case *appsv1.StatefulSet:
		meta, replicas, current, selector = o.ObjectMeta, deref(o.Spec.Replicas), o.Status.Replicas, o.Spec.Selector
	case *corev1.ReplicationController:
		meta, replicas, current = o.ObjectMeta, deref(o.Spec.Replicas), o.Status.Replicas
		selector = &metav1.LabelSelector{MatchLabels: o.Spec.Selector}
	}
	sel, _ := metav1.LabelSelectorAsSelector(selector)
	return &autoscalingv1.Scale{
		TypeMeta: metav1.TypeMeta{APIVersion: scaleGVK.GroupVersion().String(), Kind: scaleGVK.Kind},
		ObjectMeta: metav1.ObjectMeta{Name: meta.Name, Namespace: meta.Namespace, UID: meta.UID,
			ResourceVersion: meta.ResourceVersion, CreationTimestamp: meta.CreationTimestamp},
		Spec:   autoscalingv1.ScaleSpec{Replicas: replicas},
		Status: autoscalingv1.ScaleStatus{Replicas: current, Selector: sel.String()},
	}
}

func deref(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

// scale serves the scale subresource. A write that loses a race with
// another writer (a controller updating status) is tried again on the new
// version, unless the client pinned a resourceVersion. The body is read
// once, before the first try: a request body cannot be read twice.
func (s *Server) scale(q *apiRequest) (runtime.Object, int, error) {
	var body []byte
	switch q.info.Verb {
	case "get":
	case "update":
		var err error
		if body, err = readBody(q.r); err != nil {
			return nil, 0, err
		}
	case "patch":
		var err error
		if body, err = readPatch(q.r); err != nil {
			return nil, 0, err
		}
	default:
		return nil, 0, apierrors.NewMethodNotSupported(q.res.GroupResource(), q.info.Verb+" scale")
	}
	for attempt := 0; ; attempt++ {
		old, err := s.Store.Get(q.ctx, q.res, q.info.Namespace, q.info.Name)
		if err != nil {
			return nil, 0, err
		}
		current := scaleView(q, old)
		var want *autoscalingv1.Scale
		switch q.info.Verb {
		case "get":
			return current, http.StatusOK, nil
		case "update":
			want, err = decodeScale(body)
		case "patch":
			want, err = patchScale(q, current, body)
		}
		if err != nil {
			return nil, 0, err
		}
		obj := old.DeepCopyObject()
		pinned := want.ResourceVersion != "" && want.ResourceVersion != current.ResourceVersion
		if pinned {
			setRV(obj, want.ResourceVersion)
		}
		setScaleReplicas(q, obj, want.Spec.Replicas)
		out, err := s.write(q, obj, old, false)
		if apierrors.IsConflict(err) && !pinned && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		return scaleView(q, out), http.StatusOK, nil
	}
}

func decodeScale(data []byte) (*autoscalingv1.Scale, error) {
	sc := &autoscalingv1.Scale{}
	if _, err := decodeObject(data, scaleGVK, sc, "Strict"); err != nil {
		return nil, err
	}
	return sc, nil
}

func patchScale(q *apiRequest, current *autoscalingv1.Scale, patch []byte) (*autoscalingv1.Scale, error) {
	patched, err := patchJSON(q.r, current, patch, &autoscalingv1.Scale{})
	if err != nil {
		return nil, err
	}
	sc := &autoscalingv1.Scale{}
	if _, err := decodeObject(patched, scaleGVK, sc, "Strict"); err != nil {
		return nil, err
	}
	return sc, nil
}

func setReplicas(obj runtime.Object, n int32) {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		o.Spec.Replicas = &n
	case *appsv1.ReplicaSet:
		o.Spec.Replicas = &n
	case *appsv1.StatefulSet:
		o.Spec.Replicas = &n
	case *corev1.ReplicationController:
		o.Spec.Replicas = &n
	}
}

// bind is the scheduler's write: POST pods/NAME/binding sets spec.nodeName
// and the PodScheduled condition. A pod is bound once; binding it again is a
// conflict.
func (s *Server) bind(q *apiRequest) (runtime.Object, int, error) {
	if q.info.Verb != "create" {
		return nil, 0, apierrors.NewMethodNotSupported(q.res.GroupResource(), q.info.Verb+" binding")
	}
	data, err := readBody(q.r)
	if err != nil {
		return nil, 0, err
	}
	b := &corev1.Binding{}
	if _, err := decodeObject(data, corev1.SchemeGroupVersion.WithKind("Binding"), b, "Strict"); err != nil {
		return nil, 0, err
	}
	if b.Target.Kind != "" && b.Target.Kind != "Node" || b.Target.Name == "" {
		return nil, 0, apierrors.NewInvalid(schema.GroupKind{Kind: "Binding"}, b.Name, nil)
	}
	for attempt := 0; ; attempt++ {
		old, err := s.Store.Get(q.ctx, q.res, q.info.Namespace, q.info.Name)
		if err != nil {
			return nil, 0, err
		}
		pod := old.DeepCopyObject().(*corev1.Pod)
		if pod.Spec.NodeName != "" {
			return nil, 0, apierrors.NewConflict(q.res.GroupResource(), pod.Name,
				fmt.Errorf("pod %s is already assigned to node %q", pod.Name, pod.Spec.NodeName))
		}
		if pod.DeletionTimestamp != nil {
			return nil, 0, apierrors.NewConflict(q.res.GroupResource(), pod.Name, fmt.Errorf("pod %s is being deleted, cannot be assigned to a host", pod.Name))
		}
		if b.UID != "" && b.UID != pod.UID {
			return nil, 0, apierrors.NewConflict(q.res.GroupResource(), pod.Name, fmt.Errorf("the binding is for pod uid %s, not %s", b.UID, pod.UID))
		}
		pod.Spec.NodeName = b.Target.Name
		setPodCondition(pod, corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionTrue,
			LastTransitionTime: metav1.Now()})
		_, err = s.Store.Update(q.ctx, q.res, pod)
		if apierrors.IsConflict(err) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		return successStatus(http.StatusCreated, "pods", pod.Name, pod.UID), http.StatusCreated, nil
	}
}

func setPodCondition(pod *corev1.Pod, c corev1.PodCondition) {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == c.Type {
			pod.Status.Conditions[i] = c
			return
		}
	}
	pod.Status.Conditions = append(pod.Status.Conditions, c)
}

func setRV(obj runtime.Object, rv string) {
	if m, ok := obj.(metav1.Object); ok {
		m.SetResourceVersion(rv)
	}
}
