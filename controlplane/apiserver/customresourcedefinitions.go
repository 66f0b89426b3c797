package apiserver

// A CustomResourceDefinition teaches the API server a new kind. In
// kube-apiserver two small controllers of apiextensions-apiserver then
// judge it: the naming controller checks that its names are free and
// records them as status.acceptedNames with the condition NamesAccepted,
// and the establishing controller marks it Established, the moment from
// which its resource is served (`kubectl wait --for=condition=Established`
// waits for that). Glassplane has one API server per sandbox and no other
// server to wait for, so it does both as it stores the CRD: a CRD whose
// names no other CRD of its group has taken is established at once.
//
// Deleting a CRD deletes every object of its kind first (kube's
// customresourcecleanup finalizer and controller do this in the
// background; here the delete does it before it answers), then the CRD,
// and from then on the resource is no longer served.

import (
	"context"
	"fmt"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
)

// prepareCRDForCreate records the storage version and accepts the names of
// a new CRD, as kube's strategy and naming and establishing controllers do.
func prepareCRDForCreate(crd *apiextensionsv1.CustomResourceDefinition) {
	apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(crd) // names.singular, listKind
	crd.Status = apiextensionsv1.CustomResourceDefinitionStatus{}
	recordStoredVersion(crd)
	crd.Status.AcceptedNames = crd.Spec.Names
	now := metav1.NewTime(time.Now().Truncate(time.Second))
	crd.Status.Conditions = []apiextensionsv1.CustomResourceDefinitionCondition{
		{Type: apiextensionsv1.NamesAccepted, Status: apiextensionsv1.ConditionTrue, LastTransitionTime: now,
			Reason: "NoConflicts", Message: "no conflicts found"},
		{Type: apiextensionsv1.Established, Status: apiextensionsv1.ConditionTrue, LastTransitionTime: now,
			Reason: "InitialNamesAccepted", Message: "the initial names have been accepted"},
	}
}

// prepareCRDForUpdate keeps the status of old but accepts changed names
// (new short names, categories) and a new storage version.
func prepareCRDForUpdate(crd *apiextensionsv1.CustomResourceDefinition) {
	apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(crd)
	recordStoredVersion(crd)
	crd.Status.AcceptedNames = crd.Spec.Names
}

func recordStoredVersion(crd *apiextensionsv1.CustomResourceDefinition) {
	for _, v := range crd.Spec.Versions {
		if !v.Storage {
			continue
		}
		for _, s := range crd.Status.StoredVersions {
			if s == v.Name {
				return
			}
		}
		crd.Status.StoredVersions = append(crd.Status.StoredVersions, v.Name)
		return
	}
}

// namesTaken refuses a new CRD whose kind or plural another CRD of the same
// group already serves (kube's naming controller would leave it
// NamesAccepted=False; refusing is the simpler lesson and leaves no
// unserved CRD behind).
func (s *Server) namesTaken(ctx context.Context, crd *apiextensionsv1.CustomResourceDefinition) error {
	res, _ := registry.Lookup(apiextensionsv1.GroupName, "customresourcedefinitions")
	list, err := s.Store.List(ctx, res, registry.Selection{}, 0)
	if err != nil {
		return err
	}
	for _, o := range list.(*apiextensionsv1.CustomResourceDefinitionList).Items {
		if o.Name == crd.Name || o.Spec.Group != crd.Spec.Group {
			continue
		}
		if o.Spec.Names.Kind == crd.Spec.Names.Kind || o.Spec.Names.Plural == crd.Spec.Names.Plural {
			return apierrors.NewConflict(res.GroupResource(), crd.Name,
				fmt.Errorf("%q is already in use by %s", crd.Spec.Names.Kind, o.Name))
		}
	}
	return nil
}

// deleteCustomObjects deletes every stored object of crd's kind, in all
// namespaces, before the CRD itself goes.
func (s *Server) deleteCustomObjects(q *apiRequest, cur runtime.Object) error {
	crd, ok := cur.(*apiextensionsv1.CustomResourceDefinition)
	if !ok {
		return nil
	}
	cr, err := newCustomResource(crd)
	if err != nil {
		return nil // never served, so nothing stored
	}
	list, err := s.Store.List(q.ctx, cr.res, registry.Selection{}, 0)
	if err != nil {
		return err
	}
	items, _ := meta.ExtractList(list)
	for _, item := range items {
		item.GetObjectKind().SetGroupVersionKind(cr.res.GroupVersionKind())
		m, _ := meta.Accessor(item)
		m.SetResourceVersion("")
		if _, err := s.Store.Delete(q.ctx, cr.res, item); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	s.customResources.forget(crd.Name)
	return nil
}
