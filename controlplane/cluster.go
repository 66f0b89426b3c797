// Package controlplane wires one virtual Kubernetes cluster: etcd, the API
// server and (in later parts) the controller manager, the scheduler and the
// kubelets.
//
// Shutdown protocol: Start returns a Cluster whose parts run until Close.
// Close stops them in the reverse order of starting — API listener, then
// etcd — so no component writes to a closed store. Every write acknowledged
// before Close is on disk.
package controlplane

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/uuid"

	"github.com/glassplane/glassplane/controlplane/apiserver"
	"github.com/glassplane/glassplane/controlplane/apiserver/authn"
	"github.com/glassplane/glassplane/controlplane/apiserver/defaults"
	"github.com/glassplane/glassplane/controlplane/apiserver/openapi"
	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/etcd"
	"github.com/glassplane/glassplane/controlplane/pki"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Config says how to start a cluster.
type Config struct {
	DataDir       string
	EtcdEndpoints []string
	// SecureListen is the API server's TLS address ("127.0.0.1:6443"; port 0 picks one).
	SecureListen string
	TLSSANs      []string
	// Fast starts etcd with short Raft timeouts (tests).
	Fast bool
	// StepHistory bounds the steps kept for replay.
	StepHistory int
}

// Cluster is a running control plane.
type Cluster struct {
	Etcd   *etcd.Etcd
	Store  *registry.Store
	Steps  *steps.Recorder
	API    *apiserver.Server
	CA     *pki.CA
	Users  authn.Tokens
	Addr   string // the API server's TLS address, as bound
	server *http.Server
	done   chan struct{}
}

// Start starts etcd, creates the bootstrap objects and serves the API on TLS.
func Start(ctx context.Context, cfg Config) (*Cluster, error) {
	if cfg.StepHistory == 0 {
		cfg.StepHistory = 20000
	}
	ca, err := pki.LoadOrCreateCA(filepath.Join(cfg.DataDir, "pki"))
	if err != nil {
		return nil, fmt.Errorf("certificate authority: %w", err)
	}
	users, err := LoadOrCreateUsers(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("built-in users: %w", err)
	}
	e, err := etcd.Start(ctx, etcd.Config{DataDir: filepath.Join(cfg.DataDir, "etcd"), Endpoints: cfg.EtcdEndpoints, Fast: cfg.Fast})
	if err != nil {
		return nil, err
	}
	c := &Cluster{Etcd: e, CA: ca, Users: users, Steps: steps.NewRecorder(cfg.StepHistory), done: make(chan struct{})}
	c.Store = registry.NewStore(e.Client, "/registry", c.Steps)
	spec, err := openapi.New(apiserver.OpenAPIResources())
	if err != nil {
		e.Close()
		return nil, fmt.Errorf("building the OpenAPI documents: %w", err)
	}
	c.API = apiserver.New(apiserver.Config{
		Store: c.Store, Steps: c.Steps, OpenAPI: spec,
		Authenticator: authn.Chain{authn.X509{}, users, authn.UnknownToken{}},
	})
	if err := c.bootstrap(ctx); err != nil {
		e.Close()
		return nil, err
	}
	if err := c.serve(cfg); err != nil {
		e.Close()
		return nil, err
	}
	return c, nil
}

// serve listens on the TLS address: clients verify the server against the
// CA, and the server verifies any client certificate against the same CA.
func (c *Cluster) serve(cfg Config) error {
	names, ips := pki.HostNames(cfg.TLSSANs)
	cert, err := c.CA.ServingCert(names, ips)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.SecureListen)
	if err != nil {
		return fmt.Errorf("the API server cannot listen on %s: %w", cfg.SecureListen, err)
	}
	c.Addr = ln.Addr().String()
	c.server = &http.Server{
		Handler:           c.API,
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{cert},
			ClientAuth:   tls.VerifyClientCertIfGiven,
			ClientCAs:    c.CA.Pool(),
			MinVersion:   tls.VersionTLS12,
		},
	}
	go func() {
		defer close(c.done)
		if err := c.server.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Printf("API server stopped: %v\n", err)
		}
	}()
	return nil
}

// Close stops the API server, then etcd.
func (c *Cluster) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c.server != nil {
		_ = c.server.Shutdown(ctx)
		_ = c.server.Close() // ends watches still streaming
		<-c.done
	}
	c.Steps.Close()
	return c.Etcd.Close()
}

// bootstrapNamespaces exist in every cluster.
var bootstrapNamespaces = []string{"default", "kube-system", "kube-public", "kube-node-lease"}

// bootstrap creates what every cluster has, directly in the store (like
// kube-apiserver's post-start hooks), if it is not there yet.
func (c *Cluster) bootstrap(ctx context.Context) error {
	nsRes, _ := registry.Lookup("", "namespaces")
	for _, name := range bootstrapNamespaces {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, UID: uuid.NewUUID(),
			CreationTimestamp: metav1.Now()}}
		defaults.Default(ns)
		ns.Status.Phase = corev1.NamespaceActive
		if _, err := c.Store.Create(ctx, nsRes, ns); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating namespace %s: %w", name, err)
		}
	}
	return nil
}
