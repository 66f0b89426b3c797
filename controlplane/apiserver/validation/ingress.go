package validation

// Ingresses and IngressClasses (kubernetes/pkg/apis/networking/validation),
// the parts that matter.
//
// An Ingress routes HTTP requests by host and path to a Service's port. It
// needs somewhere to send requests (a default backend or rules); every path
// says how it matches (pathType) and, for Exact and Prefix, is an absolute
// path; every backend names a Service and one port of it, by number or name.
// An IngressClass names the controller that implements it, as a
// domain-prefixed path ("k8s.io/ingress-nginx").

import (
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var pathTypes = sets.New(networkingv1.PathTypeExact, networkingv1.PathTypePrefix, networkingv1.PathTypeImplementationSpecific)

// ValidateIngress checks ing's spec.
func ValidateIngress(ing *networkingv1.Ingress) field.ErrorList {
	spec := field.NewPath("spec")
	var errs field.ErrorList
	if ing.Spec.DefaultBackend == nil && len(ing.Spec.Rules) == 0 {
		errs = append(errs, field.Invalid(spec, ing.Spec.Rules, "either `defaultBackend` or `rules` must be specified"))
	}
	if b := ing.Spec.DefaultBackend; b != nil {
		errs = append(errs, validateIngressBackend(b, spec.Child("defaultBackend"))...)
	}
	if c := ing.Spec.IngressClassName; c != nil {
		errs = append(errs, dns1123Subdomain(*c, spec.Child("ingressClassName"))...)
	}
	for i, r := range ing.Spec.Rules {
		p := spec.Child("rules").Index(i)
		if r.Host != "" {
			host := strings.TrimPrefix(r.Host, "*.")
			for _, msg := range validation.IsDNS1123Subdomain(host) {
				errs = append(errs, field.Invalid(p.Child("host"), r.Host, msg))
			}
		}
		if r.HTTP == nil {
			continue
		}
		paths := p.Child("http", "paths")
		if len(r.HTTP.Paths) == 0 {
			errs = append(errs, field.Required(paths, ""))
		}
		for j, path := range r.HTTP.Paths {
			errs = append(errs, validateIngressPath(&path, paths.Index(j))...)
		}
	}
	return errs
}

func validateIngressPath(path *networkingv1.HTTPIngressPath, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch {
	case path.PathType == nil:
		errs = append(errs, field.Required(p.Child("pathType"), "pathType must be specified"))
	case !pathTypes.Has(*path.PathType):
		errs = append(errs, field.NotSupported(p.Child("pathType"), *path.PathType, sets.List(pathTypes)))
	case *path.PathType != networkingv1.PathTypeImplementationSpecific && !strings.HasPrefix(path.Path, "/"):
		errs = append(errs, field.Invalid(p.Child("path"), path.Path, "must be an absolute path"))
	}
	return append(errs, validateIngressBackend(&path.Backend, p.Child("backend"))...)
}

// validateIngressBackend wants one Service port or one resource, not both.
func validateIngressBackend(b *networkingv1.IngressBackend, p *field.Path) field.ErrorList {
	switch {
	case b.Service != nil && b.Resource != nil:
		return field.ErrorList{field.Invalid(p, "resource and service", "cannot set both resource and service backends")}
	case b.Resource != nil:
		return nil
	case b.Service == nil:
		return field.ErrorList{field.Invalid(p, "", "resource or service backend is required")}
	}
	var errs field.ErrorList
	svc := p.Child("service")
	if b.Service.Name == "" {
		errs = append(errs, field.Required(svc.Child("name"), ""))
	} else {
		errs = append(errs, dns1123Label(b.Service.Name, svc.Child("name"))...)
	}
	port := b.Service.Port
	switch {
	case port.Name != "" && port.Number != 0:
		errs = append(errs, field.Invalid(svc.Child("port"), port, "cannot set both port name & port number"))
	case port.Name == "" && port.Number == 0:
		errs = append(errs, field.Invalid(svc.Child("port"), port, "port name or number is required"))
	case port.Number != 0:
		for _, msg := range validation.IsValidPortNum(int(port.Number)) {
			errs = append(errs, field.Invalid(svc.Child("port", "number"), port.Number, msg))
		}
	}
	return errs
}

// ValidateIngressClass checks ic's controller name.
func ValidateIngressClass(ic *networkingv1.IngressClass) field.ErrorList {
	p := field.NewPath("spec", "controller")
	if ic.Spec.Controller == "" {
		return field.ErrorList{field.Required(p, "")}
	}
	return validation.IsDomainPrefixedPath(p, ic.Spec.Controller)
}
