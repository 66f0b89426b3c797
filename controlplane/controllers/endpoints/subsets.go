package endpoints

// From pods to endpoint subsets. A subset is a set of addresses that share
// the same ports; pods whose named target ports resolve to different numbers
// land in different subsets. A pod without an IP yet (not started) or being
// deleted is left out; a finished pod too.

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// headlessLabel marks the Endpoints of a Service without a cluster IP.
const headlessLabel = "service.kubernetes.io/headless"

// endpointsFor is the Endpoints object svc should have.
func endpointsFor(svc *corev1.Service, subsets []corev1.EndpointSubset) *corev1.Endpoints {
	lbls := map[string]string{}
	for k, v := range svc.Labels {
		lbls[k] = v
	}
	if svc.Spec.ClusterIP == corev1.ClusterIPNone {
		lbls[headlessLabel] = ""
	}
	if len(lbls) == 0 {
		lbls = nil
	}
	return &corev1.Endpoints{
		ObjectMeta: metav1.ObjectMeta{Name: svc.Name, Namespace: svc.Namespace, Labels: lbls},
		Subsets:    subsets,
	}
}

// SubsetsFor groups the serving pods of svc by their resolved ports (the
// EndpointSlice controller slices the same addresses).
func SubsetsFor(svc *corev1.Service, pods []*corev1.Pod) []corev1.EndpointSubset {
	bySignature := map[string]*corev1.EndpointSubset{}
	var order []string
	for _, pod := range pods {
		if pod.Status.PodIP == "" || pod.DeletionTimestamp != nil ||
			pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
			continue
		}
		ports := portsFor(svc, pod)
		if len(ports) == 0 && len(svc.Spec.Ports) > 0 {
			continue
		}
		sig := fmt.Sprint(ports)
		s, ok := bySignature[sig]
		if !ok {
			s = &corev1.EndpointSubset{Ports: ports}
			bySignature[sig] = s
			order = append(order, sig)
		}
		addr := corev1.EndpointAddress{IP: pod.Status.PodIP, TargetRef: &corev1.ObjectReference{
			Kind: "Pod", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID}}
		if pod.Spec.NodeName != "" {
			node := pod.Spec.NodeName
			addr.NodeName = &node
		}
		if IsReady(pod) || svc.Spec.PublishNotReadyAddresses {
			s.Addresses = append(s.Addresses, addr)
		} else {
			s.NotReadyAddresses = append(s.NotReadyAddresses, addr)
		}
	}
	sort.Strings(order)
	var out []corev1.EndpointSubset
	for _, sig := range order {
		s := bySignature[sig]
		sortAddresses(s.Addresses)
		sortAddresses(s.NotReadyAddresses)
		out = append(out, *s)
	}
	return out
}

// portsFor resolves each Service port's targetPort against pod.
func portsFor(svc *corev1.Service, pod *corev1.Pod) []corev1.EndpointPort {
	var ports []corev1.EndpointPort
	for _, sp := range svc.Spec.Ports {
		n, ok := resolvePort(sp, pod)
		if !ok {
			continue
		}
		ports = append(ports, corev1.EndpointPort{Name: sp.Name, Port: n, Protocol: sp.Protocol, AppProtocol: sp.AppProtocol})
	}
	return ports
}

func resolvePort(sp corev1.ServicePort, pod *corev1.Pod) (int32, bool) {
	switch {
	case sp.TargetPort.Type == intstr.String && sp.TargetPort.StrVal != "":
		for _, c := range pod.Spec.Containers {
			for _, p := range c.Ports {
				if p.Name == sp.TargetPort.StrVal && protocol(p.Protocol) == protocol(sp.Protocol) {
					return p.ContainerPort, true
				}
			}
		}
		return 0, false
	case sp.TargetPort.IntVal != 0:
		return sp.TargetPort.IntVal, true
	}
	return sp.Port, true
}

func protocol(p corev1.Protocol) corev1.Protocol {
	if p == "" {
		return corev1.ProtocolTCP
	}
	return p
}

// IsReady reports whether pod's Ready condition is True.
func IsReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func sortAddresses(a []corev1.EndpointAddress) {
	sort.Slice(a, func(i, j int) bool { return a[i].IP < a[j].IP })
}

// describe summarises subsets for a reconcile step: "10.0.0.5:3000 ready, …".
func describe(subsets []corev1.EndpointSubset) string {
	var parts []string
	for _, s := range subsets {
		for _, a := range s.Addresses {
			parts = append(parts, a.IP+" ready")
		}
		for _, a := range s.NotReadyAddresses {
			parts = append(parts, a.IP+" not ready")
		}
	}
	if len(parts) == 0 {
		return "no addresses"
	}
	return strings.Join(parts, ", ")
}
