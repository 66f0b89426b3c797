package apiserver

// How a custom resource is shown: in the client's version, as a Table with
// the CRD's additionalPrinterColumns (AGE when it names none), as a Scale
// through the paths its scale subresource names, and in discovery, so
// kubectl finds "crontabs", "ct" and, with category "all", `kubectl get all`.

import (
	"context"
	"mime"
	"sort"
	"strings"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/version"

	"github.com/glassplane/glassplane/controlplane/apiserver/printers"
)

// checkCustomPatch refuses a strategic merge patch of a custom object, as
// kube does: without a Go type there are no merge keys to follow.
func checkCustomPatch(q *apiRequest) error {
	ct, _, _ := mime.ParseMediaType(q.r.Header.Get("Content-Type"))
	if q.cr != nil && types.PatchType(ct) == types.StrategicMergePatchType {
		return unsupportedMediaType("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
	}
	return nil
}

// customToClientVersion relabels obj (an object or a list) with the
// request's version: CRDs here convert with strategy None, which changes
// nothing but apiVersion.
func customToClientVersion(q *apiRequest, obj runtime.Object) runtime.Object {
	if q.gv == q.res.GroupVersion {
		return obj
	}
	switch o := obj.(type) {
	case *unstructured.Unstructured:
		if o.GroupVersionKind().GroupVersion() == q.res.GroupVersion {
			o = o.DeepCopy()
			o.SetAPIVersion(q.gv.String())
			return o
		}
	case *unstructured.UnstructuredList:
		o = o.DeepCopy()
		o.SetAPIVersion(q.gv.String())
		for i := range o.Items {
			o.Items[i].SetAPIVersion(q.gv.String())
		}
		return o
	}
	return obj
}

// customTable prints a custom object or list with the version's columns.
func customTable(q *apiRequest, obj runtime.Object) (runtime.Object, error) {
	opts := &metav1.TableOptions{IncludeObject: metav1.IncludeObjectPolicy(q.r.URL.Query().Get("includeObject"))}
	t, err := q.crv.table.ConvertToTable(q.ctx, obj, opts)
	if err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	t.APIVersion, t.Kind = "meta.k8s.io/v1", "Table"
	items := []runtime.Object{obj}
	if meta.IsListType(obj) {
		items, _ = meta.ExtractList(obj)
	}
	for i := range t.Rows {
		if i < len(items) {
			if t.Rows[i].Object, err = printers.RowObject(items[i], opts.IncludeObject); err != nil {
				return nil, apierrors.NewInternalError(err)
			}
		}
	}
	return t, nil
}

// scaleView presents obj as a Scale: a built-in kind by its Go type, a
// custom one through its CRD's specReplicasPath and statusReplicasPath.
func scaleView(q *apiRequest, obj runtime.Object) *autoscalingv1.Scale {
	if q.crv == nil || q.crv.scale == nil {
		return scaleOf(obj)
	}
	u := obj.(*unstructured.Unstructured)
	sc := &autoscalingv1.Scale{
		TypeMeta: metav1.TypeMeta{APIVersion: scaleGVK.GroupVersion().String(), Kind: scaleGVK.Kind},
		ObjectMeta: metav1.ObjectMeta{Name: u.GetName(), Namespace: u.GetNamespace(), UID: u.GetUID(),
			ResourceVersion: u.GetResourceVersion(), CreationTimestamp: u.GetCreationTimestamp()},
	}
	if n, ok, _ := unstructured.NestedInt64(u.Object, jsonPath(q.crv.scale.SpecReplicasPath)...); ok {
		sc.Spec.Replicas = int32(n)
	}
	if n, ok, _ := unstructured.NestedInt64(u.Object, jsonPath(q.crv.scale.StatusReplicasPath)...); ok {
		sc.Status.Replicas = int32(n)
	}
	if p := q.crv.scale.LabelSelectorPath; p != nil {
		sc.Status.Selector, _, _ = unstructured.NestedString(u.Object, jsonPath(*p)...)
	}
	return sc
}

// setScaleReplicas writes a Scale's spec.replicas back into obj.
func setScaleReplicas(q *apiRequest, obj runtime.Object, n int32) {
	if q.crv == nil || q.crv.scale == nil {
		setReplicas(obj, n)
		return
	}
	_ = unstructured.SetNestedField(obj.(*unstructured.Unstructured).Object, int64(n), jsonPath(q.crv.scale.SpecReplicasPath)...)
}

// jsonPath splits ".spec.replicas" into its fields.
func jsonPath(p string) []string {
	return strings.Split(strings.TrimPrefix(p, "."), ".")
}

// customGroups adds the groups the CRDs serve to the built-in ones, each
// group's versions in kube's priority order (v2 before v1 before v1beta1).
func customGroups(crs []*customResource) []metav1.APIGroup {
	versions := map[string][]string{}
	var names []string
	for _, cr := range crs {
		g := cr.crd.Spec.Group
		if _, ok := versions[g]; !ok {
			names = append(names, g)
		}
		for v := range cr.versions {
			if !containsString(versions[g], v) {
				versions[g] = append(versions[g], v)
			}
		}
	}
	sort.Strings(names)
	var out []metav1.APIGroup
	for _, g := range names {
		vs := versions[g]
		sort.Slice(vs, func(i, j int) bool { return version.CompareKubeAwareVersionStrings(vs[i], vs[j]) > 0 })
		group := metav1.APIGroup{Name: g}
		for _, v := range vs {
			group.Versions = append(group.Versions, metav1.GroupVersionForDiscovery{GroupVersion: g + "/" + v, Version: v})
		}
		group.PreferredVersion = group.Versions[0]
		out = append(out, group)
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// customResourceList is the discovery document of a CRD group-version.
func customResourceList(crs []*customResource, gv schema.GroupVersion) *metav1.APIResourceList {
	var rows []*servedVersion
	for _, cr := range crs {
		if cv, ok := cr.versions[gv.Version]; ok && cr.crd.Spec.Group == gv.Group {
			rows = append(rows, &servedVersion{cr: cr, cv: cv})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	list := &metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, GroupVersion: gv.String()}
	for _, r := range rows {
		n := r.cr.crd.Status.AcceptedNames
		res := r.cv.res
		list.APIResources = append(list.APIResources, metav1.APIResource{Name: res.Resource, SingularName: n.Singular,
			Namespaced: res.Namespaced, Kind: res.Kind, Verbs: verbsOf(res), ShortNames: n.ShortNames, Categories: n.Categories})
		for _, sub := range res.Subresources {
			k := subresourceKinds[sub]
			kind := k.kind
			if kind == "" {
				kind = res.Kind
			}
			list.APIResources = append(list.APIResources, metav1.APIResource{Name: res.Resource + "/" + sub,
				Namespaced: res.Namespaced, Kind: kind, Group: k.group, Version: k.version, Verbs: k.verbs})
		}
	}
	return list
}

// servedVersion is one CRD's version in a group-version's discovery.
type servedVersion struct {
	cr *customResource
	cv *customVersion
}

// servedCRDs lists the established CRDs for discovery; an etcd error
// leaves them out rather than failing the built-in groups.
func (s *Server) servedCRDs(ctx context.Context) []*customResource {
	crs, err := s.establishedCRDs(ctx)
	if err != nil {
		return nil
	}
	return crs
}
