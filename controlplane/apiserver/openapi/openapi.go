// Package openapi describes the API server's resources in OpenAPI, the way
// kube-apiserver does, and serves the descriptions at /openapi/v2 and
// /openapi/v3.
//
// # What OpenAPI is, in Kubernetes
//
// OpenAPI (formerly Swagger) is a JSON format for describing an HTTP API: its
// paths, the operations on each path (GET, POST, PATCH, ...), their query
// parameters, and - in a section called "definitions" (OpenAPI v2) or
// "components.schemas" (OpenAPI v3) - a JSON schema for every body that goes
// in or out. Kubernetes generates these documents from the Go types in
// k8s.io/api: a code generator, openapi-gen, reads the structs and their doc
// comments and writes one Go function per type that returns its schema (see
// zz_generated.openapi.go, produced by `go generate` from generate.go). The
// API server then describes each path it serves - "POST
// /apis/apps/v1/namespaces/{namespace}/deployments takes a
// io.k8s.api.apps.v1.Deployment and returns one" - and pulls in, transitively,
// the schemas those operations mention.
//
// Schemas are named by reversing the domain of the Go package path
// ("k8s.io/api/apps/v1".Deployment becomes io.k8s.api.apps.v1.Deployment).
// Every schema that is a top-level Kind carries the
// x-kubernetes-group-version-kind extension saying which group/version/kind
// values it stands for; every operation carries x-kubernetes-action (get,
// list, post, put, patch, delete, deletecollection, ...) and the
// x-kubernetes-group-version-kind it acts on. Fields carry the doc comments of
// the Go fields and, for lists that merge by key, the strategic-merge-patch
// markers x-kubernetes-patch-strategy and x-kubernetes-patch-merge-key
// (PodSpec.containers merges by "name").
//
// # Two versions
//
// /openapi/v2 is one big Swagger 2.0 document for the whole server. Clients
// usually fetch it as protobuf (the gnostic encoding of the same document),
// which is smaller and faster to parse than the JSON.
//
// /openapi/v3 is split by group-version: /openapi/v3 itself is a small index,
//
//	{"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=..."}, ...}}
//
// and each entry names one OpenAPI 3.0 document, e.g. /openapi/v3/apis/apps/v1.
// The hash is a digest of that document, so a client may cache a document
// forever under its hashed URL and only re-read the index to learn whether
// anything changed.
//
// # Why kubectl needs it
//
// kubectl is a generic client: it knows no Deployment struct at run time, so
// it reads the server's OpenAPI to learn about the objects it handles.
//
//   - `kubectl create -f` and `kubectl apply -f` validate manifests. With the
//     default --validate=strict kubectl asks the v3 document of the manifest's
//     group-version whether the PATCH operation for that kind accepts the
//     fieldValidation query parameter. If it does, kubectl sends
//     fieldValidation=Strict and lets the server validate. If the documents
//     cannot be fetched, kubectl gives up with "failed to download openapi".
//   - Client-side `kubectl apply` computes a strategic merge patch between the
//     last-applied, the new and the live object, and needs the patch-strategy
//     and merge-key markers to know that containers are merged by name rather
//     than replaced as a whole.
//   - `kubectl explain deployment.spec` prints the schemas and their field
//     documentation.
//
// # This package
//
// New takes the list of resources the server serves, describes each as
// kube-apiserver's endpoint installer would (paths, operations, parameters;
// see routes.go), and hands those descriptions to kube-openapi's builders,
// which resolve the schemas from GetOpenAPIDefinitions. New builds what the
// server needs to start: the v2 schemas, from which server-side apply's type
// converter is made. Encoding the documents (v2 as JSON and protobuf, a v3
// document per group-version) is three quarters of the work and only a client
// reading /openapi needs it, so it is done once, on the first request or by
// Warm, and Spec.ServeHTTP then only looks the bytes up.
package openapi

import (
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/kube-openapi/pkg/builder"
	"k8s.io/kube-openapi/pkg/builder3"
	"k8s.io/kube-openapi/pkg/common"
	"k8s.io/kube-openapi/pkg/spec3"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// Resource is one served resource of one group-version.
type Resource struct {
	Group, Version string // "" for core
	Resource       string // plural, e.g. "deployments"
	Kind           string // "Deployment"
	Namespaced     bool
	// Verbs is a subset of create, delete, deletecollection, get, list,
	// patch, update, watch.
	Verbs []string
	// Subresources are e.g. "status", "scale", "binding", "log". Those four
	// get paths; others are ignored.
	Subresources []string
}

// Spec holds the OpenAPI documents for a fixed set of resources. It is an
// http.Handler; what it serves never changes after New.
type Spec struct {
	// TypeConverter knows every served kind's structure as the schemas
	// describe it (which lists merge by which key, which maps are atomic):
	// what server-side apply and managedFields need to tell fields apart.
	TypeConverter managedfields.TypeConverter
	// documents encodes the documents on its first call and returns the same
	// ones ever after.
	documents func() (*documents, error)
}

// documents are the encoded response bodies.
type documents struct {
	v2JSON, v2Proto document
	v3Index         document
	v3              map[string]document // "api/v1", "apis/apps/v1", ...
}

// document is one encoded response body and its validator.
type document struct {
	body     []byte
	hash     string // upper-case hex SHA-512 of body, as kube-openapi computes it
	modified time.Time
}

func newDocument(body []byte, now time.Time) document {
	return document{body: body, hash: fmt.Sprintf("%X", sha512.Sum512(body)), modified: now}
}

// New describes the resources and builds the v2 schemas and the type
// converter; the documents are encoded later (Warm, or the first request).
// It fails if a resource's kind (or its List) is not a known k8s.io/api type,
// or if a schema it needs was not generated.
func New(resources []Resource) (*Spec, error) {
	byGV := map[schema.GroupVersion][]Resource{}
	for _, r := range resources {
		gv := schema.GroupVersion{Group: r.Group, Version: r.Version}
		byGV[gv] = append(byGV[gv], r)
	}
	gvs := make([]schema.GroupVersion, 0, len(byGV))
	for gv := range byGV {
		gvs = append(gvs, gv)
	}
	sort.Slice(gvs, func(i, j int) bool { return gvs[i].String() < gvs[j].String() })

	namer := newDefinitionNamer(gvs)
	containers := make([]common.RouteContainer, 0, len(gvs))
	for _, gv := range gvs {
		c, err := routesFor(gv, byGV[gv])
		if err != nil {
			return nil, err
		}
		containers = append(containers, c)
	}

	// OpenAPI v2: one document for everything.
	swagger, err := builder.BuildOpenAPISpecFromRoutes(containers, &common.Config{
		ProtocolList:                   []string{"https"},
		Info:                           &spec.Info{InfoProps: spec.InfoProps{Title: "Kubernetes", Version: "unversioned"}},
		CommonResponses:                map[int]spec.Response{401: {ResponseProps: spec.ResponseProps{Description: "Unauthorized"}}},
		GetDefinitions:                 GetOpenAPIDefinitions,
		GetDefinitionName:              namer.name,
		GetOperationIDAndTagsFromRoute: operationIDAndTags,
		PostProcessSpec:                pushDownQueryParamsV2,
	})
	if err != nil {
		return nil, fmt.Errorf("building OpenAPI v2: %w", err)
	}
	defs := make(map[string]*spec.Schema, len(swagger.Definitions))
	for name, def := range swagger.Definitions {
		defs[name] = &def
	}
	s := &Spec{}
	if s.TypeConverter, err = managedfields.NewTypeConverter(defs, false); err != nil {
		return nil, fmt.Errorf("building the type converter for managed fields: %w", err)
	}
	s.documents = sync.OnceValues(func() (*documents, error) {
		return encode(swagger, gvs, containers, namer)
	})
	return s, nil
}

// Warm encodes the documents now, so that the first client to read them
// need not wait; a server calls it in the background once it has started.
func (s *Spec) Warm() error {
	_, err := s.documents()
	return err
}

// encode encodes the v2 document as JSON and as protobuf, builds and encodes
// one v3 document per group-version, and the v3 index that names them.
func encode(swagger *spec.Swagger, gvs []schema.GroupVersion, containers []common.RouteContainer, namer definitionNamer) (*documents, error) {
	now := time.Now()
	d := &documents{v3: map[string]document{}}
	v2, err := json.Marshal(swagger)
	if err != nil {
		return nil, err
	}
	d.v2JSON = newDocument(v2, now)
	doc, err := openapi_v2.ParseDocument(v2)
	if err != nil {
		return nil, fmt.Errorf("converting OpenAPI v2 to protobuf: %w", err)
	}
	pb, err := proto.Marshal(doc)
	if err != nil {
		return nil, err
	}
	d.v2Proto = newDocument(pb, now)

	// OpenAPI v3: one document per group-version, plus the index.
	type indexEntry struct {
		ServerRelativeURL string `json:"serverRelativeURL"`
	}
	index := struct {
		Paths map[string]indexEntry `json:"paths"`
	}{Paths: map[string]indexEntry{}}
	for i, gv := range gvs {
		openAPI, err := builder3.BuildOpenAPISpecFromRoutes(containers[i:i+1], &common.OpenAPIV3Config{
			Info:                           &spec.Info{InfoProps: spec.InfoProps{Title: "Kubernetes", Version: "unversioned"}},
			CommonResponses:                map[int]*spec3.Response{401: {ResponseProps: spec3.ResponseProps{Description: "Unauthorized"}}},
			GetDefinitions:                 GetOpenAPIDefinitions,
			GetDefinitionName:              namer.name,
			GetOperationIDAndTagsFromRoute: operationIDAndTags,
			PostProcessSpec:                pushDownQueryParamsV3,
		})
		if err != nil {
			return nil, fmt.Errorf("building OpenAPI v3 for %s: %w", gv, err)
		}
		b, err := json.Marshal(openAPI)
		if err != nil {
			return nil, err
		}
		key := v3Key(gv)
		v3 := newDocument(b, now)
		d.v3[key] = v3
		index.Paths[key] = indexEntry{ServerRelativeURL: "/openapi/v3/" + key + "?hash=" + v3.hash}
	}
	ib, err := json.Marshal(index)
	if err != nil {
		return nil, err
	}
	d.v3Index = newDocument(ib, now)
	return d, nil
}

// v3Key is the index key and URL suffix of a group-version's v3 document.
func v3Key(gv schema.GroupVersion) string {
	if gv.Group == "" {
		return "api/" + gv.Version
	}
	return "apis/" + gv.Group + "/" + gv.Version
}

// PushDownQueryParamsV3 is pushDownQueryParamsV3, for documents built
// elsewhere (a CRD's).
func PushDownQueryParamsV3(o *spec3.OpenAPI) (*spec3.OpenAPI, error) { return pushDownQueryParamsV3(o) }

// pushDownQueryParamsV3 moves query parameters that kube-openapi hoisted to
// the path level (because every operation of the path has them) back into the
// operations. kubectl's fieldValidation check only looks at the PATCH
// operation's own parameters.
func pushDownQueryParamsV3(o *spec3.OpenAPI) (*spec3.OpenAPI, error) {
	for _, p := range o.Paths.Paths {
		var keep []*spec3.Parameter
		for _, param := range p.Parameters {
			if param.In != "query" {
				keep = append(keep, param)
				continue
			}
			for _, op := range []*spec3.Operation{p.Get, p.Put, p.Post, p.Delete, p.Patch, p.Head, p.Options} {
				if op != nil {
					op.Parameters = append(op.Parameters, param)
				}
			}
		}
		p.Parameters = keep
	}
	return o, nil
}

// pushDownQueryParamsV2 is pushDownQueryParamsV3 for Swagger 2.0.
func pushDownQueryParamsV2(s *spec.Swagger) (*spec.Swagger, error) {
	for path, p := range s.Paths.Paths {
		keep := []spec.Parameter{}
		for _, param := range p.Parameters {
			if param.In != "query" {
				keep = append(keep, param)
				continue
			}
			for _, op := range []*spec.Operation{p.Get, p.Put, p.Post, p.Delete, p.Patch, p.Head, p.Options} {
				if op != nil {
					op.Parameters = append(op.Parameters, param)
				}
			}
		}
		p.Parameters = keep
		s.Paths.Paths[path] = p
	}
	return s, nil
}

// documentFor returns the v3 document for a path below /openapi/v3/.
func (d *documents) documentFor(key string) (document, bool) {
	v3, ok := d.v3[strings.Trim(key, "/")]
	return v3, ok
}
