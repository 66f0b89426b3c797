package endpointslice

// From endpoint subsets to EndpointSlices: each group of pods sharing the
// same ports becomes slices of at most maxEndpointsPerSlice endpoints, one
// endpoint per pod, ready ones first as the subsets list them.

import (
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// headlessLabel marks the slices of a Service without a cluster IP.
const headlessLabel = "service.kubernetes.io/headless"

// slicesFor are the slices svc should have for subsets: at least one.
func slicesFor(svc *corev1.Service, subsets []corev1.EndpointSubset) []*discoveryv1.EndpointSlice {
	var out []*discoveryv1.EndpointSlice
	for _, ss := range subsets {
		eps := append(endpointsOf(ss.Addresses, true), endpointsOf(ss.NotReadyAddresses, false)...)
		for len(eps) > 0 {
			n := min(len(eps), maxEndpointsPerSlice)
			out = append(out, newSlice(svc, portsOf(ss.Ports), eps[:n]))
			eps = eps[n:]
		}
	}
	if len(out) == 0 {
		out = append(out, newSlice(svc, nil, nil)) // a placeholder: no pod serves it yet
	}
	return out
}

func newSlice(svc *corev1.Service, ports []discoveryv1.EndpointPort, eps []discoveryv1.Endpoint) *discoveryv1.EndpointSlice {
	lbls := map[string]string{}
	for k, v := range svc.Labels {
		lbls[k] = v
	}
	lbls[discoveryv1.LabelServiceName] = svc.Name
	lbls[discoveryv1.LabelManagedBy] = ManagedBy
	if svc.Spec.ClusterIP == corev1.ClusterIPNone {
		lbls[headlessLabel] = ""
	}
	return &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: svc.Name + "-", Namespace: svc.Namespace, Labels: lbls,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(svc, corev1.SchemeGroupVersion.WithKind("Service"))},
		},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints:   eps,
		Ports:       ports,
	}
}

func endpointsOf(addrs []corev1.EndpointAddress, ready bool) []discoveryv1.Endpoint {
	var out []discoveryv1.Endpoint
	for _, a := range addrs {
		out = append(out, discoveryv1.Endpoint{
			Addresses:  []string{a.IP},
			Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(ready), Serving: ptr.To(ready), Terminating: ptr.To(false)},
			NodeName:   a.NodeName,
			TargetRef:  a.TargetRef,
		})
	}
	return out
}

func portsOf(ports []corev1.EndpointPort) []discoveryv1.EndpointPort {
	out := make([]discoveryv1.EndpointPort, 0, len(ports))
	for _, p := range ports {
		out = append(out, discoveryv1.EndpointPort{Name: ptr.To(p.Name), Port: ptr.To(p.Port), Protocol: ptr.To(p.Protocol), AppProtocol: p.AppProtocol})
	}
	return out
}
