package apiserver

// handleResource is the request chain for API resources. Every stage records a
// step in the request's trace, so the learner sees the chain as it runs.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/endpoints/request"

	"github.com/glassplane/glassplane/controlplane/apiserver/authn"
	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// apiRequest is one resource request on its way through the chain.
type apiRequest struct {
	w    http.ResponseWriter
	r    *http.Request
	ctx  context.Context // carries the user and the step cause
	info *request.RequestInfo
	user user.Info
	res  *registry.Resource
	// cr and crv: the custom resource and version served, when res is
	// one (customresources.go).
	cr     *customResource
	crv    *customVersion
	gv     schema.GroupVersion // the version the client speaks
	root   steps.Step          // the request step; later steps hang off it
	dryRun bool                // DeleteOptions.dryRun asked for a dry run
	// applied: a server-side apply has already recorded the fields its
	// manager set, so the write must not record them again as an update.
	applied bool
}

// resourceNotFound is kube-apiserver's answer for a resource it does not
// serve: kubectl then says "the server could not find the requested
// resource", not that an object named "" was not found.
func resourceNotFound() error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: http.StatusNotFound,
		Reason: metav1.StatusReasonNotFound, Message: "the server could not find the requested resource", Details: &metav1.StatusDetails{}}}
}

// gvk is the kind in the client's version.
func (q *apiRequest) gvk() schema.GroupVersionKind { return q.gv.WithKind(q.res.Kind) }

func (s *Server) handleResource(w http.ResponseWriter, r *http.Request, info *request.RequestInfo) {
	q := &apiRequest{w: w, r: r, info: info, gv: schema.GroupVersion{Group: info.APIGroup, Version: info.APIVersion}}
	q.ctx = s.begin(q)
	if s.Store.HasQuorum() { // only then may the store warn about a read
		q.ctx = registry.WithWarnings(q.ctx, warnOnce(w))
	}
	// Authentication comes first, so a stranger can neither spend the
	// sandbox's request budget nor queue requests in the learner's pacer.
	if !s.authenticate(q) {
		return
	}
	if err := s.limits.admitRequest(r, q.user.GetName()); err != nil {
		s.fail(q, err)
		return
	}
	if !s.impersonate(q) || !s.pace(q, steps.Authorize) || !s.authorize(q) {
		return
	}
	res, ok := resolve(q.gv, info.Resource)
	if !ok {
		cr, cv, err := s.customResourceFor(q.ctx, q.gv, info.Resource)
		if err != nil {
			s.fail(q, err)
			return
		}
		if cr == nil {
			s.fail(q, resourceNotFound())
			return
		}
		q.cr, q.crv, res = cr, cv, cv.res
	}
	q.res = res
	if info.Subresource != "" && !res.HasSubresource(info.Subresource) {
		s.fail(q, apierrors.NewNotFound(schema.GroupResource{Group: info.APIGroup, Resource: info.Resource + "/" + info.Subresource}, info.Name))
		return
	}
	obj, code, err := s.dispatch(q)
	if err != nil {
		s.fail(q, err)
		return
	}
	if obj != nil {
		s.respond(q, code, obj)
	}
}

// dispatch runs the verb. It returns the object to answer with, or nil when
// the handler has answered itself (watch).
func (s *Server) dispatch(q *apiRequest) (runtime.Object, int, error) {
	if isReview(q.res) {
		return s.review(q)
	}
	if isMetrics(q.res) {
		return s.resourceMetrics(q)
	}
	switch q.info.Subresource {
	case "status":
		return s.updateStatus(q)
	case "scale":
		return s.scale(q)
	case "binding":
		return s.bind(q)
	case "finalize":
		return s.finalize(q)
	case "log":
		return s.podLog(q)
	case "exec":
		return s.podExec(q)
	case "attach":
		return s.podAttach(q)
	case "portforward":
		return s.podPortForward(q)
	case "token":
		return s.tokenRequest(q)
	case "eviction":
		return s.evict(q)
	case "":
	default:
		return nil, 0, apierrors.NewMethodNotSupported(q.res.GroupResource(), q.info.Verb+" "+q.info.Subresource)
	}
	switch q.info.Verb {
	case "get":
		obj, err := s.get(q)
		return obj, http.StatusOK, err
	case "list":
		obj, err := s.list(q)
		return obj, http.StatusOK, err
	case "watch":
		return nil, 0, s.watch(q)
	case "create":
		if q.info.Name != "" {
			return nil, 0, apierrors.NewMethodNotSupported(q.res.GroupResource(), "create on a named object")
		}
		obj, err := s.create(q)
		return obj, http.StatusCreated, err
	case "update":
		return s.update(q)
	case "patch":
		if isApply(q.r) {
			return s.apply(q, false) // 201 when it creates
		}
		obj, err := s.patch(q)
		return obj, http.StatusOK, err
	case "delete":
		return s.delete(q)
	case "deletecollection":
		obj, err := s.deleteCollection(q)
		return obj, http.StatusOK, err
	}
	return nil, 0, apierrors.NewMethodNotSupported(q.res.GroupResource(), q.info.Verb)
}

// begin records the request step and returns a context whose later steps are
// caused by it. A request carrying a trace header continues that trace.
func (s *Server) begin(q *apiRequest) context.Context {
	cause := steps.Cause{Trace: q.r.Header.Get(steps.TraceHeader)}
	if cause.Trace == "" {
		cause.Trace = steps.NewTrace()
	} else {
		cause.Parent, _ = strconv.ParseUint(q.r.Header.Get(steps.ParentHeader), 10, 64)
	}
	ctx := steps.WithCause(q.r.Context(), cause)
	if q.r.Header.Get(steps.ObserverHeader) != "" && isRead(q.info.Verb) {
		ctx = steps.Quiet(ctx)
	}
	q.root = s.Steps.Record(ctx, steps.Step{
		Component: steps.APIServer,
		Stage:     steps.Request,
		Object:    steps.Object{Namespace: q.info.Namespace, Name: q.info.Name, Kind: q.info.Resource},
		Message:   steps.Msg("apiserver.request", "verb", q.info.Verb, "resource", resourcePath(q.info)),
		Detail: RequestDetail{Method: q.r.Method, Path: q.r.URL.RequestURI(), Verb: q.info.Verb,
			UserAgent: q.r.UserAgent()},
	})
	return steps.WithCause(ctx, steps.Cause{Trace: cause.Trace, Parent: q.root.Seq})
}

// pace holds a write request before stage when the learner asked to go step
// by step. Reads are never held, so kubectl get keeps answering.
func (s *Server) pace(q *apiRequest, stage string) bool {
	if err := s.paceStage(q, stage); err != nil {
		s.fail(q, err)
		return false
	}
	return true
}

func (s *Server) paceStage(q *apiRequest, stage string) error {
	if isRead(q.info.Verb) {
		return nil
	}
	if !registry.Paced(q.info.Resource) {
		return nil
	}
	err := s.Steps.Pace(q.ctx, steps.Step{Component: steps.APIServer, Stage: stage, Object: q.root.Object,
		Message: steps.Msg("apiserver.wait", "stage", stage)})
	if err != nil {
		return apierrors.NewTimeoutError("the request ended while held by the pacer", 0)
	}
	return nil
}

func isRead(verb string) bool {
	return verb == "get" || verb == "list" || verb == "watch"
}

// RequestDetail is the detail of a request step.
type RequestDetail struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Verb      string `json:"verb"`
	UserAgent string `json:"userAgent,omitempty"`
}

// AuthnDetail is the detail of an authenticate step.
type AuthnDetail struct {
	User     string          `json:"user,omitempty"`
	Groups   []string        `json:"groups,omitempty"`
	Attempts []authn.Attempt `json:"attempts"`
}

// authenticate runs the authenticator chain and records who it found; on
// failure it answers 401 Unauthorized.
func (s *Server) authenticate(q *apiRequest) bool {
	u, attempts, err := s.Authenticator.Authenticate(q.r)
	d := AuthnDetail{Attempts: attempts}
	outcome := steps.OK
	if err != nil {
		outcome = steps.Denied
	} else {
		d.User, d.Groups = u.GetName(), u.GetGroups()
		q.user = u
		q.ctx = request.WithUser(q.ctx, u)
	}
	s.Steps.Record(q.ctx, steps.Step{Component: steps.APIServer, Stage: steps.Authenticate, Outcome: outcome,
		Object:  q.root.Object,
		Message: steps.Msg("apiserver.authenticate."+outcome, "user", d.User),
		Detail:  d})
	if err != nil {
		s.fail(q, apierrors.NewUnauthorized("Unauthorized"))
		return false
	}
	return true
}

func resourcePath(info *request.RequestInfo) string {
	p := info.Resource
	if info.APIGroup != "" {
		p += "." + info.APIGroup
	}
	if info.Subresource != "" {
		p += "/" + info.Subresource
	}
	return p
}

// AuthzDetail is the detail of an authorize step: what was asked, and the
// decision with its evidence (the binding, role and rule that allowed it).
type AuthzDetail struct {
	User        string   `json:"user"`
	Groups      []string `json:"groups,omitempty"`
	Verb        string   `json:"verb"`
	APIGroup    string   `json:"apiGroup"`
	Resource    string   `json:"resource"`
	Subresource string   `json:"subresource,omitempty"`
	Namespace   string   `json:"namespace,omitempty"`
	Name        string   `json:"name,omitempty"`
	Decision    Decision `json:"decision"`
}

// authorize asks the authorizer and records its decision; on denial it answers
// 403 Forbidden with Kubernetes' message.
func (s *Server) authorize(q *apiRequest) bool {
	a := Attributes{User: q.user, Verb: q.info.Verb, APIGroup: q.info.APIGroup, Resource: q.info.Resource,
		Subresource: q.info.Subresource, Namespace: q.info.Namespace, Name: q.info.Name,
		ResourceRequest: true, Path: q.info.Path}
	d, err := s.Authorizer.Authorize(q.ctx, a)
	outcome := steps.OK
	if err != nil || !d.Allowed {
		outcome = steps.Denied
	}
	s.Steps.Record(q.ctx, steps.Step{Component: steps.APIServer, Stage: steps.Authorize, Outcome: outcome,
		Object:  q.root.Object,
		Message: steps.Msg("apiserver.authorize."+outcome, "user", q.user.GetName(), "verb", q.info.Verb, "resource", resourcePath(q.info)),
		Detail: AuthzDetail{User: q.user.GetName(), Groups: q.user.GetGroups(), Verb: a.Verb, APIGroup: a.APIGroup,
			Resource: a.Resource, Subresource: a.Subresource, Namespace: a.Namespace, Name: a.Name, Decision: d}})
	if outcome == steps.OK {
		return true
	}
	s.fail(q, forbidden(a, d.Reason))
	return false
}

// forbidden builds the 403 message exactly as Kubernetes words it
// (k8s.io/apiserver/pkg/endpoints/handlers/responsewriters.forbiddenMessage).
func forbidden(a Attributes, reason string) error {
	var msg string
	if !a.ResourceRequest {
		msg = fmt.Sprintf("User %q cannot %s path %q", a.User.GetName(), a.Verb, a.Path)
	} else {
		res := a.Resource
		if a.Subresource != "" {
			res += "/" + a.Subresource
		}
		msg = fmt.Sprintf("User %q cannot %s resource %q in API group %q", a.User.GetName(), a.Verb, res, a.APIGroup)
		if a.Namespace != "" {
			msg += fmt.Sprintf(" in the namespace %q", a.Namespace)
		} else {
			msg += " at the cluster scope"
		}
	}
	if reason != "" {
		msg += ": " + reason
	}
	gr := schema.GroupResource{Group: a.APIGroup, Resource: a.Resource}
	return apierrors.NewForbidden(gr, a.Name, fmt.Errorf("%s", msg))
}

// respond converts the answer to the client's version and format, writes it
// and records the respond step.
func (s *Server) respond(q *apiRequest, code int, obj runtime.Object) {
	out, err := s.present(q, obj)
	if err != nil {
		s.fail(q, err)
		return
	}
	writeObject(q.w, q.r, code, out)
	s.Steps.Record(q.ctx, steps.Step{Component: steps.APIServer, Stage: steps.Respond,
		Object:  objectOf(obj),
		Message: steps.Msg("apiserver.respond", "code", strconv.Itoa(code), "text", http.StatusText(code)),
		Detail:  map[string]int{"code": code}})
}

// fail answers with err as a Status and records an error step.
func (s *Server) fail(q *apiRequest, err error) {
	writeError(q.w, err)
	code, reason := http.StatusInternalServerError, "InternalError"
	if st := apierrors.APIStatus(nil); errors.As(err, &st) {
		code, reason = int(st.Status().Code), string(st.Status().Reason)
	}
	outcome := steps.Failed
	switch code {
	case http.StatusUnauthorized, http.StatusForbidden:
		outcome = steps.Denied
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		outcome = steps.Invalid
	case http.StatusConflict:
		outcome = steps.Conflict
	}
	s.Steps.Record(q.ctx, steps.Step{Component: steps.APIServer, Stage: steps.Respond, Outcome: outcome,
		Object:  q.root.Object,
		Message: steps.Msg("apiserver.error", "code", strconv.Itoa(code), "reason", reason, "error", err.Error()),
		Detail:  map[string]any{"code": code, "reason": reason, "message": err.Error()}})
}

// warnOnce returns a warn for one response that adds each text once
// (a request may read etcd several times).
func warnOnce(w http.ResponseWriter) func(string) {
	seen := map[string]bool{}
	return func(text string) {
		if !seen[text] {
			seen[text] = true
			warn(w, text)
		}
	}
}

// warn adds a Warning header, which kubectl prints as "Warning: …".
func warn(w http.ResponseWriter, text string) {
	text = strings.ReplaceAll(text, `"`, `'`)
	w.Header().Add("Warning", `299 - "`+text+`"`)
}
