package apiserver

// OpenAPI for custom resources. kubectl reads /openapi/v3 to explain a kind
// (`kubectl explain crontab.spec.cronSpec`), to validate a manifest before
// it sends it, and to learn that the server checks fieldValidation itself.
// kube-apiserver's openapiv3 controller builds one document per CRD
// group-version from the CRDs' schemas with apiextensions-apiserver's
// builder (BuildOpenAPIV3, then MergeSpecsV3 for several CRDs of one
// group-version) and adds it to the /openapi/v3 index; this file does the
// same on request, from the CRDs this server serves. The built-in documents
// (openapi.Spec) are built once per process and shared by every sandbox, so
// the index is the shared one with this sandbox's CRD group-versions added.

import (
	"bytes"
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"k8s.io/apiextensions-apiserver/pkg/controller/openapi/builder"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/kube-openapi/pkg/spec3"

	"github.com/glassplane/glassplane/controlplane/apiserver/openapi"
)

// serveCustomOpenAPI answers /openapi/v3 and a CRD group-version's document
// when this server serves CRDs; it reports false for anything else.
func (s *Server) serveCustomOpenAPI(w http.ResponseWriter, r *http.Request) bool {
	p := strings.TrimSuffix(r.URL.Path, "/")
	if p != "/openapi/v3" && !strings.HasPrefix(p, "/openapi/v3/apis/") {
		return false
	}
	crs := s.servedCRDs(r.Context())
	if len(crs) == 0 {
		return false
	}
	docs, err := customOpenAPIDocuments(crs)
	if err != nil {
		writeError(w, err)
		return true
	}
	if p == "/openapi/v3" {
		return s.serveCustomOpenAPIIndex(w, r, docs)
	}
	body, ok := docs[strings.TrimPrefix(p, "/openapi/v3/")]
	if !ok {
		return false
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Etag", strconv.Quote(hashOf(body)))
	w.Header().Add("Vary", "Accept")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	return true
}

// serveCustomOpenAPIIndex serves the built-in index with the CRD
// group-versions added.
func (s *Server) serveCustomOpenAPIIndex(w http.ResponseWriter, r *http.Request, docs map[string][]byte) bool {
	rec := httptest.NewRecorder()
	plain := r.Clone(r.Context())
	plain.Header.Del("If-None-Match") // the client's copy is of the merged index, not this one
	plain.Header.Del("If-Modified-Since")
	s.OpenAPI.ServeHTTP(rec, plain)
	if rec.Code != http.StatusOK {
		return false
	}
	var index struct {
		Paths map[string]map[string]string `json:"paths"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &index); err != nil {
		return false
	}
	for key, body := range docs {
		index.Paths[key] = map[string]string{"serverRelativeURL": "/openapi/v3/" + key + "?hash=" + hashOf(body)}
	}
	body, err := json.Marshal(index)
	if err != nil {
		return false
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Etag", strconv.Quote(hashOf(body)))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	return true
}

// customOpenAPIDocuments builds one v3 document per CRD group-version,
// keyed like the index ("apis/stable.example.com/v1").
func customOpenAPIDocuments(crs []*customResource) (map[string][]byte, error) {
	specs := map[string][]*spec3.OpenAPI{}
	for _, cr := range crs {
		for v := range cr.versions {
			doc, err := cr.openAPIV3(v)
			if err != nil {
				continue // a schema the builder cannot express is left out, as kube does
			}
			key := "apis/" + schema.GroupVersion{Group: cr.crd.Spec.Group, Version: v}.String()
			specs[key] = append(specs[key], doc)
		}
	}
	out := map[string][]byte{}
	for key, list := range specs {
		merged, err := builder.MergeSpecsV3(list...)
		if err != nil {
			return nil, fmt.Errorf("merging the OpenAPI documents of %s: %w", key, err)
		}
		if merged, err = openapi.PushDownQueryParamsV3(merged); err != nil {
			return nil, err
		}
		b, err := json.Marshal(merged)
		if err != nil {
			return nil, err
		}
		out[key] = b
	}
	return out, nil
}

// openAPIV3 builds (once per CRD resourceVersion) version's document.
func (cr *customResource) openAPIV3(version string) (*spec3.OpenAPI, error) {
	cr.openAPIOnce.Do(func() {
		cr.openAPI = map[string]*spec3.OpenAPI{}
		for v := range cr.versions {
			if doc, err := builder.BuildOpenAPIV3(cr.crd, v, builder.Options{V2: false}); err == nil {
				cr.openAPI[v] = doc
			}
		}
	})
	doc, ok := cr.openAPI[version]
	if !ok {
		return nil, fmt.Errorf("no OpenAPI document for %s %s", cr.crd.Name, version)
	}
	return doc, nil
}

func hashOf(body []byte) string { return fmt.Sprintf("%X", sha512.Sum512(body)) }
