package apiserver

// Update and patch. Both end in the same place: a new version of the object,
// admitted and validated against the old one, written with the old
// resourceVersion as a precondition. A client that sent a stale
// resourceVersion gets 409 Conflict; a patch, or a PUT without one (Helm
// sends those), is retried on the latest version, as kube-apiserver does.

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/client-go/kubernetes/scheme"
)

func (s *Server) update(q *apiRequest) (runtime.Object, int, error) {
	return s.replace(q, false)
}

// replace writes the whole object a PUT sent. Without a resourceVersion (or
// with "0") the update is unconditional, as kube-apiserver allows for every
// built-in kind Glassplane serves (their strategies' AllowUnconditionalUpdate):
// it applies to the latest version and is retried if another writer got in
// between. With any other resourceVersion it is a precondition, and a stale
// one is a 409 Conflict.
func (s *Server) replace(q *apiRequest, statusOnly bool) (runtime.Object, int, error) {
	obj, err := s.decodeBody(q)
	if err != nil {
		return nil, 0, err
	}
	if err := checkName(q, obj); err != nil {
		return nil, 0, err
	}
	rv := accessorRV(obj)
	unconditional := rv == "" || rv == "0"
	for {
		old, err := s.Store.Get(q.ctx, q.res, q.info.Namespace, q.info.Name)
		if err != nil {
			return nil, 0, err
		}
		next := obj
		if unconditional {
			next = obj.DeepCopyObject()
			m, _ := meta.Accessor(next)
			m.SetResourceVersion(accessorRV(old))
		}
		out, err := s.write(q, next, old, statusOnly)
		if apierrors.IsConflict(err) && unconditional && q.ctx.Err() == nil {
			continue // another write got in between: retry, as patchWith does
		}
		return out, http.StatusOK, err
	}
}

func checkName(q *apiRequest, obj runtime.Object) error {
	m, _ := meta.Accessor(obj)
	if m.GetName() != q.info.Name {
		return apierrors.NewBadRequest(fmt.Sprintf("the name of the object (%s) does not match the name on the URL (%s)", m.GetName(), q.info.Name))
	}
	return nil
}

// write runs an update of old to obj through admission, validation and the
// store. statusOnly keeps everything but status from old.
func (s *Server) write(q *apiRequest, obj, old runtime.Object, statusOnly bool) (runtime.Object, error) {
	m, _ := meta.Accessor(obj)
	applied := m.GetManagedFields() // what a server-side apply recorded itself
	if q.crv != nil {
		q.crv.prepareForUpdate(obj, old, statusOnly)
	} else {
		prepareForUpdate(obj, old, statusOnly)
	}
	if err := checkResourceVersion(q, obj, old); err != nil {
		return nil, err
	}
	if q.applied {
		m.SetManagedFields(applied) // a status write took everything but status from old
	} else {
		var err error
		if obj, err = s.updateManagedFields(q, old, obj, writtenSubresource(q, statusOnly)); err != nil {
			return nil, err
		}
	}
	if !statusOnly {
		if err := s.admit(q, obj, old); err != nil {
			return nil, err
		}
	}
	if err := s.validate(q, obj, old); err != nil {
		return nil, err
	}
	if isDryRun(q) {
		return obj, nil
	}
	m, _ = meta.Accessor(obj) // obj may be the field manager's copy by now
	o, _ := meta.Accessor(old)
	if m.GetResourceVersion() == "" || m.GetResourceVersion() == o.GetResourceVersion() {
		// Nothing changed: like kube-apiserver, answer without writing.
		cmp := obj.DeepCopyObject()
		mc, _ := meta.Accessor(cmp)
		mc.SetResourceVersion(o.GetResourceVersion())
		if equality.Semantic.DeepEqual(cmp, old) {
			return old, nil
		}
	}
	if m.GetDeletionTimestamp() != nil && finalizersLeft(obj) == 0 && !stillGraceful(obj) {
		// The last finalizer is gone: the object can finally be deleted.
		return s.Store.Delete(q.ctx, q.res, obj)
	}
	return s.Store.Update(q.ctx, q.res, obj)
}

// writtenSubresource names what a write changes, for managedFields: the
// status, the scale, or ("") the object.
func writtenSubresource(q *apiRequest, statusOnly bool) string {
	switch {
	case statusOnly:
		return "status"
	case q.info.Subresource == "scale":
		return "scale"
	}
	return ""
}

// checkResourceVersion refuses an update written against another version
// of the object before anything else judges it: kube-apiserver checks the
// precondition first, so a stale client hears Conflict, not whatever else is
// wrong with what it sent. The store checks again, atomically, as it writes.
func checkResourceVersion(q *apiRequest, obj, old runtime.Object) error {
	rv := accessorRV(obj)
	if rv == "" || rv == accessorRV(old) {
		return nil
	}
	if _, err := strconv.ParseUint(rv, 10, 64); err != nil {
		return apierrors.NewBadRequest(fmt.Sprintf("invalid resourceVersion %q", rv))
	}
	return apierrors.NewConflict(q.res.GroupResource(), q.info.Name,
		fmt.Errorf("the object has been modified; please apply your changes to the latest version and try again"))
}

// patch applies a JSON patch, a JSON merge patch or a strategic merge patch to
// the current object in the client's version, and writes the result.
func (s *Server) patch(q *apiRequest) (runtime.Object, error) {
	return s.patchWith(q, false)
}

func (s *Server) patchWith(q *apiRequest, statusOnly bool) (runtime.Object, error) {
	if isApply(q.r) {
		out, _, err := s.apply(q, statusOnly)
		return out, err
	}
	patch, err := readPatch(q.r)
	if err != nil {
		return nil, err
	}
	if err := checkCustomPatch(q); err != nil {
		return nil, err
	}
	for {
		old, err := s.Store.Get(q.ctx, q.res, q.info.Namespace, q.info.Name)
		if err != nil {
			return nil, err
		}
		obj, err := s.applyPatch(q, old, patch)
		if err != nil {
			return nil, err
		}
		m, _ := meta.Accessor(obj)
		pinned := m.GetResourceVersion() != accessorRV(old)
		if !pinned {
			m.SetResourceVersion(accessorRV(old))
		}
		out, err := s.write(q, obj, old, statusOnly)
		if apierrors.IsConflict(err) && !pinned && q.ctx.Err() == nil {
			// Someone else wrote in between: patch their version, as
			// kube-apiserver's GuaranteedUpdate does, for as long as the
			// request lives. Each conflict means another write succeeded,
			// so this always ends; a fixed number of attempts would hand a
			// busy object's patchers a 409 they never asked for.
			continue
		}
		return out, err
	}
}

func accessorRV(obj runtime.Object) string {
	m, _ := meta.Accessor(obj)
	return m.GetResourceVersion()
}

func readPatch(r *http.Request) ([]byte, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch types.PatchType(ct) {
	case types.JSONPatchType, types.MergePatchType, types.StrategicMergePatchType:
	case types.ApplyCBORPatchType:
		return nil, unsupportedMediaType("server-side apply in CBOR is not supported by Glassplane; send application/apply-patch+yaml")
	default:
		return nil, unsupportedMediaType(fmt.Sprintf("the patch content type %q is not one of application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json", ct))
	}
	return readBody(r)
}

// applyPatch patches old (in the storage version) as the client sees it, in
// the client's version, and decodes the result back into the storage version.
func (s *Server) applyPatch(q *apiRequest, old runtime.Object, patch []byte) (runtime.Object, error) {
	shown, err := s.toClientVersion(q, old)
	if err != nil {
		return nil, err
	}
	var schemaObj runtime.Object // a strategic merge patch's merge keys
	if q.cr == nil {
		if schemaObj, err = scheme.Scheme.New(q.gvk()); err != nil {
			return nil, apierrors.NewInternalError(err)
		}
	}
	patched, err := patchJSON(q.r, shown, patch, schemaObj)
	if err != nil {
		return nil, err
	}
	return s.decodeJSON(q, patched, nil)
}

// patchJSON applies patch to current by the request's patch type; schemaObj
// is an empty object of current's type, which a strategic merge patch needs
// for its merge keys.
func patchJSON(r *http.Request, current runtime.Object, patch []byte, schemaObj runtime.Object) ([]byte, error) {
	doc, err := json.Marshal(current)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var patched []byte
	switch types.PatchType(ct) {
	case types.JSONPatchType:
		p, perr := jsonpatch.DecodePatch(patch)
		if perr != nil {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("the JSON patch is invalid: %v", perr))
		}
		if patched, err = p.Apply(doc); err != nil {
			// A JSON patch that does not apply (a failing "test" op, a
			// missing path) is 422, as kube-apiserver answers it.
			return nil, apierrors.NewGenericServerResponse(http.StatusUnprocessableEntity, "", schema.GroupResource{}, "", err.Error(), 0, false)
		}
	case types.MergePatchType:
		patched, err = jsonpatch.MergePatch(doc, patch)
	default:
		patched, err = strategicpatch.StrategicMergePatch(doc, patch, schemaObj)
	}
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the patch could not be applied: %v", err))
	}
	return patched, nil
}

func unsupportedMediaType(msg string) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure,
		Code: http.StatusUnsupportedMediaType, Reason: metav1.StatusReasonUnsupportedMediaType, Message: msg}}
}
