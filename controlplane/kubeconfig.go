package controlplane

// A kubeconfig tells a client where the API server is, how to trust it (the
// CA certificate) and who the client is (a client certificate or a token).
// `glassplane kubeconfig --user NAME` prints one; `glassplane kubectl` uses the
// admin one. It is made from the data directory alone, so it works from
// another process than the server's.

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/glassplane/glassplane/controlplane/pki"
)

// AddressFile holds the address the API server last bound, so clients started
// later find a server started with port 0.
const AddressFile = "apiserver-address"

// ServerAddress returns the address to reach the API server at: addr when
// given, else the one the server wrote in dataDir, else the default.
func ServerAddress(dataDir, addr string) string {
	if addr == "" {
		addr = "127.0.0.1:6443"
		if b, err := os.ReadFile(filepath.Join(dataDir, AddressFile)); err == nil {
			addr = strings.TrimSpace(string(b))
		}
	}
	// A server listening on every address (0.0.0.0) is reached on loopback.
	if host, port, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			return net.JoinHostPort("127.0.0.1", port)
		}
	}
	return addr
}

// Kubeconfig returns a kubeconfig for user against the server at addr.
func Kubeconfig(dataDir, addr, user string) ([]byte, error) {
	return KubeconfigVia(dataDir, addr, "", user)
}

// KubeconfigVia returns a kubeconfig for user against the server reached at
// addr under the TLS server name serverName ("" for addr's own host): a
// sandbox behind a replicated server's front door.
func KubeconfigVia(dataDir, addr, serverName, user string) ([]byte, error) {
	ca, err := pki.LoadOrCreateCA(filepath.Join(dataDir, "pki"))
	if err != nil {
		return nil, err
	}
	auth := &clientcmdapi.AuthInfo{}
	if user == "admin" {
		auth.ClientCertificateData, auth.ClientKeyData, err = ca.ClientCert("admin", []string{"system:masters"})
		if err != nil {
			return nil, err
		}
	} else {
		users, err := LoadOrCreateUsers(dataDir)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if u.Name == user {
				auth.Token = u.Token
			}
		}
		if auth.Token == "" {
			return nil, fmt.Errorf("there is no built-in user %q (there are admin, %s)", user, strings.Join(BuiltinUsers, ", "))
		}
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["glassplane"] = &clientcmdapi.Cluster{Server: "https://" + addr, TLSServerName: serverName, CertificateAuthorityData: ca.CertPEM}
	cfg.AuthInfos[user] = auth
	cfg.Contexts["glassplane"] = &clientcmdapi.Context{Cluster: "glassplane", AuthInfo: user, Namespace: "default"}
	cfg.CurrentContext = "glassplane"
	return clientcmd.Write(*cfg)
}
