package server

// A sandbox is one virtual cluster: its own etcd prefix, API server (on a
// port of its own, with its own CA, users and tokens), components and step
// history. A local run has one, "default". In a classroom every student gets
// one, created on join and garbage-collected when idle.
//
// Idle collection uses etcd itself: a created sandbox's keys are all written
// with one etcd lease, kept alive while the sandbox is used. When it is not
// renewed for the idle timeout, etcd deletes every key of the sandbox at
// once; the reaper sees its record vanish and stops its components.

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/apiserver"
	"github.com/glassplane/glassplane/controlplane/etcd"
)

// Sandbox is one learner's cluster and the token that opens it.
type Sandbox struct {
	ID      string
	Token   string
	Cluster *controlplane.Cluster
	Name    string           // the display name a student joined with (classroom)
	lease   clientv3.LeaseID // 0 for the default sandbox, which never expires
	used    atomic.Int64     // unix seconds of the last request
	renewed atomic.Int64     // unix seconds of the last lease renewal

	appClients *appClients // guarded by clientsMu
}

// Sandboxes owns every sandbox of this Glassplane.
type Sandboxes struct {
	etcd    *etcd.Etcd
	dataDir string
	host    string        // where sandbox API servers listen
	idle    time.Duration // how long an unused sandbox lives
	start   func(ctx context.Context, cfg controlplane.Config) (*controlplane.Cluster, error)
	// Limits bound each created sandbox (DefaultLimits unless changed
	// before the first Create).
	Limits apiserver.Limits
	// OnDelete, when set, is told of every sandbox deleted, by the app API
	// or by the reaper (so what others keep per sandbox is freed too).
	OnDelete func(id string)
	// MaxSandboxes bounds how many sandboxes may exist at once, so a loop
	// of joins cannot exhaust the machine.
	MaxSandboxes int

	mu sync.Mutex // guards m
	m  map[string]*Sandbox
}

// DefaultLimits bound a classroom sandbox: plenty for every lesson, little
// enough that one student cannot fill the shared etcd or starve the others.
var DefaultLimits = apiserver.Limits{MaxObjects: 2000, RequestsPerSecond: 50, Burst: 200, MaxRequestBytes: 512 << 10}

// recordPrefix holds one key per created sandbox, under its lease.
const recordPrefix = "/glassplane/sandboxes/"

// NewSandboxes manages sandboxes in etcd e, with data under dataDir, API
// servers on host, and an idle timeout. start starts a sandbox's cluster
// (controlplane.Start, plus whatever components the caller wires).
func NewSandboxes(e *etcd.Etcd, dataDir, host string, idle time.Duration,
	start func(ctx context.Context, cfg controlplane.Config) (*controlplane.Cluster, error)) *Sandboxes {
	return &Sandboxes{etcd: e, dataDir: dataDir, host: host, idle: idle, start: start, Limits: DefaultLimits,
		MaxSandboxes: 100, m: map[string]*Sandbox{}}
}

// AddDefault registers the local cluster as sandbox "default".
func (s *Sandboxes) AddDefault(c *controlplane.Cluster) *Sandbox {
	sb := &Sandbox{ID: "default", Token: newSecret(), Cluster: c}
	sb.used.Store(time.Now().Unix())
	s.mu.Lock()
	s.m[sb.ID] = sb
	s.mu.Unlock()
	return sb
}

// Create starts a new sandbox.
func (s *Sandboxes) Create(ctx context.Context) (*Sandbox, error) {
	s.mu.Lock()
	n := len(s.m)
	if _, ok := s.m["default"]; ok {
		n-- // the local cluster is not a created sandbox
	}
	full := n >= s.MaxSandboxes
	s.mu.Unlock()
	if full {
		return nil, fmt.Errorf("this server already runs %d sandboxes, its limit", s.MaxSandboxes)
	}
	id := newSecret()[:10]
	lease, err := s.etcd.Client.Grant(ctx, int64(s.idle/time.Second))
	if err != nil {
		return nil, fmt.Errorf("granting the sandbox's etcd lease: %w", err)
	}
	cfg := controlplane.Config{
		Name: id, DataDir: filepath.Join(s.dataDir, "sandboxes", id), Etcd: s.etcd,
		Prefix: "/sandboxes/" + id + "/registry", Lease: lease.ID,
		SecureListen: net.JoinHostPort(s.host, "0"), Limits: s.Limits,
	}
	c, err := s.start(ctx, cfg)
	if err != nil {
		_, _ = s.etcd.Client.Revoke(ctx, lease.ID)
		return nil, err
	}
	if _, err := s.etcd.Client.Put(ctx, recordPrefix+id, c.Addr, clientv3.WithLease(lease.ID)); err != nil {
		c.Close()
		return nil, err
	}
	sb := &Sandbox{ID: id, Token: newSecret(), Cluster: c, lease: lease.ID}
	now := time.Now().Unix()
	sb.used.Store(now)
	sb.renewed.Store(now)
	s.mu.Lock()
	s.m[id] = sb
	s.mu.Unlock()
	return sb, nil
}

// Get finds a sandbox by id.
func (s *Sandboxes) Get(id string) (*Sandbox, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sb, ok := s.m[id]
	return sb, ok
}

// Open returns the sandbox with this id if token is its token, and marks it used.
func (s *Sandboxes) Open(id, token string) (*Sandbox, bool) {
	sb, ok := s.Get(id)
	if !ok || token == "" || subtle.ConstantTimeCompare([]byte(sb.Token), []byte(token)) != 1 {
		return nil, false
	}
	s.touch(sb)
	return sb, true
}

// ByToken finds the sandbox a token opens.
func (s *Sandboxes) ByToken(token string) (*Sandbox, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sb := range s.m {
		if token != "" && subtle.ConstantTimeCompare([]byte(sb.Token), []byte(token)) == 1 {
			return sb, true
		}
	}
	return nil, false
}

// touch renews the sandbox's lease, at most once a tenth of the idle time.
func (s *Sandboxes) touch(sb *Sandbox) {
	now := time.Now().Unix()
	sb.used.Store(now)
	if sb.lease == 0 || now-sb.renewed.Load() < int64(s.idle/time.Second)/10 {
		return
	}
	sb.renewed.Store(now)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, _ = s.etcd.Client.KeepAliveOnce(ctx, sb.lease)
}

// Delete stops a sandbox and removes its keys and files. The default sandbox
// cannot be deleted.
func (s *Sandboxes) Delete(ctx context.Context, id string) error {
	if id == "default" {
		return fmt.Errorf("the default sandbox cannot be deleted")
	}
	s.mu.Lock()
	sb, ok := s.m[id]
	delete(s.m, id)
	s.mu.Unlock()
	if !ok {
		return nil
	}
	if s.OnDelete != nil {
		s.OnDelete(id)
	}
	sb.Cluster.Close()
	if sb.lease != 0 {
		_, _ = s.etcd.Client.Revoke(ctx, sb.lease) // deletes every key written with it
	}
	_, _ = s.etcd.Client.Delete(ctx, "/sandboxes/"+id+"/", clientv3.WithPrefix())
	return os.RemoveAll(filepath.Join(s.dataDir, "sandboxes", id))
}

// Reap stops sandboxes whose lease expired, until ctx ends.
func (s *Sandboxes) Reap(ctx context.Context) {
	for resp := range s.etcd.Client.Watch(ctx, recordPrefix, clientv3.WithPrefix()) {
		for _, ev := range resp.Events {
			if ev.Type == clientv3.EventTypeDelete {
				id := strings.TrimPrefix(string(ev.Kv.Key), recordPrefix)
				_ = s.Delete(context.Background(), id)
			}
		}
	}
}

// Close stops every created sandbox's cluster (not the default one, which
// its owner closes). Their keys stay in etcd until their leases expire.
func (s *Sandboxes) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, sb := range s.m {
		if id != "default" {
			sb.Cluster.Close()
			delete(s.m, id)
		}
	}
}

func newSecret() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
