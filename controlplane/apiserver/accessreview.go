package apiserver

// Access reviews ask the authorizer a question without doing anything:
//
//	SelfSubjectAccessReview  "may I create deployments in default?" — what
//	                         `kubectl auth can-i` sends; every signed-in user
//	                         may ask it (ClusterRole system:basic-user)
//	SubjectAccessReview      "may bob …?" — for components that check
//	                         someone else's rights (kubelets, webhooks)
//	SelfSubjectReview        "who am I?" — `kubectl auth whoami`
//	SelfSubjectRulesReview   "what may I do in default?" — `kubectl auth
//	                         can-i --list`: every rule RBAC gives the user
//
// All are create-only and never stored: the API server fills in status and
// returns the object. status.allowed is the RBAC decision, status.reason its
// reason; denied stays false, because RBAC only ever has "no opinion" when it
// does not allow.

import (
	"net/http"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/authentication/user"

	"github.com/glassplane/glassplane/controlplane/apiserver/authz"
)

// review answers a create of a review resource.
func (s *Server) review(q *apiRequest) (runtime.Object, int, error) {
	if q.info.Verb != "create" || q.info.Subresource != "" {
		return nil, 0, apierrors.NewMethodNotSupported(q.res.GroupResource(), q.info.Verb)
	}
	data, err := readBody(q.r)
	if err != nil {
		return nil, 0, err
	}
	obj := q.res.New()
	if _, err := decodeObject(data, q.gvk(), obj, "Strict"); err != nil {
		return nil, 0, err
	}
	switch o := obj.(type) {
	case *authorizationv1.SelfSubjectAccessReview:
		o.Status, err = s.accessReview(q, q.user, o.Spec.ResourceAttributes, o.Spec.NonResourceAttributes)
	case *authorizationv1.SubjectAccessReview:
		err = validateSubject(o)
		if err == nil {
			u := &user.DefaultInfo{Name: o.Spec.User, UID: o.Spec.UID, Groups: o.Spec.Groups, Extra: extraOf(o.Spec.Extra)}
			o.Status, err = s.accessReview(q, u, o.Spec.ResourceAttributes, o.Spec.NonResourceAttributes)
		}
	case *authorizationv1.SelfSubjectRulesReview:
		o.Status, err = s.rulesReview(q.user, o.Spec.Namespace)
	case *authenticationv1.SelfSubjectReview:
		o.Status.UserInfo = authenticationv1.UserInfo{Username: q.user.GetName(), UID: q.user.GetUID(),
			Groups: q.user.GetGroups(), Extra: extraValues(q.user.GetExtra())}
	}
	if err != nil {
		return nil, 0, err
	}
	return obj, http.StatusCreated, nil
}

// accessReview asks the authorizer about u doing what the attributes say.
func (s *Server) accessReview(q *apiRequest, u user.Info, res *authorizationv1.ResourceAttributes,
	nonRes *authorizationv1.NonResourceAttributes) (authorizationv1.SubjectAccessReviewStatus, error) {
	var a Attributes
	switch {
	case (res == nil) == (nonRes == nil):
		return authorizationv1.SubjectAccessReviewStatus{}, apierrors.NewInvalid(q.gvk().GroupKind(), "",
			field.ErrorList{field.Invalid(field.NewPath("spec", "resourceAttributes"), res,
				"exactly one of nonResourceAttributes or resourceAttributes must be specified")})
	case res != nil:
		a = Attributes{User: u, Verb: res.Verb, APIGroup: res.Group, Resource: res.Resource, Subresource: res.Subresource,
			Namespace: res.Namespace, Name: res.Name, ResourceRequest: true}
	default:
		a = Attributes{User: u, Verb: nonRes.Verb, Path: nonRes.Path}
	}
	d, err := s.Authorizer.Authorize(q.ctx, a)
	if err != nil {
		return authorizationv1.SubjectAccessReviewStatus{EvaluationError: err.Error()}, nil
	}
	return authorizationv1.SubjectAccessReviewStatus{Allowed: d.Allowed, Reason: d.Reason}, nil
}

func validateSubject(sar *authorizationv1.SubjectAccessReview) error {
	if sar.Spec.User == "" && len(sar.Spec.Groups) == 0 {
		return apierrors.NewInvalid(schema.GroupKind{Group: authorizationv1.GroupName, Kind: "SubjectAccessReview"}, "",
			field.ErrorList{field.Invalid(field.NewPath("spec", "user"), sar.Spec.User, "at least one of user or group must be specified")})
	}
	return nil
}

func extraOf(in map[string]authorizationv1.ExtraValue) map[string][]string {
	out := make(map[string][]string, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

func extraValues(in map[string][]string) map[string]authenticationv1.ExtraValue {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]authenticationv1.ExtraValue, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// rulesReview lists what u may do in namespace, as far as the authorizer
// can tell (an authorizer that cannot list its rules says so).
func (s *Server) rulesReview(u user.Info, namespace string) (authorizationv1.SubjectRulesReviewStatus, error) {
	if namespace == "" {
		return authorizationv1.SubjectRulesReviewStatus{}, apierrors.NewBadRequest("no namespace on request")
	}
	st := authorizationv1.SubjectRulesReviewStatus{ResourceRules: []authorizationv1.ResourceRule{},
		NonResourceRules: []authorizationv1.NonResourceRule{}}
	resolver, ok := s.Authorizer.(authz.RuleResolver)
	if !ok {
		st.Incomplete = true
		st.EvaluationError = "this authorizer cannot list its rules"
		return st, nil
	}
	rules, errs := resolver.RulesFor(u, namespace)
	for _, r := range rules {
		if len(r.NonResourceURLs) > 0 {
			st.NonResourceRules = append(st.NonResourceRules, authorizationv1.NonResourceRule{Verbs: r.Verbs, NonResourceURLs: r.NonResourceURLs})
			continue
		}
		st.ResourceRules = append(st.ResourceRules, authorizationv1.ResourceRule{Verbs: r.Verbs, APIGroups: r.APIGroups,
			Resources: r.Resources, ResourceNames: r.ResourceNames})
	}
	if len(errs) > 0 {
		st.Incomplete = true
		st.EvaluationError = utilerrors.NewAggregate(errs).Error()
	}
	return st, nil
}
