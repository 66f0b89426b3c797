package validation

// ValidateEndpointSlice, after kube's pkg/apis/discovery/validation: a slice
// says which kind of address it holds (IPv4, IPv6 or FQDN), and keeps it; it
// holds at most 1,000 endpoints of 1 to 100 addresses each, all of that
// kind, and at most 100 ports, each with a valid number and protocol.

import (
	"net"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const (
	maxSliceEndpoints = 1000
	maxSliceAddresses = 100
	maxSlicePorts     = 100
)

var addressTypes = []string{string(discoveryv1.AddressTypeIPv4), string(discoveryv1.AddressTypeIPv6), string(discoveryv1.AddressTypeFQDN)}

// ValidateEndpointSlice checks es (and, on an update, that its address type
// did not change from old's).
func ValidateEndpointSlice(es, old *discoveryv1.EndpointSlice) field.ErrorList {
	var errs field.ErrorList
	at := field.NewPath("addressType")
	switch es.AddressType {
	case "":
		errs = append(errs, field.Required(at, ""))
	case discoveryv1.AddressTypeIPv4, discoveryv1.AddressTypeIPv6, discoveryv1.AddressTypeFQDN:
	default:
		errs = append(errs, field.NotSupported(at, es.AddressType, addressTypes))
	}
	if old != nil && old.AddressType != es.AddressType {
		errs = append(errs, field.Invalid(at, es.AddressType, "field is immutable"))
	}
	eps := field.NewPath("endpoints")
	if len(es.Endpoints) > maxSliceEndpoints {
		errs = append(errs, field.TooMany(eps, len(es.Endpoints), maxSliceEndpoints))
	}
	for i, ep := range es.Endpoints {
		p := eps.Index(i).Child("addresses")
		switch n := len(ep.Addresses); {
		case n == 0:
			errs = append(errs, field.Required(p, "must contain at least 1 address"))
		case n > maxSliceAddresses:
			errs = append(errs, field.TooMany(p, n, maxSliceAddresses))
		}
		for j, a := range ep.Addresses {
			errs = append(errs, validateSliceAddress(es.AddressType, a, p.Index(j))...)
		}
	}
	ports := field.NewPath("ports")
	if len(es.Ports) > maxSlicePorts {
		errs = append(errs, field.TooMany(ports, len(es.Ports), maxSlicePorts))
	}
	names := map[string]bool{}
	for i, port := range es.Ports {
		p := ports.Index(i)
		if port.Name != nil && *port.Name != "" {
			errs = append(errs, dns1123Label(*port.Name, p.Child("name"))...)
			if names[*port.Name] {
				errs = append(errs, field.Duplicate(p.Child("name"), *port.Name))
			}
			names[*port.Name] = true
		}
		if port.Port != nil {
			errs = append(errs, portNumber(*port.Port, p.Child("port"))...)
		}
		if port.Protocol != nil {
			errs = append(errs, validateProtocol(*port.Protocol, p.Child("protocol"))...)
		} else {
			errs = append(errs, validateProtocol(corev1.Protocol(""), p.Child("protocol"))...)
		}
	}
	return errs
}

func validateSliceAddress(t discoveryv1.AddressType, a string, p *field.Path) field.ErrorList {
	switch t {
	case discoveryv1.AddressTypeIPv4, discoveryv1.AddressTypeIPv6:
		if errs := validation.IsValidIP(p, a); len(errs) > 0 {
			return errs
		}
		if ip := net.ParseIP(a); (ip.To4() != nil) != (t == discoveryv1.AddressTypeIPv4) {
			return field.ErrorList{field.Invalid(p, a, "must be a valid "+string(t)+" address")}
		}
	case discoveryv1.AddressTypeFQDN:
		return validation.IsFullyQualifiedDomainName(p, a)
	}
	return nil
}
