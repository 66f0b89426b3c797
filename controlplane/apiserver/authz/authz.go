// Package authz answers the API server's second question about a request: may
// this user do this?
//
// Authentication said who is asking; authorization looks only at the request's
// attributes — user and groups, verb, API group, resource and subresource,
// namespace and name, or the URL path of a non-resource request such as
// /apis — and says allow or deny. It never looks at the request body: that is
// admission's job, later in the chain.
//
// Kubernetes asks a chain of authorizers (Node, RBAC, webhooks) and stops at
// the first that allows. Glassplane has one, RBAC (rbac.go), in front of which
// the group system:masters is always allowed, as kube-apiserver's privileged
// group authorizer does.
//
// Interface rules: Authorize never fails because a user is not allowed — a
// denial is a Decision, not an error. The Decision carries its evidence (the
// binding, role and rule that allowed it), so the learner can see why.
package authz

import (
	"context"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apiserver/pkg/authentication/user"
)

// Authorizer decides whether a request may proceed.
type Authorizer interface {
	Authorize(ctx context.Context, a Attributes) (Decision, error)
}

// Attributes are what Kubernetes authorizes on.
type Attributes struct {
	User        user.Info
	Verb        string // get, list, watch, create, update, patch, delete, deletecollection, impersonate …
	APIGroup    string
	Resource    string
	Subresource string
	Namespace   string
	Name        string
	// ResourceRequest is false for non-resource requests (/api, /openapi/v2 …),
	// which are authorized on Path alone.
	ResourceRequest bool
	Path            string
}

// Decision is an authorizer's answer with its evidence.
type Decision struct {
	Allowed bool `json:"allowed"`
	// Reason is Kubernetes' reason text. On allow it names the binding
	// ("RBAC: allowed by RoleBinding ..."); on denial it is empty unless a
	// binding could not be evaluated, and it ends the 403 message.
	Reason string `json:"reason,omitempty"`
	// Evidence says in a few words why: which binding, role and rule
	// allowed, or "no RBAC policy matched".
	Evidence string             `json:"evidence"`
	Binding  *Ref               `json:"binding,omitempty"`
	Role     *Ref               `json:"role,omitempty"`
	Rule     *rbacv1.PolicyRule `json:"rule,omitempty"`
}

// Ref names an RBAC object.
type Ref struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// AllowAuthenticated allows every authenticated user everything. It is the
// authorizer of an API server built without RBAC (unit tests).
type AllowAuthenticated struct{}

func (AllowAuthenticated) Authorize(context.Context, Attributes) (Decision, error) {
	return Decision{Allowed: true, Evidence: "every authenticated user is allowed"}, nil
}
