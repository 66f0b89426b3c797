package apiserver

// Every resource request is counted in apiserver_request_total and timed in
// apiserver_request_duration_seconds, labelled as kube-apiserver labels them:
// the verb as its installer names it (POST, GET, LIST, WATCH, PUT, PATCH,
// APPLY, DELETE, DELETECOLLECTION, CONNECT), group, version, resource,
// subresource, scope (resource, namespace, cluster), component and the HTTP
// code written. /metrics itself is a nonResourceURL: cluster-admin and the
// system:monitoring role may get it, as in kube's bootstrap policy. At
// debug level each request is also a log line.

import (
	"bufio"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	endpointsmetrics "k8s.io/apiserver/pkg/endpoints/metrics"
	"k8s.io/apiserver/pkg/endpoints/request"

	"github.com/glassplane/glassplane/controlplane/metrics"
)

// installerVerbs maps a request's RBAC verb to the verb kube-apiserver's
// installer reports it under.
var installerVerbs = map[string]string{"create": "POST", "get": "GET", "list": "LIST", "watch": "WATCH",
	"update": "PUT", "patch": "PATCH", "delete": "DELETE", "deletecollection": "DELETECOLLECTION"}

// instrumented serves a resource request through serve and records it.
func instrumented(w http.ResponseWriter, r *http.Request, info *request.RequestInfo, serve func(http.ResponseWriter)) {
	start := time.Now()
	cw := &codeWriter{ResponseWriter: w}
	serve(cw)
	verb, ok := installerVerbs[info.Verb]
	if !ok {
		verb = strings.ToUpper(info.Verb)
	}
	// One line per request at debug level, as kube-apiserver's httplog
	// writes at -v=3: the path without its query and never a header, so no
	// token or password reaches the log.
	slog.Debug("HTTP", "verb", verb, "path", r.URL.Path, "code", cw.code, "latency", time.Since(start),
		"userAgent", r.UserAgent())
	dryRun := ""
	if d := r.URL.Query()["dryRun"]; len(d) > 0 {
		dryRun = strings.Join(d, ",")
	}
	metrics.RequestServed(metrics.Request{Verb: endpointsmetrics.CleanVerb(verb, r, info), DryRun: dryRun,
		Group: info.APIGroup, Version: info.APIVersion, Resource: info.Resource, Subresource: info.Subresource,
		Scope: endpointsmetrics.CleanScope(info), Code: cw.code}, time.Since(start))
}

// codeWriter remembers the status code written. It passes Flush (watches,
// log follows) and Hijack (exec's WebSocket) through.
type codeWriter struct {
	http.ResponseWriter
	code int
}

func (c *codeWriter) WriteHeader(code int) {
	if c.code == 0 {
		c.code = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *codeWriter) Write(b []byte) (int, error) {
	if c.code == 0 {
		c.code = http.StatusOK
	}
	return c.ResponseWriter.Write(b)
}

func (c *codeWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (c *codeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if c.code == 0 {
		c.code = http.StatusSwitchingProtocols
	}
	return http.NewResponseController(c.ResponseWriter).Hijack()
}

func (c *codeWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
