package authz

// The rules a user has. `kubectl auth can-i --list` asks for every rule that
// applies to the user in a namespace (a SelfSubjectRulesReview) rather than
// one question at a time. RBAC answers it the way it decides: the rules of
// every ClusterRole bound to the user by a ClusterRoleBinding, then of every
// Role or ClusterRole bound by a RoleBinding in that namespace. Like
// Kubernetes, the list is what RBAC allows, not a proof of what is denied:
// a binding to a role that does not exist leaves it incomplete, and says so.

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apiserver/pkg/authentication/user"
)

// RuleResolver lists the rules that apply to a user in a namespace.
type RuleResolver interface {
	RulesFor(u user.Info, namespace string) (rules []rbacv1.PolicyRule, errs []error)
}

// RulesFor lists u's rules in namespace; members of system:masters may do
// anything.
func (r *RBAC) RulesFor(u user.Info, namespace string) ([]rbacv1.PolicyRule, []error) {
	if u != nil && contains(u.GetGroups(), user.SystemPrivilegedGroup) {
		return []rbacv1.PolicyRule{
			{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}},
			{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}},
		}, nil
	}
	return r.policy().RulesFor(u, namespace)
}

// RulesFor lists the rules of every role bound to u, cluster-wide and in
// namespace.
func (p *Policy) RulesFor(u user.Info, namespace string) ([]rbacv1.PolicyRule, []error) {
	var rules []rbacv1.PolicyRule
	var errs []error
	add := func(ref rbacv1.RoleRef, subjects []rbacv1.Subject, bindingNamespace, binding string) {
		if _, ok := appliesTo(u, subjects, bindingNamespace); !ok {
			return
		}
		rs, err := p.rulesOf(ref, bindingNamespace)
		if err != nil {
			errs = append(errs, fmt.Errorf("binding %s: %w", binding, err))
			return
		}
		rules = append(rules, rs...)
	}
	for _, b := range p.clusterRoleBindings {
		add(b.RoleRef, b.Subjects, "", "ClusterRoleBinding "+b.Name)
	}
	if namespace != "" {
		for _, b := range p.roleBindings[namespace] {
			add(b.RoleRef, b.Subjects, b.Namespace, "RoleBinding "+b.Namespace+"/"+b.Name)
		}
	}
	return rules, errs
}
