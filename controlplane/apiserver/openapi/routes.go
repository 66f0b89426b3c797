package openapi

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	apiserveropenapi "k8s.io/apiserver/pkg/endpoints/openapi"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/kube-openapi/pkg/common"
	"k8s.io/kube-openapi/pkg/util"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// This file describes each served resource the way kube-apiserver's endpoint
// installer (k8s.io/apiserver/pkg/endpoints/installer.go) registers its
// routes, as values of kube-openapi's common.Route interface. The builders in
// kube-openapi turn those into OpenAPI paths and operations.

const (
	extAction = "x-kubernetes-action"
	extGVK    = "x-kubernetes-group-version-kind"
)

var (
	produces      = []string{"application/json", "application/yaml"}
	producesWatch = []string{"application/json", "application/yaml", "application/json;stream=watch"}
	consumesAny   = []string{"*/*"}
	consumesPatch = []string{
		"application/json-patch+json",
		"application/merge-patch+json",
		"application/strategic-merge-patch+json",
		"application/apply-patch+yaml",
	}
)

// routesFor describes every path of one group-version.
func routesFor(gv schema.GroupVersion, resources []Resource) (common.RouteContainer, error) {
	root := "/apis/" + gv.Group + "/" + gv.Version
	if gv.Group == "" {
		root = "/api/" + gv.Version
	}
	c := &container{root: root}
	for _, r := range resources {
		if err := c.addResource(gv, r); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *container) addResource(gv schema.GroupVersion, r Resource) error {
	gvk := gv.WithKind(r.Kind)
	obj, err := newObject(gvk)
	if err != nil {
		return err
	}
	has := func(verb string) bool { return slices.Contains(r.Verbs, verb) }

	scope, coll := "", c.root+"/"+r.Resource
	var pathParams []common.Parameter
	if r.Namespaced {
		scope = "Namespaced"
		coll = c.root + "/namespaces/{namespace}/" + r.Resource
		pathParams = append(pathParams, pathParam("namespace", "object name and auth scope, such as for teams and projects"))
	}
	item := coll + "/{name}"
	itemParams := append([]common.Parameter{pathParam("name", "name of the "+r.Kind)}, pathParams...)

	// Collection: list (and watch via ?watch=true), create, deletecollection.
	if has("list") {
		list, err := newObject(gv.WithKind(r.Kind + "List"))
		if err != nil {
			return err
		}
		desc := "list or watch objects of kind " + r.Kind
		c.add(&route{
			method: "GET", path: coll, opName: "list" + scope + r.Kind, description: desc,
			params: append(slices.Clone(pathParams), queryParams(listOptions)...), produces: producesWatch,
			metadata: metadata("list", gvk), responses: ok(list),
		})
		if r.Namespaced {
			c.add(&route{
				method: "GET", path: c.root + "/" + r.Resource, opName: "list" + r.Kind + "ForAllNamespaces", description: desc,
				params: queryParams(listOptions), produces: producesWatch,
				metadata: metadata("list", gvk), responses: ok(list),
			})
		}
	}
	if has("create") {
		c.add(writeRoute("POST", coll, "create"+scope+r.Kind, "create a "+r.Kind, pathParams, createOptions, "post", gvk, obj))
	}
	if has("deletecollection") {
		c.add(&route{
			method: "DELETE", path: coll, opName: "deletecollection" + scope + r.Kind, description: "delete collection of " + r.Kind,
			params:   append(append(slices.Clone(pathParams), queryParams(deleteOptions, listOptions)...), bodyParam()),
			consumes: consumesAny, produces: produces, body: &metav1.DeleteOptions{},
			metadata: metadata("deletecollection", gvk), responses: ok(&metav1.Status{}),
		})
	}

	// Item: get, update, patch, delete.
	if has("get") {
		c.add(&route{
			method: "GET", path: item, opName: "read" + scope + r.Kind, description: "read the specified " + r.Kind,
			params: itemParams, produces: produces, metadata: metadata("get", gvk), responses: ok(obj),
		})
	}
	if has("update") {
		c.add(writeRoute("PUT", item, "replace"+scope+r.Kind, "replace the specified "+r.Kind, itemParams, updateOptions, "put", gvk, obj))
	}
	if has("patch") {
		c.add(writeRoute("PATCH", item, "patch"+scope+r.Kind, "partially update the specified "+r.Kind, itemParams, patchOptions, "patch", gvk, obj))
	}
	if has("delete") {
		c.add(&route{
			method: "DELETE", path: item, opName: "delete" + scope + r.Kind, description: "delete a " + r.Kind,
			params:   append(append(slices.Clone(itemParams), queryParams(deleteOptions)...), bodyParam()),
			consumes: consumesAny, produces: produces, body: &metav1.DeleteOptions{},
			metadata: metadata("delete", gvk),
			responses: []common.StatusCodeResponse{
				response{200, "OK", &metav1.Status{}}, response{202, "Accepted", &metav1.Status{}},
			},
		})
	}

	// Subresources.
	for _, sub := range r.Subresources {
		subPath := item + "/" + sub
		title := strings.ToUpper(sub[:1]) + sub[1:]
		switch sub {
		case "status", "scale":
			subGVK, subObj := gvk, obj
			if sub == "scale" {
				subGVK, subObj = scaleKind(gv)
			}
			what := " " + sub + " of the specified " + r.Kind
			c.add(&route{
				method: "GET", path: subPath, opName: "read" + scope + r.Kind + title, description: "read" + what,
				params: itemParams, produces: produces, metadata: metadata("get", subGVK), responses: ok(subObj),
			})
			c.add(writeRoute("PUT", subPath, "replace"+scope+r.Kind+title, "replace"+what, itemParams, updateOptions, "put", subGVK, subObj))
			c.add(writeRoute("PATCH", subPath, "patch"+scope+r.Kind+title, "partially update"+what, itemParams, patchOptions, "patch", subGVK, subObj))
		case "binding":
			bgvk := gv.WithKind("Binding")
			b, err := newObject(bgvk)
			if err != nil {
				return err
			}
			c.add(writeRoute("POST", subPath, "create"+scope+r.Kind+title, "create binding of a "+r.Kind, itemParams, createOptions, "post", bgvk, b))
		case "log":
			c.add(&route{
				method: "GET", path: subPath, opName: "read" + scope + r.Kind + title, description: "read log of the specified " + r.Kind,
				params: append(slices.Clone(itemParams), queryParams(podLogOptions)...), produces: []string{"text/plain", "application/json", "application/yaml"},
				metadata: metadata("get", gvk), responses: ok(""),
			})
		}
	}
	return nil
}

// writeRoute is a create, update or patch: the object in, the object out.
func writeRoute(method, path, opName, desc string, params []common.Parameter, options string, action string, gvk schema.GroupVersionKind, obj runtime.Object) *route {
	r := &route{
		method: method, path: path, opName: opName, description: desc,
		params:   append(append(slices.Clone(params), queryParams(options)...), bodyParam()),
		consumes: consumesAny, produces: produces, body: obj, metadata: metadata(action, gvk),
		responses: []common.StatusCodeResponse{response{200, "OK", obj}, response{201, "Created", obj}},
	}
	switch method {
	case "POST":
		r.responses = append(r.responses, response{202, "Accepted", obj})
	case "PATCH":
		r.consumes, r.body = consumesPatch, &metav1.Patch{}
	}
	return r
}

// scaleKind is the Scale type a group-version's scale subresources speak:
// its own, if the group-version has one (apps/v1beta1, apps/v1beta2,
// extensions/v1beta1), else autoscaling/v1's.
func scaleKind(gv schema.GroupVersion) (schema.GroupVersionKind, runtime.Object) {
	if obj, err := newObject(gv.WithKind("Scale")); err == nil {
		return gv.WithKind("Scale"), obj
	}
	return autoscalingv1.SchemeGroupVersion.WithKind("Scale"), &autoscalingv1.Scale{}
}

// newObject returns an empty Go value of a k8s.io/api kind. kube-openapi
// finds a schema from a Go value by its OpenAPIModelName method.
func newObject(gvk schema.GroupVersionKind) (runtime.Object, error) {
	obj, err := scheme.Scheme.New(gvk)
	if err != nil {
		return nil, fmt.Errorf("openapi: no Go type for %v: %w", gvk, err)
	}
	return obj, nil
}

func metadata(action string, gvk schema.GroupVersionKind) map[string]interface{} {
	return map[string]interface{}{
		extAction: action,
		extGVK:    metav1.GroupVersionKind{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind},
	}
}

func ok(model interface{}) []common.StatusCodeResponse {
	return []common.StatusCodeResponse{response{200, "OK", model}}
}

// Query parameters come from the options types, as in kube-apiserver: every
// simple field of metav1.ListOptions is a query parameter of a list, and so
// on. Their descriptions are the Go field comments, taken from the generated
// schemas.
const (
	listOptions   = "io.k8s.apimachinery.pkg.apis.meta.v1.ListOptions"
	createOptions = "io.k8s.apimachinery.pkg.apis.meta.v1.CreateOptions"
	updateOptions = "io.k8s.apimachinery.pkg.apis.meta.v1.UpdateOptions"
	patchOptions  = "io.k8s.apimachinery.pkg.apis.meta.v1.PatchOptions"
	deleteOptions = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"
	podLogOptions = "io.k8s.api.core.v1.PodLogOptions"
)

var optionDefinitions = sync.OnceValue(func() map[string]common.OpenAPIDefinition {
	return GetOpenAPIDefinitions(func(string) spec.Ref { return spec.Ref{} })
})

// queryParams lists the simple (string, boolean, integer, or list of string)
// fields of the named options types, first type first, without duplicates.
func queryParams(optionTypes ...string) []common.Parameter {
	var out []common.Parameter
	seen := map[string]bool{"kind": true, "apiVersion": true}
	for _, t := range optionTypes {
		props := optionDefinitions()[t].Schema.Properties
		names := make([]string, 0, len(props))
		for n := range props {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			p := props[n]
			typ := p.Type
			if typ.Contains("array") && p.Items != nil && p.Items.Schema != nil {
				typ = p.Items.Schema.Type
			}
			if seen[n] || len(typ) != 1 || !slices.Contains([]string{"string", "boolean", "integer"}, typ[0]) {
				continue
			}
			seen[n] = true
			out = append(out, param{name: n, description: p.Description, kind: common.QueryParameterKind, dataType: typ[0]})
		}
	}
	return out
}

func pathParam(name, desc string) common.Parameter {
	return param{name: name, description: desc, required: true, kind: common.PathParameterKind, dataType: "string"}
}

func bodyParam() common.Parameter {
	return param{name: "body", required: true, kind: common.BodyParameterKind}
}

// operationIDAndTags names operations like kube-apiserver:
// "createNamespacedDeployment" on /apis/apps/v1/... becomes
// "createAppsV1NamespacedDeployment" with tag "apps_v1". It is
// k8s.io/apiserver/pkg/endpoints/openapi.GetOperationIDAndTags for
// common.Route instead of go-restful's Route.
func operationIDAndTags(r common.Route) (string, []string, error) {
	op := r.OperationName()
	prefix, exists := verbs.GetPrefix(op)
	if !exists {
		return op, nil, fmt.Errorf("operation %q does not start with a verb", op)
	}
	op = op[len(prefix):]
	parts := strings.Split(strings.Trim(r.Path(), "/"), "/")
	if len(parts) >= 1 && parts[0] == "api" {
		parts = append([]string{"apis", "core"}, parts[1:]...)
	}
	var tags []string
	if len(parts) >= 2 && parts[0] == "apis" {
		trimmed := strings.TrimSuffix(parts[1], ".k8s.io")
		prefix += apiserveropenapi.ToValidOperationID(trimmed, prefix != "")
		tag := apiserveropenapi.ToValidOperationID(trimmed, false)
		if len(parts) > 2 {
			prefix += apiserveropenapi.ToValidOperationID(parts[2], prefix != "")
			tag += "_" + apiserveropenapi.ToValidOperationID(parts[2], false)
		}
		tags = append(tags, tag)
	}
	return prefix + apiserveropenapi.ToValidOperationID(op, prefix != ""), tags, nil
}

var verbs = util.NewTrie([]string{"get", "log", "read", "replace", "patch", "delete", "deletecollection", "watch", "connect", "proxy", "list", "create"})

// definitionNamer keeps schema names as generated (io.k8s.api.apps.v1.Deployment)
// and adds x-kubernetes-group-version-kind to every schema that is a kind of
// a served group-version, like k8s.io/apiserver's DefinitionNamer. Types of
// meta/v1 such as Status, DeleteOptions or WatchEvent are registered in every
// group-version and so list many.
type definitionNamer map[string][]interface{}

func newDefinitionNamer(served []schema.GroupVersion) definitionNamer {
	gvks := map[string][]schema.GroupVersionKind{}
	for gvk := range scheme.Scheme.AllKnownTypes() {
		if !slices.Contains(served, gvk.GroupVersion()) {
			continue
		}
		name, err := scheme.Scheme.ToOpenAPIDefinitionName(gvk)
		if err != nil {
			continue
		}
		gvks[name] = append(gvks[name], gvk)
	}
	n := definitionNamer{}
	for name, list := range gvks {
		sort.Slice(list, func(i, j int) bool {
			a, b := list[i], list[j]
			if a.Group != b.Group {
				return a.Group < b.Group
			}
			if a.Version != b.Version {
				return a.Version < b.Version
			}
			return a.Kind < b.Kind
		})
		for _, gvk := range list {
			n[name] = append(n[name], map[string]interface{}{"group": gvk.Group, "version": gvk.Version, "kind": gvk.Kind})
		}
	}
	return n
}

func (n definitionNamer) name(name string) (string, spec.Extensions) {
	if gvks, ok := n[name]; ok {
		return name, spec.Extensions{extGVK: gvks}
	}
	return name, nil
}

// container, route, param and response implement kube-openapi's
// common.RouteContainer, Route, Parameter and StatusCodeResponse.
type container struct {
	root   string
	routes []common.Route
}

func (c *container) add(r *route)                       { c.routes = append(c.routes, r) }
func (c *container) RootPath() string                   { return c.root }
func (c *container) PathParameters() []common.Parameter { return nil }
func (c *container) Routes() []common.Route             { return c.routes }

type route struct {
	method, path, opName, description string
	params                            []common.Parameter
	consumes, produces                []string
	metadata                          map[string]interface{}
	body                              interface{}
	responses                         []common.StatusCodeResponse
}

func (r *route) Method() string                                   { return r.method }
func (r *route) Path() string                                     { return r.path }
func (r *route) OperationName() string                            { return r.opName }
func (r *route) Parameters() []common.Parameter                   { return r.params }
func (r *route) Description() string                              { return r.description }
func (r *route) Consumes() []string                               { return r.consumes }
func (r *route) Produces() []string                               { return r.produces }
func (r *route) Metadata() map[string]interface{}                 { return r.metadata }
func (r *route) RequestPayloadSample() interface{}                { return r.body }
func (r *route) ResponsePayloadSample() interface{}               { return nil }
func (r *route) StatusCodeResponses() []common.StatusCodeResponse { return r.responses }

type param struct {
	name, description string
	required          bool
	kind              common.ParameterKind
	dataType          string
}

func (p param) Name() string               { return p.name }
func (p param) Description() string        { return p.description }
func (p param) Required() bool             { return p.required }
func (p param) Kind() common.ParameterKind { return p.kind }
func (p param) DataType() string           { return p.dataType }
func (p param) AllowMultiple() bool        { return false }

type response struct {
	code    int
	message string
	model   interface{}
}

func (r response) Code() int          { return r.code }
func (r response) Message() string    { return r.message }
func (r response) Model() interface{} { return r.model }
