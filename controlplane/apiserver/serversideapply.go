package apiserver

// Server-side apply: a PATCH whose body (application/apply-patch+yaml) is
// the manager's whole intent for the object. See fields.go for what the
// field manager does with it; here the request is read, checked as
// kube-apiserver checks it, merged into the live object (or an empty one:
// applying an object that does not exist creates it) and written like any
// other create or update, through admission and validation.

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/kubernetes/scheme"
)

func isApply(r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return types.PatchType(ct) == types.ApplyYAMLPatchType
}

// apply merges the applied configuration into the object q names, creating
// it if it does not exist (201) and updating it otherwise (200).
func (s *Server) apply(q *apiRequest, statusOnly bool) (runtime.Object, int, error) {
	if q.cr != nil {
		return nil, 0, unsupportedMediaType("server-side apply of custom resources is not supported by Glassplane; use kubectl apply without --server-side")
	}
	if s.fields.types == nil {
		return nil, 0, unsupportedMediaType("server-side apply needs the OpenAPI schemas, which this server was started without")
	}
	manager := q.r.URL.Query().Get("fieldManager")
	if manager == "" {
		return nil, 0, apierrors.NewInvalid(schema.GroupKind{Group: metav1.GroupName, Kind: "PatchOptions"}, "",
			field.ErrorList{field.Required(field.NewPath("fieldManager"), "is required for apply patch")})
	}
	if err := validateManagerName(manager, "PatchOptions"); err != nil {
		return nil, 0, err
	}
	force := q.r.URL.Query().Get("force") == "true"
	applied, err := s.readApplied(q)
	if err != nil {
		return nil, 0, err
	}
	sub := ""
	if statusOnly {
		sub = "status"
	}
	fm, err := s.fields.manager(q, sub)
	if err != nil {
		return nil, 0, apierrors.NewInternalError(err)
	}
	q.applied = true
	pinned := applied.GetResourceVersion() != "" // a precondition, not a version to retry past
	for {
		live, err := s.Store.Get(q.ctx, q.res, q.info.Namespace, q.info.Name)
		creating := apierrors.IsNotFound(err)
		switch {
		case creating && statusOnly:
			return nil, 0, err // status can only be applied to an object that exists
		case creating:
			live, err = s.emptyObject(q)
		}
		if err != nil {
			return nil, 0, err
		}
		merged, err := fm.Apply(live, applied.DeepCopy(), manager, force)
		if err != nil {
			return nil, 0, applyError(err)
		}
		var out runtime.Object
		if creating {
			out, err = s.createApplied(q, merged)
		} else {
			if !pinned {
				m, _ := meta.Accessor(merged)
				m.SetResourceVersion(accessorRV(live))
			}
			out, err = s.write(q, merged, live, statusOnly)
		}
		if (apierrors.IsConflict(err) && !pinned || apierrors.IsAlreadyExists(err)) && q.ctx.Err() == nil {
			continue // another writer got in between: apply to what it wrote
		}
		if err != nil {
			return nil, 0, err
		}
		if creating {
			return out, http.StatusCreated, nil
		}
		return out, http.StatusOK, nil
	}
}

// readApplied reads the applied configuration: YAML or JSON of the
// request's kind and version, naming the object of the URL.
func (s *Server) readApplied(q *apiRequest) (*unstructured.Unstructured, error) {
	data, duplicates, err := readObjectBody(q.r)
	if err != nil {
		return nil, err
	}
	if duplicates != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("error decoding YAML: %v", duplicates))
	}
	u := &unstructured.Unstructured{}
	if err := json.Unmarshal(data, &u.Object); err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the applied configuration is not an object: %v", err))
	}
	if u.Object == nil {
		return nil, apierrors.NewBadRequest("the applied configuration is empty")
	}
	if gvk := u.GroupVersionKind(); gvk != q.gvk() {
		return nil, apierrors.NewBadRequest(fmt.Sprintf(
			"the applied configuration is a %s %s, but the request is for a %s %s",
			gvk.GroupVersion(), gvk.Kind, q.gv, q.res.Kind))
	}
	if u.GetName() != q.info.Name {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", u.GetName(), q.info.Name))
	}
	switch ns := u.GetNamespace(); {
	case !q.res.Namespaced:
	case ns == "":
		u.SetNamespace(q.info.Namespace)
	case ns != q.info.Namespace:
		return nil, apierrors.NewBadRequest(fmt.Sprintf(
			"the namespace of the provided object (%s) does not match the namespace sent on the request (%s)", ns, q.info.Namespace))
	}
	return u, nil
}

// emptyObject is the live object an apply that creates starts from.
func (s *Server) emptyObject(q *apiRequest) (runtime.Object, error) {
	obj, err := scheme.Scheme.New(q.res.GroupVersion.WithKind(q.res.Kind))
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	obj.GetObjectKind().SetGroupVersionKind(q.res.GroupVersion.WithKind(q.res.Kind))
	m, _ := meta.Accessor(obj)
	m.SetName(q.info.Name)
	if q.res.Namespaced {
		m.SetNamespace(q.info.Namespace)
	}
	return obj, nil
}

// createApplied stores what an apply made from nothing, keeping the fields
// it recorded.
func (s *Server) createApplied(q *apiRequest, obj runtime.Object) (runtime.Object, error) {
	release, err := s.admitCreate(q.ctx, q.res.Resource)
	if err != nil {
		return nil, err
	}
	defer release()
	m, _ := meta.Accessor(obj)
	managed := m.GetManagedFields()
	prepareForCreate(obj)
	m.SetManagedFields(managed)
	return s.store(q, obj)
}

// applyError gives an error of the field manager the status kube-apiserver
// answers with: conflicts are 409 already, with a cause per field; an applied
// configuration that does not fit the schema is the client's mistake.
func applyError(err error) error {
	var st apierrors.APIStatus
	if errors.As(err, &st) {
		return err
	}
	return apierrors.NewBadRequest(err.Error())
}
