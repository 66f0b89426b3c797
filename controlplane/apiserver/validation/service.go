package validation

// Services and Endpoints (kubernetes/pkg/apis/core/validation:
// ValidateService, ValidateEndpoints).
//
// A Service is a stable virtual IP and port in front of the pods its
// selector picks. It needs ports (unless it is headless or an ExternalName
// alias), each a number 1–65535 with a unique name when there are several;
// its selector is a set of labels; its cluster IP, once set, is fixed,
// because clients have already resolved it. Endpoints are what the
// endpoints controller writes: the pod IPs and ports behind a Service.

import (
	corev1 "k8s.io/api/core/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var serviceTypes = []corev1.ServiceType{corev1.ServiceTypeClusterIP, corev1.ServiceTypeExternalName,
	corev1.ServiceTypeLoadBalancer, corev1.ServiceTypeNodePort}

// ValidateService validates a Service, and on update its cluster IP.
func ValidateService(svc, old *corev1.Service) field.ErrorList {
	spec := &svc.Spec
	path := field.NewPath("spec")
	var errs field.ErrorList
	switch spec.Type {
	case corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer:
	case corev1.ServiceTypeExternalName:
		errs = append(errs, validateExternalName(spec, path)...)
	case "":
		errs = append(errs, field.Required(path.Child("type"), ""))
	default:
		errs = append(errs, field.NotSupported(path.Child("type"), spec.Type, serviceTypes))
	}
	if len(spec.Ports) == 0 && !isHeadless(svc) && spec.Type != corev1.ServiceTypeExternalName {
		errs = append(errs, field.Required(path.Child("ports"), ""))
	}
	errs = append(errs, validateServicePorts(svc, path.Child("ports"))...)
	errs = append(errs, metav1validation.ValidateLabels(spec.Selector, path.Child("selector"))...)
	if ip := spec.ClusterIP; ip != "" && ip != corev1.ClusterIPNone {
		errs = append(errs, validation.IsValidIP(path.Child("clusterIPs").Index(0), ip)...)
	}
	switch spec.SessionAffinity {
	case corev1.ServiceAffinityNone, corev1.ServiceAffinityClientIP, "":
	default:
		errs = append(errs, field.NotSupported(path.Child("sessionAffinity"), spec.SessionAffinity,
			[]corev1.ServiceAffinity{corev1.ServiceAffinityClientIP, corev1.ServiceAffinityNone}))
	}
	if old != nil {
		errs = append(errs, validateClusterIPUpdate(svc, old)...)
	}
	return errs
}

func isHeadless(svc *corev1.Service) bool { return svc.Spec.ClusterIP == corev1.ClusterIPNone }

func validateExternalName(spec *corev1.ServiceSpec, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if spec.ClusterIP != "" {
		errs = append(errs, field.Forbidden(path.Child("clusterIPs"), "may not be set for `type=ExternalName`"))
	}
	if spec.ExternalName == "" {
		return append(errs, field.Required(path.Child("externalName"), ""))
	}
	return append(errs, dns1123Subdomain(spec.ExternalName, path.Child("externalName"))...)
}

// validateServicePorts: names are required when there are several (kubectl
// and Endpoints tell ports apart by name) and unique; no two ports share a
// number and protocol.
func validateServicePorts(svc *corev1.Service, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	names := sets.New[string]()
	type portKey struct {
		port     int32
		protocol corev1.Protocol
	}
	seen := map[portKey]bool{}
	for i, sp := range svc.Spec.Ports {
		p := path.Index(i)
		switch {
		case len(svc.Spec.Ports) > 1 && sp.Name == "":
			errs = append(errs, field.Required(p.Child("name"), ""))
		case sp.Name == "":
		case names.Has(sp.Name):
			errs = append(errs, field.Duplicate(p.Child("name"), sp.Name))
		default:
			errs = append(errs, dns1123Label(sp.Name, p.Child("name"))...)
		}
		names.Insert(sp.Name)
		errs = append(errs, portNumber(sp.Port, p.Child("port"))...)
		errs = append(errs, validateProtocol(sp.Protocol, p.Child("protocol"))...)
		errs = append(errs, validatePortNumOrName(sp.TargetPort, p.Child("targetPort"))...)
		if sp.NodePort != 0 {
			if svc.Spec.Type == corev1.ServiceTypeClusterIP {
				errs = append(errs, field.Forbidden(p.Child("nodePort"), "may not be used when `type` is 'ClusterIP'"))
			} else {
				errs = append(errs, portNumber(sp.NodePort, p.Child("nodePort"))...)
			}
		}
		key := portKey{sp.Port, sp.Protocol}
		if seen[key] {
			errs = append(errs, field.Duplicate(p, corev1.ServicePort{Port: sp.Port, Protocol: sp.Protocol}))
		}
		seen[key] = true
	}
	return errs
}

func validatePortNumOrName(port intstr.IntOrString, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if port.Type == intstr.String {
		for _, msg := range validation.IsValidPortName(port.StrVal) {
			errs = append(errs, field.Invalid(path, port.StrVal, msg))
		}
		return errs
	}
	for _, msg := range validation.IsValidPortNum(port.IntValue()) {
		errs = append(errs, field.Invalid(path, port.IntValue(), msg))
	}
	return errs
}

// validateClusterIPUpdate: a cluster IP may not change once set, unless the
// Service is becoming or stops being an ExternalName alias. An update that
// leaves it out is let through: kube copies the old IP into it, and
// Glassplane allocates no IPs of its own.
func validateClusterIPUpdate(svc, old *corev1.Service) field.ErrorList {
	if svc.Spec.Type == corev1.ServiceTypeExternalName || old.Spec.Type == corev1.ServiceTypeExternalName {
		return nil
	}
	if old.Spec.ClusterIP == "" || svc.Spec.ClusterIP == "" || svc.Spec.ClusterIP == old.Spec.ClusterIP {
		return nil
	}
	ips := svc.Spec.ClusterIPs
	if len(ips) == 0 {
		ips = []string{svc.Spec.ClusterIP}
	}
	return field.ErrorList{field.Invalid(field.NewPath("spec", "clusterIPs").Index(0), ips, "may not change once set")}
}

// ValidateEndpoints validates the addresses and ports of each subset.
func ValidateEndpoints(ep *corev1.Endpoints) field.ErrorList {
	var errs field.ErrorList
	path := field.NewPath("subsets")
	for i := range ep.Subsets {
		ss, p := &ep.Subsets[i], path.Index(i)
		if len(ss.Addresses) == 0 && len(ss.NotReadyAddresses) == 0 {
			errs = append(errs, field.Required(p, "must specify `addresses` or `notReadyAddresses`"))
		}
		for j, a := range ss.Addresses {
			errs = append(errs, validation.IsValidIP(p.Child("addresses").Index(j).Child("ip"), a.IP)...)
		}
		for j, a := range ss.NotReadyAddresses {
			errs = append(errs, validation.IsValidIP(p.Child("notReadyAddresses").Index(j).Child("ip"), a.IP)...)
		}
		for j, port := range ss.Ports {
			pp := p.Child("ports").Index(j)
			if len(ss.Ports) > 1 && port.Name == "" {
				errs = append(errs, field.Required(pp.Child("name"), ""))
			} else if port.Name != "" {
				errs = append(errs, dns1123Label(port.Name, pp.Child("name"))...)
			}
			errs = append(errs, portNumber(port.Port, pp.Child("port"))...)
			errs = append(errs, validateProtocol(port.Protocol, pp.Child("protocol"))...)
		}
	}
	return errs
}
