package apiserver

// Custom resources: the objects of a kind a CustomResourceDefinition added.
//
// The table of built-in resources (registry.Resources) is fixed when the
// program is built; custom resources come and go while it runs, and each
// sandbox has its own. So each API server has a dynamic layer over the
// table: a request for a resource the table does not have looks for the CRD
// named <plural>.<group> in this server's own etcd prefix, and if that CRD
// is established and serves the requested version, the request is served as
// a registry.Resource made from it, through the same chain as any other
// request (authenticate, authorize, admit, validate, etcd). Objects are
// *unstructured.Unstructured — a map of the JSON, since there is no Go type
// — stored at /registry/<group>/<plural>/[<namespace>/]<name>.
//
// What kube-apiserver's apiextensions-apiserver does with the CRD's
// openAPIV3Schema, this layer does with the same code
// (k8s.io/apiextensions-apiserver/pkg/apiserver/schema and .../validation):
//
//	decode   → fields the schema does not declare are pruned (or, with
//	           fieldValidation=Strict, refused), then schema defaults are
//	           filled in;
//	validate → the object is checked against the schema: 422 Invalid with
//	           one cause per bad field.
//
// With a status subresource, writes to the object keep its status and
// writes to /status keep everything else; generation counts changes to
// anything but metadata (and status). Because the CRD is read from etcd on
// every request (the schema compiled once per CRD resourceVersion), a CRD is
// served the moment it is stored, stops being served the moment it is
// deleted, and is served again after a restart without any start-up step.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	schemavalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apiextensions-apiserver/pkg/registry/customresource/tableconvertor"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/kube-openapi/pkg/spec3"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	crdvalidation "github.com/glassplane/glassplane/controlplane/apiserver/validation"
)

// customResource is one established CRD as this server serves it.
type customResource struct {
	crd      *apiextensionsv1.CustomResourceDefinition
	res      *registry.Resource // the storage version's row
	versions map[string]*customVersion
	// openAPI holds each version's OpenAPI v3 document, built on first use
	// (customresources_openapi.go).
	openAPIOnce sync.Once
	openAPI     map[string]*spec3.OpenAPI
}

// customVersion is one served version of a custom resource: its row (the
// storage row with this version's subresources), compiled schema and table.
type customVersion struct {
	name       string
	res        *registry.Resource
	structural *structuralschema.Structural // nil: no schema
	validator  schemavalidation.SchemaValidator
	table      rest.TableConvertor
	status     bool
	scale      *apiextensionsv1.CustomResourceSubresourceScale
}

// newCustomResource compiles crd's served versions.
func newCustomResource(crd *apiextensionsv1.CustomResourceDefinition) (*customResource, error) {
	storage := ""
	for _, v := range crd.Spec.Versions {
		if v.Storage {
			storage = v.Name
		}
	}
	if storage == "" {
		return nil, fmt.Errorf("%s has no storage version", crd.Name)
	}
	n := crd.Status.AcceptedNames
	if n.Kind == "" {
		n = crd.Spec.Names
	}
	gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: storage, Kind: n.Kind}
	base := registry.Resource{GroupVersion: gvk.GroupVersion(), Resource: n.Plural, Kind: n.Kind,
		Namespaced: crd.Spec.Scope == apiextensionsv1.NamespaceScoped, StoragePath: crd.Spec.Group + "/" + n.Plural,
		ShortNames: n.ShortNames, Categories: n.Categories,
		New: func() runtime.Object {
			u := &unstructured.Unstructured{}
			u.SetGroupVersionKind(gvk)
			return u
		},
		NewList: func() runtime.Object {
			l := &unstructured.UnstructuredList{}
			l.SetGroupVersionKind(gvk.GroupVersion().WithKind(n.Kind + "List"))
			return l
		},
	}
	cr := &customResource{crd: crd, res: &base, versions: map[string]*customVersion{}}
	for _, v := range crd.Spec.Versions {
		if !v.Served {
			continue
		}
		cv, err := newCustomVersion(crd, v, base)
		if err != nil {
			return nil, err
		}
		cr.versions[v.Name] = cv
		if v.Name == storage {
			cr.res = cv.res
		}
	}
	return cr, nil
}

func newCustomVersion(crd *apiextensionsv1.CustomResourceDefinition, v apiextensionsv1.CustomResourceDefinitionVersion, base registry.Resource) (*customVersion, error) {
	cv := &customVersion{name: v.Name, res: &base}
	if sub := v.Subresources; sub != nil {
		row := base
		if sub.Status != nil {
			cv.status = true
			row.Subresources = append(row.Subresources, "status")
		}
		if sub.Scale != nil {
			cv.scale = sub.Scale
			row.Subresources = append(row.Subresources, "scale")
		}
		cv.res = &row
	}
	if v.Schema != nil && v.Schema.OpenAPIV3Schema != nil {
		internal, err := crdvalidation.ToInternalCRD(&apiextensionsv1.CustomResourceDefinition{
			Spec: apiextensionsv1.CustomResourceDefinitionSpec{Versions: []apiextensionsv1.CustomResourceDefinitionVersion{v}}})
		if err != nil {
			return nil, err
		}
		// The conversion moves a schema every version shares to spec.validation.
		validation, err := apiextensions.GetSchemaForVersion(internal, v.Name)
		if err != nil || validation == nil || validation.OpenAPIV3Schema == nil {
			return nil, fmt.Errorf("version %s has no schema", v.Name)
		}
		props := validation.OpenAPIV3Schema
		if cv.structural, err = structuralschema.NewStructural(props); err != nil {
			return nil, err
		}
		if cv.validator, _, err = schemavalidation.NewSchemaValidator(props); err != nil {
			return nil, err
		}
	}
	columns := v.AdditionalPrinterColumns
	if len(columns) == 0 {
		columns = []apiextensionsv1.CustomResourceColumnDefinition{{Name: "Age", Type: "date", JSONPath: ".metadata.creationTimestamp"}}
	}
	var err error
	if cv.table, err = tableconvertor.New(columns); err != nil {
		return nil, err
	}
	return cv, nil
}

// customResources is a server's dynamic layer: the CRDs it has compiled,
// by name, each valid while the CRD keeps its resourceVersion.
type customResources struct {
	mu     sync.Mutex // guards byName
	byName map[string]*customResource
}

func (c *customResources) compiled(crd *apiextensionsv1.CustomResourceDefinition) (*customResource, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cr, ok := c.byName[crd.Name]; ok && cr.crd.ResourceVersion == crd.ResourceVersion {
		return cr, nil
	}
	cr, err := newCustomResource(crd)
	if err != nil {
		return nil, err
	}
	if c.byName == nil {
		c.byName = map[string]*customResource{}
	}
	c.byName[crd.Name] = cr
	return cr, nil
}

func (c *customResources) forget(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byName, name)
}

// established reports whether crd is served.
func established(crd *apiextensionsv1.CustomResourceDefinition) bool {
	for _, c := range crd.Status.Conditions {
		if c.Type == apiextensionsv1.Established {
			return c.Status == apiextensionsv1.ConditionTrue
		}
	}
	return false
}

var crdResource, _ = registry.Lookup(apiextensionsv1.GroupName, "customresourcedefinitions")

// customResourceFor finds the established CRD serving resource in gv.
func (s *Server) customResourceFor(ctx context.Context, gv schema.GroupVersion, resource string) (*customResource, *customVersion, error) {
	if gv.Group == "" || !strings.Contains(gv.Group, ".") {
		return nil, nil, nil // a CRD's group always has a dot
	}
	obj, err := s.Store.Get(ctx, crdResource, "", resource+"."+gv.Group)
	if apierrors.IsNotFound(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	crd := obj.(*apiextensionsv1.CustomResourceDefinition)
	if !established(crd) || crd.DeletionTimestamp != nil {
		return nil, nil, nil
	}
	cr, err := s.customResources.compiled(crd)
	if err != nil {
		return nil, nil, nil // a CRD that does not compile is not served
	}
	cv, ok := cr.versions[gv.Version]
	if !ok {
		return nil, nil, nil
	}
	return cr, cv, nil
}

// establishedCRDs lists the served CRDs, compiled.
func (s *Server) establishedCRDs(ctx context.Context) ([]*customResource, error) {
	list, err := s.Store.List(ctx, crdResource, registry.Selection{}, 0)
	if err != nil {
		return nil, err
	}
	var out []*customResource
	for i := range list.(*apiextensionsv1.CustomResourceDefinitionList).Items {
		crd := &list.(*apiextensionsv1.CustomResourceDefinitionList).Items[i]
		if !established(crd) || crd.DeletionTimestamp != nil {
			continue
		}
		if cr, err := s.customResources.compiled(crd); err == nil {
			out = append(out, cr)
		}
	}
	return out, nil
}

// decodeCustom decodes a custom object in the request's version: unknown
// fields pruned (or refused), defaults applied, stored in the storage version.
func (s *Server) decodeCustom(q *apiRequest, data []byte, duplicates error) (runtime.Object, error) {
	validation, err := fieldValidation(q.r)
	if err != nil {
		return nil, err
	}
	gvk := q.gvk()
	var content map[string]any
	if err := utiljson.Unmarshal(data, &content); err != nil || content == nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the request body is not a JSON object: %v", err))
	}
	u := &unstructured.Unstructured{Object: content}
	if k := u.GetKind(); k != "" && k != gvk.Kind {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the kind in the body (%s) does not match the kind of the URL (%s)", k, gvk.Kind))
	}
	if v := u.GetAPIVersion(); v != "" && v != gvk.GroupVersion().String() {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the API version in the data (%s) does not match the expected API version (%s)", v, gvk.GroupVersion()))
	}
	u.SetGroupVersionKind(gvk)
	if err := checkObjectMeta(u); err != nil {
		return nil, cannotBeHandled(gvk, err)
	}
	var unknown []error
	if cv := q.crv; cv.structural != nil {
		opts := structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: validation != metav1.FieldValidationIgnore}
		for _, p := range pruning.PruneWithOptions(u.Object, cv.structural, true, opts) {
			unknown = append(unknown, fmt.Errorf("unknown field %q", p))
		}
		structuraldefaulting.Default(u.Object, cv.structural)
	}
	if duplicates != nil {
		unknown = append(unknown, duplicates)
	}
	if len(unknown) > 0 {
		switch validation {
		case metav1.FieldValidationStrict:
			return nil, cannotBeHandled(gvk, runtime.NewStrictDecodingError(unknown))
		case metav1.FieldValidationWarn:
			for _, e := range unknown {
				warn(q.w, e.Error())
			}
		}
	}
	u.SetAPIVersion(q.res.GroupVersion.String()) // conversion strategy None
	if err := placeInNamespace(q, u); err != nil {
		return nil, err
	}
	return u, nil
}

// checkObjectMeta refuses metadata that is not ObjectMeta (a label that is
// a number), as decoding into a typed object would.
func checkObjectMeta(u *unstructured.Unstructured) error {
	m, ok := u.Object["metadata"]
	if !ok {
		return nil
	}
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, &metav1.ObjectMeta{})
}

// prepareForCreate: generation 1, and no status when status has its own
// subresource.
func (cv *customVersion) prepareForCreate(obj runtime.Object) {
	u := obj.(*unstructured.Unstructured)
	u.SetGeneration(1)
	if cv.status {
		delete(u.Object, "status")
	}
}

// prepareForUpdate carries the server-owned fields of old over to obj, as
// kube's customresource strategy does.
func (cv *customVersion) prepareForUpdate(obj, old runtime.Object, statusOnly bool) {
	u, o := obj.(*unstructured.Unstructured), old.(*unstructured.Unstructured)
	if statusOnly {
		st, has := u.Object["status"]
		rv := resourceVersionOf(u, o)
		u.Object = o.DeepCopy().Object
		delete(u.Object, "status")
		if has {
			u.Object["status"] = st
		}
		u.SetResourceVersion(rv)
		return
	}
	u.SetUID(o.GetUID())
	u.SetCreationTimestamp(o.GetCreationTimestamp())
	u.SetDeletionTimestamp(o.GetDeletionTimestamp())
	u.SetDeletionGracePeriodSeconds(o.GetDeletionGracePeriodSeconds())
	u.SetGeneration(o.GetGeneration())
	if cv.status {
		delete(u.Object, "status")
		if st, ok := o.Object["status"]; ok {
			u.Object["status"] = st
		}
	}
	if !equality.Semantic.DeepEqual(cv.generationFields(u), cv.generationFields(o)) {
		u.SetGeneration(o.GetGeneration() + 1)
	}
}

// generationFields is what a change of bumps generation: everything but
// metadata, and but status when status is a subresource.
func (cv *customVersion) generationFields(u *unstructured.Unstructured) map[string]any {
	out := map[string]any{}
	for k, v := range u.Object {
		if k == "metadata" || k == "apiVersion" || k == "kind" || (cv.status && k == "status") {
			continue
		}
		out[k] = v
	}
	return out
}

// validate checks obj against the version's schema.
func (cv *customVersion) validate(obj, old runtime.Object) field.ErrorList {
	if cv.validator == nil {
		return nil
	}
	u := obj.(*unstructured.Unstructured)
	if o, ok := old.(*unstructured.Unstructured); ok {
		return schemavalidation.ValidateCustomResourceUpdate(nil, u.UnstructuredContent(), o.UnstructuredContent(), cv.validator)
	}
	return schemavalidation.ValidateCustomResource(nil, u.UnstructuredContent(), cv.validator)
}
