package apiserver

// Impersonation lets one user act as another: `kubectl --as bob` sends the
// header Impersonate-User: bob (and --as-group, --as-uid send
// Impersonate-Group and Impersonate-Uid). Administrators use it to see the
// cluster through someone else's eyes ("what would bob see?").
//
// It sits between authentication and authorization, as in kube-apiserver.
// The authenticated user — the requestor — must be allowed the verb
// "impersonate" on each thing it claims to be: resource "users" named bob,
// "groups" named for each group, "serviceaccounts" in a namespace for a
// system:serviceaccount:<ns>:<name> user, "uids" (API group
// authentication.k8s.io) for the uid. The first one refused ends the request
// with 403. Then the request goes on as the impersonated user: with the
// groups asked for (or a ServiceAccount's own groups), plus
// system:authenticated. The requestor's own groups are not kept.

import (
	"context"
	"fmt"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apiserver/pkg/authentication/serviceaccount"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/endpoints/request"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// The impersonation headers.
const (
	ImpersonateUser  = "Impersonate-User"
	ImpersonateGroup = "Impersonate-Group"
	ImpersonateUID   = "Impersonate-Uid"
)

// ImpersonationDetail is the detail of an impersonate step: who asked, whom
// they act as, and the decision for each thing impersonated.
type ImpersonationDetail struct {
	Requestor string               `json:"requestor"`
	User      string               `json:"user,omitempty"`
	Groups    []string             `json:"groups,omitempty"`
	UID       string               `json:"uid,omitempty"`
	Checks    []ImpersonationCheck `json:"checks"`
}

// ImpersonationCheck is one "may the requestor impersonate this?" question.
type ImpersonationCheck struct {
	Resource  string   `json:"resource"`
	Namespace string   `json:"namespace,omitempty"`
	Name      string   `json:"name"`
	Decision  Decision `json:"decision"`
}

// impersonate applies a resource request's Impersonate-* headers and records
// the step; on refusal it answers 403.
func (s *Server) impersonate(q *apiRequest) bool {
	if q.r.Header.Get(ImpersonateUser) == "" && len(q.r.Header.Values(ImpersonateGroup)) == 0 && q.r.Header.Get(ImpersonateUID) == "" {
		return true
	}
	u, d, err := s.actAs(q.ctx, q.r, q.user)
	outcome := steps.OK
	if err != nil {
		outcome = steps.Denied
	} else {
		q.user = u
		q.ctx = request.WithUser(q.ctx, u)
	}
	s.Steps.Record(q.ctx, steps.Step{Component: steps.APIServer, Stage: steps.Authenticate, Outcome: outcome,
		Object:  q.root.Object,
		Message: steps.Msg("apiserver.impersonate."+outcome, "requestor", d.Requestor, "user", d.User),
		Detail:  d})
	if err != nil {
		s.fail(q, err)
		return false
	}
	return true
}

// actAs returns the user a request acts as: the requestor itself without
// impersonation headers, else the impersonated user, if the requestor may.
func (s *Server) actAs(ctx context.Context, r *http.Request, requestor user.Info) (user.Info, ImpersonationDetail, error) {
	name, groups, uid := r.Header.Get(ImpersonateUser), r.Header.Values(ImpersonateGroup), r.Header.Get(ImpersonateUID)
	d := ImpersonationDetail{Requestor: requestor.GetName()}
	if name == "" && len(groups) == 0 && uid == "" {
		return requestor, d, nil
	}
	if name == "" {
		return nil, d, apierrors.NewBadRequest(fmt.Sprintf("requested %s or %s without impersonating a user", ImpersonateGroup, ImpersonateUID))
	}
	checks := []Attributes{userCheck(name)}
	for _, g := range groups {
		checks = append(checks, Attributes{Resource: "groups", Name: g})
	}
	if uid != "" {
		checks = append(checks, Attributes{APIGroup: "authentication.k8s.io", Resource: "uids", Name: uid})
	}
	for _, a := range checks {
		a.User, a.Verb, a.ResourceRequest = requestor, "impersonate", true
		dec, err := s.Authorizer.Authorize(ctx, a)
		d.Checks = append(d.Checks, ImpersonationCheck{Resource: a.Resource, Namespace: a.Namespace, Name: a.Name, Decision: dec})
		if err != nil || !dec.Allowed {
			return nil, d, forbidden(a, dec.Reason)
		}
	}
	if ns, _, err := serviceaccount.SplitUsername(name); err == nil && len(groups) == 0 {
		groups = serviceaccount.MakeGroupNames(ns)
	}
	if !contains(groups, user.AllAuthenticated) && !contains(groups, user.AllUnauthenticated) {
		groups = append(append([]string(nil), groups...), user.AllAuthenticated)
	}
	d.User, d.Groups, d.UID = name, groups, uid
	return &user.DefaultInfo{Name: name, Groups: groups, UID: uid}, d, nil
}

// userCheck is the impersonate check for a user name: a ServiceAccount's
// user name is checked as that ServiceAccount, any other as a user.
func userCheck(name string) Attributes {
	if ns, sa, err := serviceaccount.SplitUsername(name); err == nil {
		return Attributes{Resource: "serviceaccounts", Namespace: ns, Name: sa}
	}
	return Attributes{Resource: "users", Name: name}
}
