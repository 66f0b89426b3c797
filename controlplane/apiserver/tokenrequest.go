package apiserver

// TokenRequest is how a ServiceAccount token is made: a create on the
// serviceaccounts/token subresource (`kubectl create token builder`) answers
// with a signed token in status.token, valid until status.expirationTimestamp.
// Nothing is stored — the token is verifiable by its signature alone — and it
// stops working when it expires or when its ServiceAccount is deleted. A
// token may be bound to a pod (spec.boundObjectRef), as the kubelet does for
// the tokens it mounts into containers.

import (
	"fmt"
	"net/http"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/glassplane/glassplane/controlplane/apiserver/authn"
	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
)

const (
	defaultTokenSeconds = 3600 // an hour, as kube-apiserver gives when none is asked for
	minTokenSeconds     = 600
)

func (s *Server) tokenRequest(q *apiRequest) (runtime.Object, int, error) {
	if q.info.Verb != "create" {
		return nil, 0, apierrors.NewMethodNotSupported(q.res.GroupResource(), q.info.Verb+" token")
	}
	if s.ServiceAccountTokens == nil {
		return nil, 0, apierrors.NewServiceUnavailable("this API server issues no ServiceAccount tokens")
	}
	data, err := readBody(q.r)
	if err != nil {
		return nil, 0, err
	}
	tr := &authenticationv1.TokenRequest{}
	if _, err := decodeObject(data, authenticationv1.SchemeGroupVersion.WithKind("TokenRequest"), tr, "Strict"); err != nil {
		return nil, 0, err
	}
	obj, err := s.Store.Get(q.ctx, q.res, q.info.Namespace, q.info.Name)
	if err != nil {
		return nil, 0, err
	}
	sa := obj.(*corev1.ServiceAccount)
	seconds := int64(defaultTokenSeconds)
	if tr.Spec.ExpirationSeconds != nil {
		seconds = *tr.Spec.ExpirationSeconds
	}
	if seconds < minTokenSeconds {
		return nil, 0, apierrors.NewInvalid(tr.GroupVersionKind().GroupKind(), sa.Name, field.ErrorList{field.Invalid(
			field.NewPath("spec", "expirationSeconds"), seconds, "may not specify a duration less than 10 minutes")})
	}
	pod, err := s.boundPod(q, tr.Spec.BoundObjectRef)
	if err != nil {
		return nil, 0, err
	}
	token, exp, err := s.ServiceAccountTokens.Issue(sa, tr.Spec.Audiences, time.Duration(seconds)*time.Second, pod)
	if err != nil {
		return nil, 0, apierrors.NewInternalError(err)
	}
	if len(tr.Spec.Audiences) == 0 {
		tr.Spec.Audiences = []string{authn.Issuer}
	}
	tr.Name, tr.Namespace, tr.CreationTimestamp = sa.Name, sa.Namespace, metav1.Now()
	tr.Spec.ExpirationSeconds = &seconds
	tr.Status = authenticationv1.TokenRequestStatus{Token: token, ExpirationTimestamp: metav1.NewTime(exp)}
	return tr, http.StatusCreated, nil
}

// boundPod checks the pod a token is to be bound to exists, with the given uid.
func (s *Server) boundPod(q *apiRequest, ref *authenticationv1.BoundObjectReference) (*authn.BoundPod, error) {
	if ref == nil {
		return nil, nil
	}
	if ref.Kind != "Pod" {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("cannot bind a token to a %q; Glassplane binds tokens to pods only", ref.Kind))
	}
	pods, _ := registry.Lookup("", "pods")
	obj, err := s.Store.Get(q.ctx, pods, q.info.Namespace, ref.Name)
	if err != nil {
		return nil, err
	}
	pod := obj.(*corev1.Pod)
	if ref.UID != "" && ref.UID != pod.UID {
		return nil, apierrors.NewConflict(pods.GroupResource(), ref.Name,
			fmt.Errorf("the UID in the bound object reference (%s) does not match the UID in record (%s)", ref.UID, pod.UID))
	}
	return &authn.BoundPod{Name: pod.Name, UID: string(pod.UID)}, nil
}
