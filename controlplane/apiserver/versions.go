package apiserver

// Kubernetes serves some resources in several versions of their API group and
// stores each in one of them (the storage version). Glassplane stores apps
// objects as apps/v1, and still accepts the old apps/v1beta1, apps/v1beta2 and
// extensions/v1beta1 Deployments that tutorials like the seed article use —
// real clusters removed those in 1.16. Requests in an old version are
// converted to apps/v1 on the way in and back on the way out, with a warning.

import (
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
)

// legacyVersions lists the old group-versions served, and their resources.
var legacyVersions = []struct {
	schema.GroupVersion
	Storage   string // the group the resources are stored in
	Resources []string
}{
	{schema.GroupVersion{Group: "apps", Version: "v1beta2"}, "apps", []string{"deployments", "replicasets", "daemonsets", "statefulsets"}},
	{schema.GroupVersion{Group: "apps", Version: "v1beta1"}, "apps", []string{"deployments"}},
	{schema.GroupVersion{Group: "extensions", Version: "v1beta1"}, "apps", []string{"deployments", "replicasets"}},
	// autoscaling/v1: the one-metric HorizontalPodAutoscaler, stored as v2.
	{schema.GroupVersion{Group: "autoscaling", Version: "v1"}, "autoscaling", []string{"horizontalpodautoscalers"}},
}

// reviews are resources that are created and answered but never stored:
// "may this user do that?" (accessreview.go) and "who am I?". They only
// answer create.
var reviews = []*registry.Resource{
	{GroupVersion: authorizationv1.SchemeGroupVersion, Resource: "selfsubjectaccessreviews", Kind: "SelfSubjectAccessReview",
		New: func() runtime.Object { return &authorizationv1.SelfSubjectAccessReview{} }},
	{GroupVersion: authorizationv1.SchemeGroupVersion, Resource: "selfsubjectrulesreviews", Kind: "SelfSubjectRulesReview",
		New: func() runtime.Object { return &authorizationv1.SelfSubjectRulesReview{} }},
	{GroupVersion: authorizationv1.SchemeGroupVersion, Resource: "subjectaccessreviews", Kind: "SubjectAccessReview",
		New: func() runtime.Object { return &authorizationv1.SubjectAccessReview{} }},
	{GroupVersion: authenticationv1.SchemeGroupVersion, Resource: "selfsubjectreviews", Kind: "SelfSubjectReview",
		New: func() runtime.Object { return &authenticationv1.SelfSubjectReview{} }},
}

func isReview(r *registry.Resource) bool {
	for _, v := range reviews {
		if v == r {
			return true
		}
	}
	return false
}

// verbsOf returns the verbs a resource answers.
func verbsOf(r *registry.Resource) []string {
	if isReview(r) {
		return []string{"create"}
	}
	if isMetrics(r) {
		return []string{"get", "list"}
	}
	return registry.Verbs
}

// resolve finds the stored resource behind a requested group, version and
// resource.
func resolve(gv schema.GroupVersion, resource string) (*registry.Resource, bool) {
	for _, r := range append(reviews, metricsResources...) {
		if r.GroupVersion == gv && r.Resource == resource {
			return r, true
		}
	}
	if res, ok := registry.Lookup(gv.Group, resource); ok && res.Version == gv.Version {
		return res, true
	}
	for _, l := range legacyVersions {
		if l.GroupVersion != gv {
			continue
		}
		for _, name := range l.Resources {
			if name == resource {
				return registry.Lookup(l.Storage, resource)
			}
		}
	}
	return nil, false
}

// servedGroupVersions is every group-version in discovery order, the
// preferred (storage) version of each group first.
func servedGroupVersions() []schema.GroupVersion {
	var out []schema.GroupVersion
	seen := map[schema.GroupVersion]bool{}
	for _, r := range registry.Resources {
		if !seen[r.GroupVersion] {
			seen[r.GroupVersion] = true
			out = append(out, r.GroupVersion)
		}
	}
	for _, l := range legacyVersions {
		out = append(out, l.GroupVersion)
	}
	for _, r := range append(reviews, metricsResources...) {
		if !seen[r.GroupVersion] {
			seen[r.GroupVersion] = true
			out = append(out, r.GroupVersion)
		}
	}
	return out
}

// resourcesOf returns the resources served in gv.
func resourcesOf(gv schema.GroupVersion) []*registry.Resource {
	var out []*registry.Resource
	for _, r := range registry.Resources {
		if r.GroupVersion == gv {
			out = append(out, r)
		}
	}
	for _, l := range legacyVersions {
		if l.GroupVersion == gv {
			for _, name := range l.Resources {
				r, _ := registry.Lookup(l.Storage, name)
				out = append(out, r)
			}
		}
	}
	for _, r := range append(reviews, metricsResources...) {
		if r.GroupVersion == gv {
			out = append(out, r)
		}
	}
	return out
}
