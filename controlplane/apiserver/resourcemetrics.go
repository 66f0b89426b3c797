package apiserver

// The resource metrics API, metrics.k8s.io/v1beta1: how much CPU and memory
// each node and each pod's containers use now. `kubectl top` reads it, and
// so does the HorizontalPodAutoscaler controller.
//
// In Kubernetes this API is not served by kube-apiserver: metrics-server, a
// separate Deployment, scrapes every kubelet's /metrics/resource and serves
// the figures, and kube-apiserver forwards /apis/metrics.k8s.io to it
// through the aggregation layer (an APIService object). Glassplane serves
// the group itself, in process, from its simulated kubelets (kubelet
// usage.go says how the simulated figures are made). The rest is as
// metrics-server does it: PodMetrics and NodeMetrics answer get and list
// (not watch), pods by namespace and label selector, only for what is
// running on a live node; nothing is stored in etcd.

import (
	"net/http"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/kubelet"
)

// ResourceUsage is where the figures come from: the kubelets (kubelet.Pool).
type ResourceUsage interface {
	PodUsage(pod *corev1.Pod) (kubelet.Usage, bool)
	NodeUsage(node string) (corev1.ResourceList, time.Time, bool)
}

// metricsResources are the resources of metrics.k8s.io/v1beta1.
var metricsResources = []*registry.Resource{
	{GroupVersion: metricsv1beta1.SchemeGroupVersion, Resource: "nodes", Kind: "NodeMetrics",
		New: func() runtime.Object { return &metricsv1beta1.NodeMetrics{} }, NewList: func() runtime.Object { return &metricsv1beta1.NodeMetricsList{} }},
	{GroupVersion: metricsv1beta1.SchemeGroupVersion, Resource: "pods", Kind: "PodMetrics", Namespaced: true,
		New: func() runtime.Object { return &metricsv1beta1.PodMetrics{} }, NewList: func() runtime.Object { return &metricsv1beta1.PodMetricsList{} }},
}

func isMetrics(r *registry.Resource) bool {
	for _, m := range metricsResources {
		if m == r {
			return true
		}
	}
	return false
}

// resourceMetrics answers get and list of PodMetrics and NodeMetrics.
func (s *Server) resourceMetrics(q *apiRequest) (runtime.Object, int, error) {
	if q.info.Subresource != "" || (q.info.Verb != "get" && q.info.Verb != "list") {
		return nil, 0, apierrors.NewMethodNotSupported(q.res.GroupResource(), q.info.Verb)
	}
	if s.Usage == nil {
		return nil, 0, apierrors.NewServiceUnavailable("the metrics API has no kubelets to read")
	}
	source, _ := registry.Lookup("", q.res.Resource) // the pods or the nodes themselves
	var objs []runtime.Object
	if q.info.Verb == "get" {
		obj, err := s.Store.Get(q.ctx, source, q.info.Namespace, q.info.Name)
		if err != nil {
			return nil, 0, err
		}
		objs = []runtime.Object{obj}
	} else {
		sel, err := selection(q)
		if err != nil {
			return nil, 0, err
		}
		list, err := s.Store.List(q.ctx, source, sel, 0)
		if err != nil {
			return nil, 0, err
		}
		switch l := list.(type) {
		case *corev1.PodList:
			for i := range l.Items {
				objs = append(objs, &l.Items[i])
			}
		case *corev1.NodeList:
			for i := range l.Items {
				objs = append(objs, &l.Items[i])
			}
		}
	}
	var pods []metricsv1beta1.PodMetrics
	var nodes []metricsv1beta1.NodeMetrics
	for _, obj := range objs {
		switch o := obj.(type) {
		case *corev1.Pod:
			if m, ok := s.podMetrics(o); ok {
				pods = append(pods, m)
			}
		case *corev1.Node:
			if m, ok := s.nodeMetrics(o); ok {
				nodes = append(nodes, m)
			}
		}
	}
	if q.info.Verb == "get" {
		switch {
		case len(pods) == 1:
			return &pods[0], http.StatusOK, nil
		case len(nodes) == 1:
			return &nodes[0], http.StatusOK, nil
		}
		return nil, 0, apierrors.NewNotFound(q.res.GroupResource(), q.info.Name)
	}
	meta := metav1.TypeMeta{APIVersion: metricsv1beta1.SchemeGroupVersion.String(), Kind: q.res.Kind + "List"}
	if q.res.Resource == "pods" {
		return &metricsv1beta1.PodMetricsList{TypeMeta: meta, Items: pods}, http.StatusOK, nil
	}
	return &metricsv1beta1.NodeMetricsList{TypeMeta: meta, Items: nodes}, http.StatusOK, nil
}

// podMetrics is pod's usage, if its containers run on a live node.
func (s *Server) podMetrics(pod *corev1.Pod) (metricsv1beta1.PodMetrics, bool) {
	if pod.Spec.NodeName == "" || pod.Status.Phase != corev1.PodRunning {
		return metricsv1beta1.PodMetrics{}, false
	}
	u, ok := s.Usage.PodUsage(pod)
	if !ok {
		return metricsv1beta1.PodMetrics{}, false
	}
	m := metricsv1beta1.PodMetrics{
		TypeMeta:   metav1.TypeMeta{APIVersion: metricsv1beta1.SchemeGroupVersion.String(), Kind: "PodMetrics"},
		ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace, Labels: pod.Labels, CreationTimestamp: metav1.Now()},
		Timestamp:  metav1.NewTime(u.Timestamp), Window: metav1.Duration{Duration: u.Window},
	}
	for _, c := range u.Containers {
		m.Containers = append(m.Containers, metricsv1beta1.ContainerMetrics{Name: c.Name, Usage: c.Usage})
	}
	return m, true
}

// nodeMetrics is node's usage, if its kubelet is running.
func (s *Server) nodeMetrics(node *corev1.Node) (metricsv1beta1.NodeMetrics, bool) {
	usage, at, ok := s.Usage.NodeUsage(node.Name)
	if !ok {
		return metricsv1beta1.NodeMetrics{}, false
	}
	return metricsv1beta1.NodeMetrics{
		TypeMeta:   metav1.TypeMeta{APIVersion: metricsv1beta1.SchemeGroupVersion.String(), Kind: "NodeMetrics"},
		ObjectMeta: metav1.ObjectMeta{Name: node.Name, Labels: node.Labels, CreationTimestamp: metav1.Now()},
		Timestamp:  metav1.NewTime(at), Window: metav1.Duration{Duration: kubelet.UsageWindow}, Usage: usage,
	}, true
}
