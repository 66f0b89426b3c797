package apiserver

// Validation checks an object after admission has finished changing it. A
// failure is 422 Unprocessable Entity with one cause per bad field, which
// kubectl prints as `spec.replicas: Invalid value: -1: must be greater than or
// equal to 0`.

import (
	"strconv"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// ValidateFunc validates one kind; old is nil on create.
type ValidateFunc func(obj, old runtime.Object) field.ErrorList

func (s *Server) validate(q *apiRequest, obj, old runtime.Object) error {
	if err := s.paceStage(q, steps.Validate); err != nil {
		return err
	}
	errs := validateMeta(q, obj, old)
	if s.Validate != nil {
		errs = append(errs, s.Validate(obj, old)...)
	}
	if q.crv != nil {
		errs = append(errs, q.crv.validate(obj, old)...)
	}
	outcome := steps.OK
	if len(errs) > 0 {
		outcome = steps.Invalid
	}
	causes := make([]string, len(errs))
	for i, e := range errs {
		causes[i] = e.Error()
	}
	s.Steps.Record(q.ctx, steps.Step{Component: steps.APIServer, Stage: steps.Validate, Outcome: outcome,
		Object: objectOf(obj), Message: steps.Msg("apiserver.validate."+outcome, "count", strconv.Itoa(len(errs))),
		Detail: map[string]any{"causes": causes}})
	if len(errs) > 0 {
		m, _ := meta.Accessor(obj)
		return apierrors.NewInvalid(q.res.GroupVersionKind().GroupKind(), m.GetName(), errs)
	}
	return nil
}

// validateMeta checks metadata every object shares: a valid name (DNS-1123 —
// a label for namespaces and services, a subdomain for the rest).
func validateMeta(q *apiRequest, obj, old runtime.Object) field.ErrorList {
	m, _ := meta.Accessor(obj)
	nameFn := apivalidation.NameIsDNSSubdomain
	switch q.res.Resource {
	case "namespaces", "services":
		nameFn = apivalidation.NameIsDNSLabel
	case "roles", "clusterroles", "rolebindings", "clusterrolebindings":
		nameFn = func(string, bool) []string { return nil } // RBAC names are path segments
	}
	errs := apivalidation.ValidateObjectMetaAccessor(m, q.res.Namespaced, nameFn, field.NewPath("metadata"))
	if old != nil {
		o, _ := meta.Accessor(old)
		errs = append(errs, apivalidation.ValidateObjectMetaAccessorUpdate(m, o, field.NewPath("metadata"))...)
	}
	return errs
}
