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
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/uuid"

	"github.com/glassplane/glassplane/controlplane/apiserver"
	"github.com/glassplane/glassplane/controlplane/apiserver/admission"
	"github.com/glassplane/glassplane/controlplane/apiserver/authn"
	"github.com/glassplane/glassplane/controlplane/apiserver/authz"
	"github.com/glassplane/glassplane/controlplane/apiserver/defaults"
	"github.com/glassplane/glassplane/controlplane/apiserver/openapi"
	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/apiserver/validation"
	"github.com/glassplane/glassplane/controlplane/etcd"
	"github.com/glassplane/glassplane/controlplane/kubelet"
	"github.com/glassplane/glassplane/controlplane/pki"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Config says how to start a cluster.
type Config struct {
	// Name names the cluster (its sandbox id; "default" for a local run).
	Name string
	// DataDir keeps the cluster's certificates and tokens, and the embedded
	// etcd's data when Etcd is nil.
	DataDir string
	// Etcd, when set, is shared with other clusters (sandboxes); each keeps
	// its keys under its own Prefix. When nil the cluster starts its own.
	Etcd          *etcd.Etcd
	EtcdEndpoints []string
	// EtcdMembers is how many members the etcd the cluster starts itself
	// runs (1 unless set; 3 or 5).
	EtcdMembers int
	// ControlsEtcd lets a cluster that shares Etcd stop and start its
	// members (the local cluster of `glassplane serve`, never a classroom
	// sandbox). A cluster that starts its own etcd always may.
	ControlsEtcd bool
	// EtcdCompactionInterval compacts the etcd the cluster starts itself
	// (when Etcd is nil) this often; 0 never does.
	EtcdCompactionInterval time.Duration
	// Prefix is where the cluster's keys live in etcd (default "/registry").
	Prefix string
	// Limits bound what the cluster's API server accepts (a classroom
	// sandbox); zero means no limit.
	Limits apiserver.Limits
	// Lease, when set, is written with every key, so the whole cluster
	// vanishes from etcd when the lease expires.
	Lease clientv3.LeaseID
	// CredentialsKey, when set, keeps the cluster's CA, service account key
	// and user tokens in etcd under this key, made once and shared by every
	// server that starts the cluster (credentials.go).
	CredentialsKey string
	// StepSeqKey, when set, makes the step numbering go on from where the
	// cluster's last start, on any server, left it (steps/reserve.go).
	StepSeqKey string
	// Fence, when set, makes every write of the cluster (its objects and
	// its step-number reservations) require an etcd election's leader key:
	// a replica that lost a sandbox's ownership changes nothing in it
	// (registry/fence.go).
	Fence *registry.Fence
	// SecureListen is the API server's TLS address ("127.0.0.1:6443"; port 0 picks one).
	SecureListen string
	TLSSANs      []string
	// Fast starts etcd with short Raft timeouts (tests).
	Fast bool
	// StepHistory bounds the steps kept for replay.
	StepHistory int
	// Nodes is how many simulated nodes (kubelets) to run: 3 unless set;
	// negative runs no components at all (an API server and etcd only).
	Nodes int
	// Timing sets the simulated delays (LessonTiming unless set; Fast
	// clusters use TestTiming).
	Timing *Timing
	// ReadHeaderTimeout bounds how long a client may take over its TLS
	// handshake and request headers (0: DefaultReadHeaderTimeout).
	ReadHeaderTimeout time.Duration
}

// The API server's limits on slow clients: a connection that has not sent a
// request's headers within DefaultReadHeaderTimeout (slowloris), or has sent
// nothing for apiIdleTimeout between requests, is closed.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	apiIdleTimeout           = 90 * time.Second // kube-apiserver's
)

// Cluster is a running control plane.
type Cluster struct {
	Name    string
	DataDir string
	Etcd    *etcd.Etcd
	Pacer   *steps.Pacer
	Store   *registry.Store
	Steps   *steps.Recorder
	API     *apiserver.Server
	CA      *pki.CA
	Users   authn.Tokens
	Addr    string // the API server's TLS address, as bound
	server  *http.Server
	done    chan struct{}
	comps   components
	stop    context.CancelFunc // ends the components' base context
	owned   bool               // whether Close stops Etcd
	// controlsEtcd: whether StopComponent may stop etcd's members.
	controlsEtcd bool
	// unwatchCompactions stops recording etcd's compactions as steps.
	unwatchCompactions func()

	// Kubelets holds the simulated nodes; it answers pods/log.
	Kubelets *kubelet.Pool
}

// Start starts etcd, creates the bootstrap objects and serves the API on TLS.
func Start(ctx context.Context, cfg Config) (*Cluster, error) {
	if cfg.StepHistory == 0 {
		cfg.StepHistory = 20000
	}
	if cfg.CredentialsKey != "" && cfg.Etcd != nil {
		if err := shareCredentials(ctx, cfg.Etcd.Client, cfg.CredentialsKey, cfg.Lease, cfg.DataDir); err != nil {
			return nil, err
		}
	}
	ca, err := pki.LoadOrCreateCA(filepath.Join(cfg.DataDir, "pki"))
	if err != nil {
		return nil, fmt.Errorf("certificate authority: %w", err)
	}
	users, err := LoadOrCreateUsers(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("built-in users: %w", err)
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "/registry"
	}
	if cfg.Name == "" {
		cfg.Name = "default"
	}
	e, owned := cfg.Etcd, false
	if e == nil {
		e, err = etcd.Start(ctx, etcd.Config{DataDir: filepath.Join(cfg.DataDir, "etcd"), Endpoints: cfg.EtcdEndpoints, Fast: cfg.Fast,
			CompactionInterval: cfg.EtcdCompactionInterval, Members: cfg.EtcdMembers})
		if err != nil {
			return nil, err
		}
		owned = true
	}
	rec := steps.NewRecorder(cfg.StepHistory)
	store := registry.NewStore(e.Client, cfg.Prefix, rec)
	store.SetLease(cfg.Lease)
	store.SetFence(cfg.Fence)
	if cfg.StepSeqKey != "" {
		if err := continueSeqs(ctx, store, cfg.StepSeqKey, rec); err != nil {
			if owned {
				e.Close()
			}
			return nil, err
		}
	}
	c := &Cluster{Name: cfg.Name, DataDir: cfg.DataDir, Etcd: e, owned: owned, controlsEtcd: owned || cfg.ControlsEtcd, CA: ca, Users: users, Steps: rec,
		Store: store, Pacer: steps.NewPacer(), done: make(chan struct{})}
	c.Steps.SetPacer(c.Pacer)
	c.unwatchCompactions = recordCompactions(e, c.Steps)
	c.comps.base, c.stop = context.WithCancel(context.Background())
	if e.Size() > 1 {
		c.Store.SetQuorum(e, EtcdRequestTimeout)
	}
	spec, err := openAPISpec()
	if err != nil {
		c.abort()
		return nil, fmt.Errorf("building the OpenAPI documents: %w", err)
	}
	saKey, err := authn.LoadOrCreateServiceAccountKey(filepath.Join(cfg.DataDir, "pki", "sa.key"))
	if err != nil {
		c.abort()
		return nil, fmt.Errorf("service account signing key: %w", err)
	}
	saTokens := authn.NewServiceAccountTokens(saKey, authn.ServiceAccountsIn(c.Store))
	c.Kubelets = kubelet.NewPool()
	c.API = apiserver.New(apiserver.Config{
		Store: c.Store, Steps: c.Steps, OpenAPI: spec, TypeConverter: spec.TypeConverter, Limits: cfg.Limits, ServiceAccountTokens: saTokens, PodLogs: c.Kubelets, PodExec: c.Kubelets, Usage: c.Kubelets,
		PodAttach: c.Kubelets, PodPortForward: c.Kubelets,
		Validate:      validation.Validate,
		Authenticator: authn.Chain{authn.NewX509(ca.Pool()), users, saTokens, authn.UnknownToken{}},
	})
	if err := c.bootstrap(ctx); err != nil {
		c.abort()
		return nil, err
	}
	// RBAC reads the policy bootstrap wrote, then watches it until Close.
	if c.API.Authorizer, err = authz.NewRBAC(c.comps.base, c.Store); err != nil {
		c.abort()
		return nil, fmt.Errorf("loading the RBAC policy: %w", err)
	}
	// Admission reads namespaces and quotas from watched copies (see
	// registry.Cache), which read this store's own writes. Without them (a
	// stored namespace that cannot be read) it reads etcd, as before.
	if c.API.AdmissionCaches, err = admission.NewCaches(c.comps.base, c.Store); err != nil {
		slog.Warn("admission reads namespaces and quotas from etcd", "cluster", cfg.Name, "err", err)
	}
	c.API.ReadyChecks = c.readyChecks()
	if err := c.serve(cfg); err != nil {
		c.abort()
		return nil, err
	}
	if err := c.bootstrapKubernetesService(ctx); err != nil {
		c.Close()
		return nil, err
	}
	if cfg.Nodes >= 0 {
		if err := c.startComponents(cfg.nodes(), cfg.timing()); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

func (cfg Config) nodes() int {
	if cfg.Nodes == 0 {
		return 3
	}
	return cfg.Nodes
}

func (cfg Config) timing() Timing {
	switch {
	case cfg.Timing != nil:
		return *cfg.Timing
	case cfg.Fast:
		return TestTiming
	}
	return LessonTiming
}

// openAPISpec builds the OpenAPI documents once per process: every cluster
// (sandbox) serves the same resources, so they share them.
var openAPISpec = sync.OnceValues(func() (*openapi.Spec, error) {
	return openapi.New(apiserver.OpenAPIResources())
})

// WarmOpenAPI encodes the OpenAPI documents, which a start leaves for later
// (they are most of a first start's CPU, and only a client reading /openapi
// needs them): a server calls it in the background once it is up, so the
// learner's first kubectl need not wait for them.
func WarmOpenAPI() error {
	spec, err := openAPISpec()
	if err != nil {
		return err
	}
	return spec.Warm()
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
		ReadHeaderTimeout: cmp.Or(cfg.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		IdleTimeout:       apiIdleTimeout,
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{cert},
			ClientAuth:   tls.RequestClientCert, // verified by authn.X509, so a stranger gets 401
			ClientCAs:    c.CA.Pool(),
			MinVersion:   tls.VersionTLS12,
		},
	}
	go func() {
		defer close(c.done)
		if err := c.server.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("the API server stopped", "cluster", c.Name, "err", err)
		}
	}()
	return nil
}

// Close stops the components, then the API server, then etcd (if the
// cluster started it).
func (c *Cluster) Close() error {
	c.Pacer.Set(steps.PacerState{}) // release held components so they can stop
	c.stopAll()
	c.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c.server != nil {
		_ = c.server.Shutdown(ctx)
		_ = c.server.Close() // ends watches still streaming
		<-c.done
	}
	c.unwatchCompactions()
	c.Steps.Close()
	return c.closeEtcd()
}

// abort undoes a Start that failed before the API server served: it ends
// the goroutines started so far (the RBAC watch) and closes etcd.
func (c *Cluster) abort() {
	c.unwatchCompactions()
	c.stop()
	c.closeEtcd()
}

func (c *Cluster) closeEtcd() error {
	if !c.owned {
		return nil
	}
	return c.Etcd.Close()
}

// bootstrapNamespaces exist in every cluster.
var bootstrapNamespaces = []string{"default", "kube-system", "kube-public", "kube-node-lease"}

// bootstrap creates what every cluster has, directly in the store (like
// kube-apiserver's post-start hooks), if it is not there yet.
func (c *Cluster) bootstrap(ctx context.Context) error {
	nsRes, _ := registry.Lookup("", "namespaces")
	saRes, _ := registry.Lookup("", "serviceaccounts")
	for _, name := range bootstrapNamespaces {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, UID: uuid.NewUUID(),
			CreationTimestamp: metav1.Now()}}
		defaults.Default(ns)
		ns.Status.Phase = corev1.NamespaceActive
		if _, err := c.Store.Create(ctx, nsRes, ns); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating namespace %s: %w", name, err)
		}
		// The ServiceAccount controller would create it a moment later; the
		// ServiceAccount admission plugin needs it before the first pod.
		sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: name, UID: uuid.NewUUID(),
			CreationTimestamp: metav1.Now()}}
		if _, err := c.Store.Create(ctx, saRes, sa); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating service account %s/default: %w", name, err)
		}
	}
	if err := c.bootstrapPriorityClasses(ctx); err != nil {
		return err
	}
	if err := c.bootstrapStorageClass(ctx); err != nil {
		return err
	}
	return authz.Bootstrap(ctx, c.Store)
}

// bootstrapKubernetesService creates the "kubernetes" Service in default,
// the address pods use to reach the API server, and its Endpoints: the
// address the API server really listens on.
func (c *Cluster) bootstrapKubernetesService(ctx context.Context) error {
	host, portStr, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return err
	}
	port, _ := strconv.Atoi(portStr)
	svcRes, _ := registry.Lookup("", "services")
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "kubernetes", Namespace: "default", UID: uuid.NewUUID(), CreationTimestamp: metav1.Now(),
			Labels: map[string]string{"component": "apiserver", "provider": "kubernetes"}},
		Spec: corev1.ServiceSpec{ClusterIP: apiserver.ServiceCIDR.Addr().Next().String(),
			Ports: []corev1.ServicePort{{Name: "https", Port: 443, TargetPort: intstr.FromInt32(int32(port))}}},
	}
	svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
	defaults.Default(svc)
	if _, err := c.Store.Create(ctx, svcRes, svc); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating the kubernetes service: %w", err)
	}
	epRes, _ := registry.Lookup("", "endpoints")
	ep := &corev1.Endpoints{
		ObjectMeta: metav1.ObjectMeta{Name: "kubernetes", Namespace: "default", UID: uuid.NewUUID(), CreationTimestamp: metav1.Now()},
		Subsets: []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: host}},
			Ports: []corev1.EndpointPort{{Name: "https", Port: int32(port), Protocol: corev1.ProtocolTCP}}}},
	}
	if cur, err := c.Store.Get(ctx, epRes, "default", "kubernetes"); err == nil {
		old := cur.(*corev1.Endpoints)
		old.Subsets = ep.Subsets // the port may differ after a restart
		if _, err = c.Store.Update(ctx, epRes, old); err != nil {
			return err
		}
	} else if _, err = c.Store.Create(ctx, epRes, ep); err != nil {
		return err
	}
	return c.bootstrapKubernetesSlice(ctx, host, int32(port))
}

// bootstrapKubernetesSlice writes the kubernetes Service's EndpointSlice,
// as kube-apiserver's endpoint reconciler does beside its Endpoints: the
// Service has no selector, so no controller writes it.
func (c *Cluster) bootstrapKubernetesSlice(ctx context.Context, host string, port int32) error {
	res, _ := registry.Lookup("discovery.k8s.io", "endpointslices")
	name, proto := "https", corev1.ProtocolTCP
	ready := true
	es := &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Name: "kubernetes", Namespace: "default", UID: uuid.NewUUID(), CreationTimestamp: metav1.Now(),
			Labels: map[string]string{discoveryv1.LabelServiceName: "kubernetes"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{host}, Conditions: discoveryv1.EndpointConditions{Ready: &ready}}},
		Ports:       []discoveryv1.EndpointPort{{Name: &name, Port: &port, Protocol: &proto}},
	}
	if cur, err := c.Store.Get(ctx, res, "default", "kubernetes"); err == nil {
		old := cur.(*discoveryv1.EndpointSlice)
		old.Endpoints, old.Ports = es.Endpoints, es.Ports
		_, err = c.Store.Update(ctx, res, old)
		return err
	}
	_, err := c.Store.Create(ctx, res, es)
	return err
}
