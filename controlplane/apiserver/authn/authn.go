// Package authn answers the API server's first question about a request: who
// is asking?
//
// Kubernetes has no user objects. A user is whatever an authenticator says:
// the common name of a client certificate signed by the cluster's CA (its
// organisations are the groups), or the owner of a bearer token. The chain
// tries each authenticator in turn; the first that recognises the request
// wins. Every authenticated user also belongs to system:authenticated.
//
// Interface rules: an authenticator returns (user, true, nil) when it
// recognises the credentials, (nil, false, nil) when the request carries none
// of its kind, and an error when it carries its kind but they are wrong.
package authn

import (
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"k8s.io/apiserver/pkg/authentication/user"
)

// Authenticator recognises one kind of credentials.
type Authenticator interface {
	Name() string
	AuthenticateRequest(r *http.Request) (user.Info, bool, error)
}

// Attempt is what one authenticator said about a request.
type Attempt struct {
	Authenticator string `json:"authenticator"`
	Result        string `json:"result"` // "authenticated", "no credentials", or the error
}

// Chain tries authenticators in order.
type Chain []Authenticator

// Authenticate returns the user the first recognising authenticator found, and
// every attempt made (for the authenticate step's detail).
func (c Chain) Authenticate(r *http.Request) (user.Info, []Attempt, error) {
	var attempts []Attempt
	var firstErr error
	for _, a := range c {
		u, ok, err := a.AuthenticateRequest(r)
		switch {
		case err != nil:
			attempts = append(attempts, Attempt{a.Name(), err.Error()})
			if firstErr == nil {
				firstErr = err
			}
		case ok:
			attempts = append(attempts, Attempt{a.Name(), "authenticated"})
			return withAuthenticated(u), attempts, nil
		default:
			attempts = append(attempts, Attempt{a.Name(), "no credentials"})
		}
	}
	if firstErr == nil {
		firstErr = errors.New("no credentials were presented")
	}
	return nil, attempts, firstErr
}

func withAuthenticated(u user.Info) user.Info {
	groups := u.GetGroups()
	for _, g := range groups {
		if g == user.AllAuthenticated {
			return u
		}
	}
	return &user.DefaultInfo{Name: u.GetName(), UID: u.GetUID(), Extra: u.GetExtra(),
		Groups: append(append([]string(nil), groups...), user.AllAuthenticated)}
}

// X509 recognises client certificates signed by the cluster CA: CN is the
// user name, O the groups. The TLS handshake only asks for a certificate
// (tls.RequestClientCert) and verifies none, as kube-apiserver does; the
// authenticator verifies it against CAs, so a certificate from another CA
// gets a 401 Status rather than a failed handshake. With CAs nil it trusts
// what the handshake verified.
type X509 struct {
	CAs *x509.CertPool
	// verified remembers certificates already verified against CAs, as
	// kube-apiserver's x509 authenticator caches verifications: a chain
	// check costs more than the rest of a request.
	verified *verifiedCerts
}

// NewX509 returns an authenticator for client certificates signed by cas.
func NewX509(cas *x509.CertPool) X509 {
	return X509{CAs: cas, verified: &verifiedCerts{m: map[[32]byte]time.Time{}}}
}

// verifiedCerts is a bounded set of certificate fingerprints with the time
// each certificate expires.
type verifiedCerts struct {
	mu sync.Mutex // guards m
	m  map[[32]byte]time.Time
}

const maxVerifiedCerts = 4096

func (v *verifiedCerts) known(c *x509.Certificate) bool {
	if v == nil {
		return false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	until, ok := v.m[sha256.Sum256(c.Raw)]
	return ok && time.Now().Before(until)
}

func (v *verifiedCerts) add(c *x509.Certificate) {
	if v == nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.m) >= maxVerifiedCerts {
		clear(v.m)
	}
	v.m[sha256.Sum256(c.Raw)] = c.NotAfter
}

func (X509) Name() string { return "x509" }

func (a X509) AuthenticateRequest(r *http.Request) (user.Info, bool, error) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return nil, false, nil
	}
	cert := r.TLS.PeerCertificates[0]
	if a.CAs == nil {
		if len(r.TLS.VerifiedChains) == 0 {
			return nil, false, errors.New("the client certificate is not signed by this cluster's CA")
		}
		return certUser(cert), true, nil
	}
	if a.verified.known(cert) {
		return certUser(cert), true, nil
	}
	intermediates := x509.NewCertPool()
	for _, c := range r.TLS.PeerCertificates[1:] {
		intermediates.AddCert(c)
	}
	_, err := cert.Verify(x509.VerifyOptions{Roots: a.CAs, Intermediates: intermediates,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil {
		return nil, false, fmt.Errorf("verifying certificate SN=%s, CN=%s failed: %w", cert.SerialNumber, cert.Subject.CommonName, err)
	}
	a.verified.add(cert)
	return certUser(cert), true, nil
}

func certUser(c *x509.Certificate) user.Info {
	return &user.DefaultInfo{Name: c.Subject.CommonName, Groups: append([]string(nil), c.Subject.Organization...)}
}

// TokenUser is a user known by a static bearer token.
type TokenUser struct {
	Name   string   `json:"name"`
	Token  string   `json:"token"`
	Groups []string `json:"groups,omitempty"`
}

// Tokens recognises static bearer tokens, like kube-apiserver's --token-auth-file.
type Tokens []TokenUser

func (Tokens) Name() string { return "token" }

func (t Tokens) AuthenticateRequest(r *http.Request) (user.Info, bool, error) {
	token, ok := BearerToken(r)
	if !ok {
		return nil, false, nil
	}
	for _, u := range t {
		if subtle.ConstantTimeCompare([]byte(u.Token), []byte(token)) == 1 {
			return &user.DefaultInfo{Name: u.Name, Groups: u.Groups}, true, nil
		}
	}
	return nil, false, nil
}

// BearerToken returns the token of an "Authorization: Bearer" header.
func BearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	return strings.TrimSpace(h[len(prefix):]), true
}

// ErrUnknownToken is returned when a bearer token was presented that no
// authenticator recognised.
var ErrUnknownToken = errors.New("invalid bearer token")

// UnknownToken ends a chain: a bearer token nobody recognised is an error,
// not an absence of credentials.
type UnknownToken struct{}

func (UnknownToken) Name() string { return "token-check" }

func (UnknownToken) AuthenticateRequest(r *http.Request) (user.Info, bool, error) {
	if _, ok := BearerToken(r); ok {
		return nil, false, ErrUnknownToken
	}
	return nil, false, nil
}
