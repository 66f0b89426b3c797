package authz

// RBAC — role-based access control — is how Kubernetes decides almost every
// request. Permissions live in roles; bindings give roles to subjects:
//
//	Role         rules that apply in its own namespace
//	ClusterRole  rules that apply in every namespace, to cluster-scoped
//	             resources (nodes, namespaces) and to non-resource URLs
//	RoleBinding         gives a Role or a ClusterRole to subjects, in the
//	                    binding's namespace only
//	ClusterRoleBinding  gives a ClusterRole to subjects everywhere
//
// A subject is a User, a Group, or a ServiceAccount (the user
// system:serviceaccount:<namespace>:<name>). RBAC never denies: it visits the
// ClusterRoleBindings, then the RoleBindings of the request's namespace, and
// allows as soon as a rule of a role bound to the user matches. When nothing
// matches, the answer is "no opinion", which ends the chain as a denial.
//
// The authorizer never reads etcd while deciding: it asks a Policy, an
// immutable snapshot of the four kinds kept current by a watch (cache.go).

import (
	"context"
	"fmt"
	"sort"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apiserver/pkg/authentication/serviceaccount"
	"k8s.io/apiserver/pkg/authentication/user"
)

// RBAC is the RBAC authorizer, with the system:masters bypass in front.
type RBAC struct {
	policy func() *Policy
}

// NewStaticRBAC returns an authorizer over a fixed policy (tests).
func NewStaticRBAC(p *Policy) *RBAC {
	return &RBAC{policy: func() *Policy { return p }}
}

// Authorize allows members of system:masters, and otherwise asks the policy.
func (r *RBAC) Authorize(_ context.Context, a Attributes) (Decision, error) {
	if a.User != nil && contains(a.User.GetGroups(), user.SystemPrivilegedGroup) {
		return Decision{Allowed: true, Evidence: "members of the group system:masters may do anything; RBAC is not asked"}, nil
	}
	return r.policy().Authorize(a), nil
}

// Policy is a snapshot of every Role, ClusterRole, RoleBinding and
// ClusterRoleBinding. It is never changed once built.
type Policy struct {
	clusterRoles        map[string]*rbacv1.ClusterRole
	roles               map[string]*rbacv1.Role // "namespace/name"
	clusterRoleBindings []*rbacv1.ClusterRoleBinding
	roleBindings        map[string][]*rbacv1.RoleBinding // by namespace
}

// NewPolicy builds a snapshot from RBAC objects (other objects are ignored).
// Bindings are visited in name order, so the evidence is stable.
func NewPolicy(objs ...any) *Policy {
	p := &Policy{clusterRoles: map[string]*rbacv1.ClusterRole{}, roles: map[string]*rbacv1.Role{},
		roleBindings: map[string][]*rbacv1.RoleBinding{}}
	for _, o := range objs {
		switch o := o.(type) {
		case *rbacv1.ClusterRole:
			p.clusterRoles[o.Name] = o
		case *rbacv1.Role:
			p.roles[o.Namespace+"/"+o.Name] = o
		case *rbacv1.ClusterRoleBinding:
			p.clusterRoleBindings = append(p.clusterRoleBindings, o)
		case *rbacv1.RoleBinding:
			p.roleBindings[o.Namespace] = append(p.roleBindings[o.Namespace], o)
		}
	}
	sort.Slice(p.clusterRoleBindings, func(i, j int) bool { return p.clusterRoleBindings[i].Name < p.clusterRoleBindings[j].Name })
	for _, rbs := range p.roleBindings {
		sort.Slice(rbs, func(i, j int) bool { return rbs[i].Name < rbs[j].Name })
	}
	return p
}

// Authorize visits the ClusterRoleBindings, then the RoleBindings of the
// request's namespace, and allows at the first rule that matches.
func (p *Policy) Authorize(a Attributes) Decision {
	var errs []error
	for _, b := range p.clusterRoleBindings {
		if d, ok := p.visit(a, "ClusterRoleBinding", "", b.Name, b.RoleRef, b.Subjects, &errs); ok {
			return d
		}
	}
	if a.Namespace != "" {
		for _, b := range p.roleBindings[a.Namespace] {
			if d, ok := p.visit(a, "RoleBinding", b.Namespace, b.Name, b.RoleRef, b.Subjects, &errs); ok {
				return d
			}
		}
	}
	d := Decision{Evidence: "no RBAC policy matched"}
	if len(errs) > 0 {
		d.Reason = fmt.Sprintf("RBAC: %v", utilerrors.NewAggregate(errs))
	}
	return d
}

// visit checks one binding: does it apply to the user, and does a rule of its
// role allow the request?
func (p *Policy) visit(a Attributes, kind, namespace, name string, ref rbacv1.RoleRef, subjects []rbacv1.Subject, errs *[]error) (Decision, bool) {
	subject, ok := appliesTo(a.User, subjects, namespace)
	if !ok {
		return Decision{}, false
	}
	rules, err := p.rulesOf(ref, namespace)
	if err != nil {
		*errs = append(*errs, err)
		return Decision{}, false
	}
	for i := range rules {
		if !ruleAllows(a, &rules[i]) {
			continue
		}
		binding := &Ref{Kind: kind, Namespace: namespace, Name: name}
		role := &Ref{Kind: ref.Kind, Name: ref.Name}
		if ref.Kind == "Role" {
			role.Namespace = namespace
		}
		source := fmt.Sprintf("ClusterRoleBinding %q of %s %q to %s", name, ref.Kind, ref.Name, describeSubject(subject, ""))
		if kind == "RoleBinding" {
			source = fmt.Sprintf("RoleBinding %q of %s %q to %s", name+"/"+namespace, ref.Kind, ref.Name, describeSubject(subject, namespace))
		}
		rule := rules[i]
		return Decision{Allowed: true, Reason: "RBAC: allowed by " + source, Evidence: "allowed by " + source,
			Binding: binding, Role: role, Rule: &rule}, true
	}
	return Decision{}, false
}

// rulesOf returns the rules of the role a binding refers to.
func (p *Policy) rulesOf(ref rbacv1.RoleRef, namespace string) ([]rbacv1.PolicyRule, error) {
	switch ref.Kind {
	case "ClusterRole":
		if r, ok := p.clusterRoles[ref.Name]; ok {
			return r.Rules, nil
		}
		return nil, notFound("clusterrole", ref.Name)
	case "Role":
		if r, ok := p.roles[namespace+"/"+ref.Name]; ok {
			return r.Rules, nil
		}
		return nil, notFound("role", ref.Name)
	}
	return nil, fmt.Errorf("unsupported role reference kind: %q", ref.Kind)
}

// notFound is the error Kubernetes' RBAC listers give for a missing role.
func notFound(resource, name string) error {
	return apierrors.NewNotFound(schema.GroupResource{Group: rbacv1.GroupName, Resource: resource}, name)
}

// appliesTo returns the first subject of a binding that is the user.
func appliesTo(u user.Info, subjects []rbacv1.Subject, bindingNamespace string) (*rbacv1.Subject, bool) {
	if u == nil {
		return nil, false
	}
	for i := range subjects {
		if appliesToUser(u, &subjects[i], bindingNamespace) {
			return &subjects[i], true
		}
	}
	return nil, false
}

func appliesToUser(u user.Info, s *rbacv1.Subject, bindingNamespace string) bool {
	switch s.Kind {
	case rbacv1.UserKind:
		return u.GetName() == s.Name
	case rbacv1.GroupKind:
		return contains(u.GetGroups(), s.Name)
	case rbacv1.ServiceAccountKind:
		// A ServiceAccount subject without a namespace means one in the
		// binding's own namespace.
		ns := s.Namespace
		if ns == "" {
			ns = bindingNamespace
		}
		return ns != "" && serviceaccount.MatchesUsername(ns, s.Name, u.GetName())
	}
	return false
}

func describeSubject(s *rbacv1.Subject, bindingNamespace string) string {
	if s.Kind == rbacv1.ServiceAccountKind {
		ns := s.Namespace
		if ns == "" {
			ns = bindingNamespace
		}
		return fmt.Sprintf("%s %q", s.Kind, s.Name+"/"+ns)
	}
	return fmt.Sprintf("%s %q", s.Kind, s.Name)
}
