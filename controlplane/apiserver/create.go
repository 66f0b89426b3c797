package apiserver

// Create: decode the body in the client's version, convert it to the storage
// version, set the server-owned fields, admit, validate, store.

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/glassplane/glassplane/controlplane/apiserver/conversion"
)

func (s *Server) create(q *apiRequest) (runtime.Object, error) {
	release, err := s.admitCreate(q.ctx, q.res.Resource)
	if err != nil {
		return nil, err
	}
	defer release()
	obj, err := s.decodeBody(q)
	if err != nil {
		return nil, err
	}
	prepareForCreate(obj)
	if q.crv != nil {
		q.crv.prepareForCreate(obj)
	}
	if obj, err = s.updateManagedFields(q, nil, obj, ""); err != nil {
		return nil, err
	}
	return s.store(q, obj)
}

// store admits, validates and stores a new object.
func (s *Server) store(q *apiRequest, obj runtime.Object) (runtime.Object, error) {
	if err := s.admit(q, obj, nil); err != nil {
		return nil, err
	}
	if err := s.validate(q, obj, nil); err != nil {
		return nil, err
	}
	if crd, ok := obj.(*apiextensionsv1.CustomResourceDefinition); ok {
		if err := s.namesTaken(q.ctx, crd); err != nil {
			return nil, err
		}
	}
	if svc, ok := obj.(*corev1.Service); ok {
		if err := s.allocateServiceAddresses(q.ctx, svc); err != nil {
			return nil, err
		}
	}
	if isDryRun(q) {
		return obj, nil
	}
	return s.Store.Create(q.ctx, q.res, obj)
}

// decodeBody reads the request body as an object of the request's kind,
// converts it to the storage version and checks its namespace against the URL.
func (s *Server) decodeBody(q *apiRequest) (runtime.Object, error) {
	data, duplicates, err := readObjectBody(q.r)
	if err != nil {
		return nil, err
	}
	return s.decodeJSON(q, data, duplicates)
}

// decodeJSON decodes data as the request's kind; duplicates, the keys a YAML
// body set twice, count as strict decoding errors.
func (s *Server) decodeJSON(q *apiRequest, data []byte, duplicates error) (runtime.Object, error) {
	if q.cr != nil {
		return s.decodeCustom(q, data, duplicates)
	}
	validation, err := fieldValidation(q.r)
	if err != nil {
		return nil, err
	}
	gvk := q.gvk()
	into, err := scheme.Scheme.New(gvk)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	warnings, err := decodeObject(data, gvk, into, validation)
	if err != nil {
		return nil, err
	}
	if duplicates != nil {
		switch validation {
		case metav1.FieldValidationStrict:
			return nil, cannotBeHandled(gvk, runtime.NewStrictDecodingError([]error{duplicates}))
		case metav1.FieldValidationWarn:
			warnings = append(warnings, duplicates.Error())
		}
	}
	for _, w := range warnings {
		warn(q.w, w)
	}
	if text, ok := conversion.Deprecation(gvk); ok {
		warn(q.w, text)
	}
	obj, err := conversion.ToStorage(into)
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	if err := placeInNamespace(q, obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// placeInNamespace puts obj in the request's namespace, or none for a
// cluster-scoped resource, and refuses a body naming another namespace.
func placeInNamespace(q *apiRequest, obj runtime.Object) error {
	m, _ := meta.Accessor(obj)
	switch {
	case !q.res.Namespaced:
		m.SetNamespace("")
	case m.GetNamespace() == "":
		m.SetNamespace(q.info.Namespace)
	case m.GetNamespace() != q.info.Namespace:
		return apierrors.NewBadRequest(fmt.Sprintf(
			"the namespace of the provided object (%s) does not match the namespace sent on the request (%s)",
			m.GetNamespace(), q.info.Namespace))
	}
	return nil
}

// isDryRun reports a request that must change nothing: ?dryRun=All, or
// DeleteOptions.dryRun in a delete's body.
func isDryRun(q *apiRequest) bool {
	if q.dryRun {
		return true
	}
	for _, v := range q.r.URL.Query()["dryRun"] {
		if v == "All" {
			return true
		}
	}
	return false
}
