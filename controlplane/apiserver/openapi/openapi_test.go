package openapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/resource"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/openapi3"
	"k8s.io/client-go/rest"
	"k8s.io/kube-openapi/pkg/spec3"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

var allVerbs = []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}

func testServer(t *testing.T) (*httptest.Server, *discovery.DiscoveryClient) {
	t.Helper()
	s, err := New([]Resource{
		{Version: "v1", Resource: "pods", Kind: "Pod", Namespaced: true, Verbs: allVerbs, Subresources: []string{"status", "binding", "log"}},
		{Group: "apps", Version: "v1", Resource: "deployments", Kind: "Deployment", Namespaced: true, Verbs: allVerbs, Subresources: []string{"status", "scale"}},
		{Group: "apps", Version: "v1beta2", Resource: "deployments", Kind: "Deployment", Namespaced: true, Verbs: allVerbs, Subresources: []string{"status", "scale"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	dc, err := discovery.NewDiscoveryClientForConfig(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return srv, dc
}

func TestV3FieldValidationAndSchemas(t *testing.T) {
	_, dc := testServer(t)
	oapi := dc.OpenAPIV3()

	paths, err := oapi.Paths()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"api/v1", "apis/apps/v1", "apis/apps/v1beta2"} {
		if _, ok := paths[want]; !ok {
			t.Errorf("v3 index lacks %q; has %v", want, paths)
		}
	}

	// What kubectl create/apply -f does with default flags.
	verifier := resource.NewQueryParamVerifierV3(nil, oapi, resource.QueryParamFieldValidation)
	for _, gvk := range []schema.GroupVersionKind{
		{Group: "apps", Version: "v1beta2", Kind: "Deployment"},
		{Group: "apps", Version: "v1", Kind: "Deployment"},
		{Version: "v1", Kind: "Pod"},
	} {
		if err := verifier.HasSupport(gvk); err != nil {
			t.Errorf("fieldValidation for %v: %v", gvk, err)
		}
	}

	// What kubectl explain and client-side apply read.
	root := openapi3.NewRoot(oapi)
	doc, err := root.GVSpec(schema.GroupVersion{Group: "apps", Version: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	deployment := doc.Components.Schemas["io.k8s.api.apps.v1.Deployment"]
	if deployment == nil {
		t.Fatal("no io.k8s.api.apps.v1.Deployment schema")
	}
	var gvks []map[string]string
	if err := deployment.Extensions.GetObject("x-kubernetes-group-version-kind", &gvks); err != nil || len(gvks) != 1 || gvks[0]["kind"] != "Deployment" || gvks[0]["group"] != "apps" || gvks[0]["version"] != "v1" {
		t.Errorf("Deployment x-kubernetes-group-version-kind = %v (%v)", gvks, err)
	}
	containers := field(t, doc, deployment, "spec", "template", "spec", "containers")
	if got, _ := containers.Extensions.GetString("x-kubernetes-patch-merge-key"); got != "name" {
		t.Errorf("containers x-kubernetes-patch-merge-key = %q, want name", got)
	}
	if got, _ := containers.Extensions.GetString("x-kubernetes-patch-strategy"); !strings.Contains(got, "merge") {
		t.Errorf("containers x-kubernetes-patch-strategy = %q, want merge", got)
	}

	// Operations as kube names them.
	patch := doc.Paths.Paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].Patch
	if patch == nil || patch.OperationId != "patchAppsV1NamespacedDeployment" {
		t.Errorf("deployment PATCH operation = %+v", patch)
	} else if action, _ := patch.Extensions.GetString("x-kubernetes-action"); action != "patch" {
		t.Errorf("x-kubernetes-action = %q", action)
	}
	if doc.Paths.Paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"] == nil {
		t.Error("no scale subresource path")
	}
	if _, ok := doc.Components.Schemas["io.k8s.api.autoscaling.v1.Scale"]; !ok {
		t.Error("apps/v1 document lacks io.k8s.api.autoscaling.v1.Scale")
	}
}

// field follows properties (through $ref and allOf) from a schema.
func field(t *testing.T, doc *spec3.OpenAPI, s *spec.Schema, path ...string) *spec.Schema {
	t.Helper()
	resolve := func(s *spec.Schema) *spec.Schema {
		for {
			if len(s.AllOf) == 1 {
				s = &s.AllOf[0]
			}
			ref := s.Ref.String()
			if ref == "" {
				return s
			}
			next := doc.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")]
			if next == nil {
				t.Fatalf("dangling $ref %s", ref)
			}
			s = next
		}
	}
	for i, p := range path {
		prop, ok := resolve(s).Properties[p]
		if !ok {
			t.Fatalf("no property %s", strings.Join(path[:i+1], "."))
		}
		if i == len(path)-1 {
			return &prop // keep extensions that sit next to the ref
		}
		s = &prop
	}
	return s
}

func TestV2Protobuf(t *testing.T) {
	srv, dc := testServer(t)
	doc, err := dc.OpenAPISchema() // asks for protobuf, parses it with gnostic
	if err != nil {
		t.Fatal(err)
	}
	if doc.Swagger != "2.0" {
		t.Errorf("swagger = %q", doc.Swagger)
	}
	found := false
	for _, d := range doc.Definitions.AdditionalProperties {
		if d.Name == "io.k8s.api.apps.v1beta2.Deployment" {
			found = true
		}
	}
	if !found {
		t.Error("v2 protobuf lacks io.k8s.api.apps.v1beta2.Deployment")
	}

	resp, err := http.Get(srv.URL + "/openapi/v2")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v2 struct {
		Swagger string                     `json:"swagger"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v2); err != nil || v2.Swagger != "2.0" {
		t.Fatalf("v2 JSON: %v, swagger %q", err, v2.Swagger)
	}
	if _, ok := v2.Paths["/api/v1/namespaces/{namespace}/pods/{name}/status"]; !ok {
		t.Error("v2 JSON lacks the pod status path")
	}
}

func TestServing(t *testing.T) {
	srv, _ := testServer(t)
	get := func(path string, header ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}

	var index struct {
		Paths map[string]struct {
			ServerRelativeURL string `json:"serverRelativeURL"`
		} `json:"paths"`
	}
	resp, err := http.Get(srv.URL + "/openapi/v3")
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(resp.Body).Decode(&index)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	url := index.Paths["apis/apps/v1"].ServerRelativeURL
	if !strings.HasPrefix(url, "/openapi/v3/apis/apps/v1?hash=") {
		t.Fatalf("serverRelativeURL = %q", url)
	}

	r := get(url)
	if r.StatusCode != 200 || r.Header.Get("Cache-Control") != "public, immutable" || r.Header.Get("Etag") == "" {
		t.Errorf("hashed GET: %d %v", r.StatusCode, r.Header)
	}
	if r := get(url, "If-None-Match", r.Header.Get("Etag")); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", r.StatusCode)
	}
	if r := get("/openapi/v3/apis/apps/v1?hash=stale"); r.StatusCode != 200 || r.Header.Get("Cache-Control") != "" {
		t.Errorf("stale hash: %d %v", r.StatusCode, r.Header)
	}
	if r := get("/openapi/v3/apis/batch/v1"); r.StatusCode != 404 || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("unknown group-version: %d", r.StatusCode)
	}
	if r := get("/openapi/v4"); r.StatusCode != 404 {
		t.Errorf("/openapi/v4: %d", r.StatusCode)
	}
	if r := get("/openapi/v2", "Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"); r.Header.Get("Content-Type") != mimeV2Protobuf {
		t.Errorf("v2 protobuf Content-Type = %q", r.Header.Get("Content-Type"))
	}
	if r := get("/openapi/v2", "Accept", "text/html"); r.StatusCode != http.StatusNotAcceptable {
		t.Errorf("v2 text/html: %d", r.StatusCode)
	}
}

func TestUnknownKind(t *testing.T) {
	if _, err := New([]Resource{{Group: "example.com", Version: "v1", Resource: "widgets", Kind: "Widget", Verbs: []string{"get"}}}); err == nil {
		t.Error("New accepted a kind without a Go type")
	}
}

// The documents are encoded once, by whichever comes first of Warm and the
// first requests, and every reader gets the same bytes.
func TestDocumentsAreEncodedOnceWhoeverAsksFirst(t *testing.T) {
	s, err := New([]Resource{{Version: "v1", Resource: "pods", Kind: "Pod", Namespaced: true, Verbs: allVerbs}})
	if err != nil {
		t.Fatal(err)
	}
	etags := make(chan string, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi/v3", nil))
			if rec.Code != http.StatusOK {
				t.Errorf("GET /openapi/v3: %d %s", rec.Code, rec.Body)
			}
			etags <- rec.Header().Get("Etag")
		}()
	}
	if err := s.Warm(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(etags)
	first := <-etags
	for e := range etags {
		if e != first || e == "" {
			t.Errorf("readers got different v3 indexes: %q and %q", first, e)
		}
	}
}
