package authn

// ServiceAccount tokens are how programs — pods, controllers, `kubectl create
// token` — authenticate. A ServiceAccount is an API object (default/builder);
// a token for it is a JSON Web Token the API server signs with a key only it
// holds (pki/sa.key in the data directory). The token says who it is for and
// until when:
//
//	iss  https://kubernetes.default.svc.cluster.local  (who signed it)
//	aud  the audiences it may be shown to (the API server's by default)
//	sub  system:serviceaccount:<namespace>:<name>
//	exp  when it stops working
//	kubernetes.io  {namespace, serviceaccount: {name, uid}}
//
// Verifying needs no lookup of the token: the signature proves the API server
// made it. One lookup is still made — the ServiceAccount must still exist with
// the same uid — so deleting a ServiceAccount revokes every token issued for it.
// The user is system:serviceaccount:<ns>:<name> in the groups
// system:serviceaccounts and system:serviceaccounts:<ns>.
//
// Interface rules: a bearer token that is not a JWT of this issuer is not
// ours ("no credentials"); one that is ours but forged, expired, for another
// audience or for a deleted ServiceAccount is an error (401).

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/apiserver/pkg/authentication/serviceaccount"
	"k8s.io/apiserver/pkg/authentication/user"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
)

// Issuer is the iss claim of the tokens this API server signs, and their
// default audience, as in a kubeadm cluster.
const Issuer = "https://kubernetes.default.svc.cluster.local"

// GetServiceAccount reads a ServiceAccount from storage.
type GetServiceAccount func(ctx context.Context, namespace, name string) (*corev1.ServiceAccount, error)

// ServiceAccountTokens issues and verifies ServiceAccount tokens.
type ServiceAccountTokens struct {
	key            *ecdsa.PrivateKey
	serviceAccount GetServiceAccount
	now            func() time.Time
}

// NewServiceAccountTokens returns an issuer and authenticator of tokens
// signed with key; get checks that a token's ServiceAccount still exists.
func NewServiceAccountTokens(key *ecdsa.PrivateKey, get GetServiceAccount) *ServiceAccountTokens {
	return &ServiceAccountTokens{key: key, serviceAccount: get, now: time.Now}
}

// claims is the payload of a ServiceAccount token.
type claims struct {
	jwt.RegisteredClaims
	Kubernetes kubernetesClaims `json:"kubernetes.io"`
}

type kubernetesClaims struct {
	Namespace      string     `json:"namespace"`
	ServiceAccount objectRef  `json:"serviceaccount"`
	Pod            *objectRef `json:"pod,omitempty"`
}

type objectRef struct {
	Name string `json:"name"`
	UID  string `json:"uid"`
}

// BoundPod names the pod a token is bound to, if any.
type BoundPod struct{ Name, UID string }

// Issue signs a token for sa, valid for the audiences (the API server's when
// empty) until now+ttl.
func (t *ServiceAccountTokens) Issue(sa *corev1.ServiceAccount, audiences []string, ttl time.Duration, pod *BoundPod) (string, time.Time, error) {
	if len(audiences) == 0 {
		audiences = []string{Issuer}
	}
	now := t.now()
	exp := now.Add(ttl)
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: Issuer, Subject: serviceaccount.MakeUsername(sa.Namespace, sa.Name), Audience: audiences,
			ExpiresAt: jwt.NewNumericDate(exp), IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
			ID: string(uuid.NewUUID()),
		},
		Kubernetes: kubernetesClaims{Namespace: sa.Namespace, ServiceAccount: objectRef{sa.Name, string(sa.UID)}},
	}
	if pod != nil {
		c.Kubernetes.Pod = &objectRef{pod.Name, pod.UID}
	}
	token, err := jwt.NewWithClaims(jwt.SigningMethodES256, c).SignedString(t.key)
	return token, exp, err
}

func (t *ServiceAccountTokens) Name() string { return "serviceaccount-token" }

// AuthenticateRequest verifies a bearer ServiceAccount token.
func (t *ServiceAccountTokens) AuthenticateRequest(r *http.Request) (user.Info, bool, error) {
	token, ok := BearerToken(r)
	if !ok || strings.Count(token, ".") != 2 {
		return nil, false, nil
	}
	var c claims
	if _, _, err := jwt.NewParser().ParseUnverified(token, &c); err != nil || c.Issuer != Issuer {
		return nil, false, nil // not a token of ours
	}
	c = claims{}
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return &t.key.PublicKey, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodES256.Alg()}), jwt.WithIssuer(Issuer),
		jwt.WithAudience(Issuer), jwt.WithExpirationRequired(), jwt.WithTimeFunc(t.now))
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, false, errors.New("service account token has expired")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return nil, false, errors.New("service account token has an invalid signature")
	case err != nil:
		return nil, false, fmt.Errorf("invalid service account token: %w", err)
	}
	ns, name := c.Kubernetes.Namespace, c.Kubernetes.ServiceAccount.Name
	sa, err := t.serviceAccount(r.Context(), ns, name)
	if err != nil {
		return nil, false, fmt.Errorf("service account token has been invalidated: %w", err)
	}
	if string(sa.UID) != c.Kubernetes.ServiceAccount.UID {
		return nil, false, fmt.Errorf("service account UID (%s) does not match claim (%s)", sa.UID, c.Kubernetes.ServiceAccount.UID)
	}
	return &user.DefaultInfo{Name: serviceaccount.MakeUsername(ns, name), UID: string(sa.UID),
		Groups: serviceaccount.MakeGroupNames(ns)}, true, nil
}

// LoadOrCreateServiceAccountKey reads the token signing key from path (PEM),
// making it on first use.
func LoadOrCreateServiceAccountKey(path string) (*ecdsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		block, _ := pem.Decode(data)
		if block == nil {
			return nil, fmt.Errorf("%s holds no PEM key", path)
		}
		return x509.ParseECPrivateKey(block.Bytes)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return key, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
}

// ServiceAccountsIn reads ServiceAccounts from a store.
func ServiceAccountsIn(store *registry.Store) GetServiceAccount {
	res, _ := registry.Lookup("", "serviceaccounts")
	return func(ctx context.Context, namespace, name string) (*corev1.ServiceAccount, error) {
		obj, err := store.Get(ctx, res, namespace, name)
		if err != nil {
			return nil, err
		}
		return obj.(*corev1.ServiceAccount), nil
	}
}
