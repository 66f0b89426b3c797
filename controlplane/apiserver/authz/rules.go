package authz

// A PolicyRule is one line of a Role or ClusterRole: these verbs on these
// resources of these API groups (optionally only these names), or these verbs
// on these non-resource URLs. RBAC only ever adds permissions — there are no
// deny rules — so a request is allowed as soon as one rule of one role bound
// to the user matches it. The matching below is Kubernetes'
// (pkg/apis/rbac/v1/evaluation_helpers.go):
//
//	verbs          "*" or the request's verb
//	apiGroups      "*" or the request's group ("" is the core group)
//	resources      "*", "pods", "pods/status", or "*/status" for that
//	               subresource of every resource; "pods" does NOT cover
//	               "pods/status"
//	resourceNames  empty means every name; otherwise the request must name one
//	               of them (so a list, which names nothing, never matches)
//	nonResourceURLs "*", an exact path, or a prefix ending in "*"

import (
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// ruleAllows reports whether rule allows the request a.
func ruleAllows(a Attributes, rule *rbacv1.PolicyRule) bool {
	if !verbMatches(rule, a.Verb) {
		return false
	}
	if !a.ResourceRequest {
		return nonResourceURLMatches(rule, a.Path)
	}
	combined := a.Resource
	if a.Subresource != "" {
		combined += "/" + a.Subresource
	}
	return apiGroupMatches(rule, a.APIGroup) &&
		resourceMatches(rule, combined, a.Subresource) &&
		resourceNameMatches(rule, a.Name)
}

func verbMatches(rule *rbacv1.PolicyRule, verb string) bool {
	return contains(rule.Verbs, rbacv1.VerbAll) || contains(rule.Verbs, verb)
}

func apiGroupMatches(rule *rbacv1.PolicyRule, group string) bool {
	return contains(rule.APIGroups, rbacv1.APIGroupAll) || contains(rule.APIGroups, group)
}

func resourceMatches(rule *rbacv1.PolicyRule, combined, subresource string) bool {
	for _, r := range rule.Resources {
		switch {
		case r == rbacv1.ResourceAll, r == combined:
			return true
		case subresource != "" && r == "*/"+subresource:
			return true
		}
	}
	return false
}

func resourceNameMatches(rule *rbacv1.PolicyRule, name string) bool {
	return len(rule.ResourceNames) == 0 || contains(rule.ResourceNames, name)
}

func nonResourceURLMatches(rule *rbacv1.PolicyRule, path string) bool {
	for _, u := range rule.NonResourceURLs {
		switch {
		case u == rbacv1.NonResourceAll, u == path:
			return true
		case strings.HasSuffix(u, "*") && strings.HasPrefix(path, strings.TrimRight(u, "*")):
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
