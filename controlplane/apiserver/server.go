// Package apiserver is the Kubernetes API server: the only component that
// talks to etcd, and the one every other component (and kubectl) talks to.
//
// Each request passes the same chain, as in kube-apiserver, and each stage is
// a step the learner can watch:
//
//	request → authenticate → authorize → decode & convert → admit (mutate)
//	        → validate → store in etcd → respond
//
// The chain is written out in ServeHTTP and handleResource; each stage lives
// in its own file. Errors at any stage end the request with a metav1.Status.
package apiserver

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/websocket"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/endpoints/request"

	"github.com/glassplane/glassplane/controlplane/apiserver/admission"
	"github.com/glassplane/glassplane/controlplane/apiserver/authn"
	"github.com/glassplane/glassplane/controlplane/apiserver/authz"
	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/metrics"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Config is what an API server needs.
type Config struct {
	Store         *registry.Store
	Steps         *steps.Recorder
	Authenticator authn.Chain
	// Authorizer decides whether a user may do what a request asks
	// (authz.RBAC in a cluster; allow-all when nil).
	Authorizer Authorizer
	// ServiceAccountTokens issues the tokens of serviceaccounts/token (may
	// be nil: TokenRequest then answers 503).
	ServiceAccountTokens *authn.ServiceAccountTokens
	// Admission is the admission plugin chain (admission.Default() when nil).
	Admission []admission.Plugin
	// AdmissionCaches are the watched namespaces and quotas the plugins
	// read (admission.NewCaches; without them the plugins read etcd).
	AdmissionCaches admission.Caches
	// Validate validates kinds beyond their metadata (may be nil).
	Validate ValidateFunc
	// OpenAPI serves /openapi/v2 and /openapi/v3 (may be nil).
	OpenAPI http.Handler
	// PodLogs serves pods/log: in Kubernetes the API server asks the
	// pod's kubelet; here the simulated kubelets answer in process.
	PodLogs PodLogs
	// PodExec serves pods/exec, through the same simulated kubelets.
	PodExec PodExec
	// Usage serves metrics.k8s.io, from the same simulated kubelets (may
	// be nil: the metrics API then answers 503).
	Usage ResourceUsage
	// PodAttach serves pods/attach, through the same simulated kubelets.
	PodAttach PodAttach
	// PodPortForward serves pods/portforward, through the same simulated
	// kubelets.
	PodPortForward PodPortForward
	// Limits bound objects, request rate and size (zero: none).
	Limits Limits
	// Ready reports whether the server should answer /readyz with ok.
	Ready func() error
	// ReadyChecks are /readyz's named checks beyond ping and etcd
	// (health.go).
	ReadyChecks []HealthCheck
	// TypeConverter knows the served kinds' structure; with it the server
	// keeps managedFields and serves server-side apply (fields.go).
	TypeConverter managedfields.TypeConverter
}

// Server is one API server. It is an http.Handler.
type Server struct {
	Config
	infos  request.RequestInfoFactory
	limits *limiter
	fields fieldManagers
	// customResources is this server's dynamic layer of served CRDs.
	customResources customResources
}

// New returns an API server over the store in cfg.
func New(cfg Config) *Server {
	if cfg.Authorizer == nil {
		cfg.Authorizer = AllowAuthenticated{}
	}
	if cfg.Admission == nil {
		cfg.Admission = admission.Default()
	}
	return &Server{Config: cfg, limits: newLimiter(cfg.Limits), fields: fieldManagers{types: cfg.TypeConverter},
		infos: request.RequestInfoFactory{
			APIPrefixes:          sets.NewString("api", "apis"),
			GrouplessAPIPrefixes: sets.NewString("api"),
		}}
}

// ServeHTTP routes a request: unauthenticated health and version endpoints
// first, then the authenticated API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case p == "/healthz" || p == "/livez" || strings.HasPrefix(p, "/healthz/") || strings.HasPrefix(p, "/livez/"):
		s.serveHealth(w, r, false)
		return
	case p == "/readyz" || strings.HasPrefix(p, "/readyz/"):
		s.serveHealth(w, r, true)
		return
	case p == "/version" || p == "/version/":
		serveVersion(w, r)
		return
	}
	info, err := s.infos.NewRequestInfo(r)
	if err != nil {
		writeError(w, apierrors.NewBadRequest(err.Error()))
		return
	}
	if info.IsResourceRequest {
		if streamingSubresources[info.Subresource] && info.Verb == "get" && websocket.IsWebSocketUpgrade(r) {
			info.Verb = "create" // as kube-apiserver authorizes a WebSocket exec, attach or port-forward since 1.31
		}
		instrumented(w, r, info, func(w http.ResponseWriter) { s.handleResource(w, r, info) })
		return
	}
	// Discovery and OpenAPI are authorized too (RBAC's nonResourceURLs), but
	// are not worth a step each.
	r, err = s.authorizeNonResource(r, info)
	if err != nil {
		writeError(w, err)
		return
	}
	s.serveNonResource(w, r, info)
}

// authorizeNonResource authenticates, impersonates and authorizes a request
// for a path such as /apis or /openapi/v3, and returns it with the user in
// its context.
func (s *Server) authorizeNonResource(r *http.Request, info *request.RequestInfo) (*http.Request, error) {
	u, _, err := s.Authenticator.Authenticate(r)
	if err != nil {
		return nil, apierrors.NewUnauthorized("Unauthorized")
	}
	u, _, err = s.actAs(r.Context(), r, u)
	if err != nil {
		return nil, err
	}
	a := Attributes{User: u, Verb: info.Verb, Path: info.Path}
	d, err := s.Authorizer.Authorize(r.Context(), a)
	if err != nil || !d.Allowed {
		return nil, forbidden(a, d.Reason)
	}
	return r.WithContext(request.WithUser(r.Context(), u)), nil
}

func (s *Server) serveNonResource(w http.ResponseWriter, r *http.Request, info *request.RequestInfo) {
	p := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case strings.HasPrefix(p, "/openapi/") && s.OpenAPI != nil:
		if !s.serveCustomOpenAPI(w, r) {
			s.OpenAPI.ServeHTTP(w, r)
		}
	case p == "/metrics":
		metrics.Handler().ServeHTTP(w, r)
	case p == "/api" || p == "/apis" || strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/apis/"):
		s.serveDiscovery(w, r)
	default:
		writeError(w, apierrors.NewNotFound(schema.GroupResource{}, ""))
	}
}

// parseInt64 reads an integer query parameter; absent means 0.
func parseInt64(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, apierrors.NewBadRequest(fmt.Sprintf("%s must be an integer, not %q", name, v))
	}
	return n, nil
}

// The authorizer's types live in package authz; these names keep the API
// server's code reading in Kubernetes words.
type (
	Authorizer = authz.Authorizer
	Attributes = authz.Attributes
	Decision   = authz.Decision
	// AllowAuthenticated allows every authenticated user everything.
	AllowAuthenticated = authz.AllowAuthenticated
)
