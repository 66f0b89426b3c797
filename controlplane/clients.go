package controlplane

// Every component of the control plane is a client of the API server with an
// identity of its own, exactly as in Kubernetes: the scheduler authenticates
// as system:kube-scheduler, the controller manager as
// system:kube-controller-manager, each kubelet as system:node:<name> in group
// system:nodes. RBAC then decides what each may do. ClientConfig makes the
// client certificate for such an identity, signed by the cluster CA.

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"

	"k8s.io/client-go/pkg/version"
	"k8s.io/client-go/rest"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// ClientConfig returns a client-go configuration that reaches this cluster's
// API server as user in groups, over TLS with a client certificate. Requests
// made with a context carrying a steps.Cause carry it in their headers.
func (c *Cluster) ClientConfig(user string, groups ...string) (*rest.Config, error) {
	certPEM, keyPEM, err := c.CA.ClientCert(user, groups)
	if err != nil {
		return nil, err
	}
	return &rest.Config{
		Host: "https://" + c.Addr,
		TLSClientConfig: rest.TLSClientConfig{
			CAData: c.CA.CertPEM, CertData: certPEM, KeyData: keyPEM,
		},
		UserAgent: userAgent(user),
		QPS:       -1, // no client-side rate limit inside one process
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper {
			return steps.Transport{Base: rt}
		},
	}, nil
}

// userAgent is what Kubernetes' own components send as their user agent,
// "kubelet/v1.37.2 (linux/amd64) kubernetes/…", so a write's default field
// manager names the component as on a real cluster (kube-scheduler,
// kube-controller-manager, kubelet). The identity follows, so the page can
// tell one kubelet's requests from another's. Other users send their name.
func userAgent(user string) string {
	var product string
	switch {
	case user == "system:kube-scheduler":
		product = "kube-scheduler"
	case user == "system:kube-controller-manager":
		product = "kube-controller-manager"
	case strings.HasPrefix(user, "system:node:"):
		product = "kubelet"
	default:
		return user
	}
	return fmt.Sprintf("%s/%s (%s/%s) kubernetes/glassplane %s", product, version.Get().GitVersion, runtime.GOOS, runtime.GOARCH, user)
}
