package apiserver

// present turns a stored object into what the client asked for: the object
// in the client's API version, or a Table of it for `kubectl get`.

import (
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/glassplane/glassplane/controlplane/apiserver/conversion"
	"github.com/glassplane/glassplane/controlplane/apiserver/printers"
	"github.com/glassplane/glassplane/controlplane/steps"
)

func (s *Server) present(q *apiRequest, obj runtime.Object) (runtime.Object, error) {
	if _, ok := obj.(*metav1.Status); ok {
		return obj, nil
	}
	if wantsTable(q.r) && q.info.Subresource == "" && q.crv != nil {
		return customTable(q, obj)
	}
	if wantsTable(q.r) && q.info.Subresource == "" && !isMetrics(q.res) {
		opts := &metav1.TableOptions{IncludeObject: metav1.IncludeObjectPolicy(q.r.URL.Query().Get("includeObject"))}
		t, err := printers.TableFor(obj, opts)
		if err != nil {
			return nil, apierrors.NewBadRequest(err.Error())
		}
		return t, nil
	}
	return s.toClientVersion(q, obj)
}

// toClientVersion converts an object or a list from the storage version to the
// version of the request.
func (s *Server) toClientVersion(q *apiRequest, obj runtime.Object) (runtime.Object, error) {
	if q.cr != nil {
		return customToClientVersion(q, obj), nil
	}
	if q.res == nil || q.gv == q.res.GroupVersion || obj.GetObjectKind().GroupVersionKind().GroupVersion() != q.res.GroupVersion {
		return obj, nil
	}
	if !meta.IsListType(obj) {
		out, err := conversion.FromStorage(obj, q.gv)
		if err != nil {
			return nil, apierrors.NewInternalError(err)
		}
		return out, nil
	}
	items, _ := meta.ExtractList(obj)
	for i, item := range items {
		out, err := conversion.FromStorage(item, q.gv)
		if err != nil {
			return nil, apierrors.NewInternalError(err)
		}
		items[i] = out
	}
	list, err := scheme.Scheme.New(q.gv.WithKind(q.res.Kind + "List"))
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	if err := meta.SetList(list, items); err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	lm, _ := meta.ListAccessor(list)
	lm.SetResourceVersion(listRV(obj))
	if from, err := meta.ListAccessor(obj); err == nil {
		lm.SetContinue(from.GetContinue())
		lm.SetRemainingItemCount(from.GetRemainingItemCount())
	}
	list.GetObjectKind().SetGroupVersionKind(q.gv.WithKind(q.res.Kind + "List"))
	return list, nil
}

// objectOf names obj for a step.
func objectOf(obj runtime.Object) steps.Object {
	m, err := meta.Accessor(obj)
	if err != nil {
		return steps.Object{}
	}
	gvk := obj.GetObjectKind().GroupVersionKind()
	return steps.Object{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind, Namespace: m.GetNamespace(),
		Name: m.GetName(), UID: string(m.GetUID()), ResourceVersion: m.GetResourceVersion()}
}
