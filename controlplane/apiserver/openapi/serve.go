package openapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/munnerz/goautoneg"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Media types of /openapi/v2, as kube-openapi's handler names them. Clients
// ask for the "@" spelling; the server answers with the "." one.
const (
	mimeJSON              = "application/json"
	mimeV2Protobuf        = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
	mimeV2ProtobufRequest = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
)

// ServeHTTP serves GET (and HEAD) /openapi/v2, /openapi/v3,
// /openapi/v3/api/v1 and /openapi/v3/apis/<group>/<version>, and answers
// anything else with a 404 Status.
//
// Like kube-apiserver it sets a quoted ETag (the document's SHA-512) and
// honours If-None-Match. A v3 document asked for with the hash the index
// advertises is marked cacheable for a year ("public, immutable"); any other
// hash is ignored and the current document served without those headers
// (kube redirects instead).
func (s *Spec) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimSuffix(r.URL.Path, "/")
	docs, err := s.documents()
	if err != nil {
		writeStatus(w, http.StatusInternalServerError, metav1.StatusReasonInternalError, "encoding the OpenAPI documents: "+err.Error())
		return
	}
	var d document
	contentType := mimeJSON
	switch {
	case p == "/openapi/v2":
		var ok bool
		if d, contentType, ok = docs.negotiateV2(r.Header.Get("Accept")); !ok {
			writeStatus(w, http.StatusNotAcceptable, metav1.StatusReasonNotAcceptable, "only "+mimeJSON+" and "+mimeV2ProtobufRequest+" are available")
			return
		}
		w.Header().Add("Vary", "Accept")
	case p == "/openapi/v3":
		d = docs.v3Index
	case strings.HasPrefix(p, "/openapi/v3/"):
		var ok bool
		if d, ok = docs.documentFor(strings.TrimPrefix(p, "/openapi/v3/")); !ok {
			writeStatus(w, http.StatusNotFound, metav1.StatusReasonNotFound, "the server could not find the requested resource")
			return
		}
		if hash := r.URL.Query().Get("hash"); hash != "" && hash == d.hash {
			w.Header().Set("Cache-Control", "public, immutable")
			w.Header().Set("Expires", time.Now().AddDate(1, 0, 0).UTC().Format(http.TimeFormat))
		}
		w.Header().Add("Vary", "Accept")
	default:
		writeStatus(w, http.StatusNotFound, metav1.StatusReasonNotFound, "the server could not find the requested resource")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeStatus(w, http.StatusMethodNotAllowed, metav1.StatusReasonMethodNotAllowed, r.Method+" is not supported on "+p)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Etag", strconv.Quote(d.hash))
	http.ServeContent(w, r, "", d.modified, bytes.NewReader(d.body))
}

// negotiateV2 picks /openapi/v2's encoding from an Accept header, best
// quality first; no header means JSON. ok is false if neither JSON nor
// protobuf is acceptable.
func (s *documents) negotiateV2(accept string) (d document, contentType string, ok bool) {
	if accept == "" {
		return s.v2JSON, mimeJSON, true
	}
	for _, c := range goautoneg.ParseAccept(accept) {
		switch {
		case c.Type == "application" && (c.SubType == "com.github.proto-openapi.spec.v2@v1.0+protobuf" || c.SubType == "com.github.proto-openapi.spec.v2.v1.0+protobuf"):
			return s.v2Proto, mimeV2Protobuf, true
		case (c.Type == "application" || c.Type == "*") && (c.SubType == "json" || c.SubType == "*"):
			return s.v2JSON, mimeJSON, true
		}
	}
	return document{}, "", false
}

// writeStatus answers with a metav1.Status, the body every Kubernetes API
// error has.
func writeStatus(w http.ResponseWriter, code int, reason metav1.StatusReason, message string) {
	body, _ := json.Marshal(&metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure,
		Message:  message,
		Reason:   reason,
		Details:  &metav1.StatusDetails{},
		Code:     int32(code),
	})
	w.Header().Set("Content-Type", mimeJSON)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}
