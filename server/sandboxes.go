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
	"encoding/json"
	"fmt"
	"log/slog"
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
	"github.com/glassplane/glassplane/controlplane/metrics"
)

// Sandbox is one learner's cluster and the token that opens it.
type Sandbox struct {
	ID      string
	Token   string
	Cluster *controlplane.Cluster
	Name    string           // the display name a student joined with (classroom)
	Joined  time.Time        // when it was created
	lease   clientv3.LeaseID // 0 for the default sandbox, which never expires
	renewed atomic.Int64     // unix seconds of the last lease renewal
	used    atomic.Int64     // unix seconds of the last app-API use by its owner

	clientsMu  sync.Mutex  // guards appClients
	appClients *appClients // made on first use (clients.go)
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
	// onDelete, when set, is told of every sandbox deleted, by the app API
	// or by the reaper (so what others keep per sandbox is freed too).
	onDelete func(id string)
	// maxSandboxes bounds how many sandboxes may exist at once, so a loop
	// of joins cannot exhaust the machine.
	maxSandboxes int
	// watch is etcd's Watch (a test may break it to see the reaper recover).
	watch func(ctx context.Context, key string, opts ...clientv3.OpOption) clientv3.WatchChan

	reapCancel context.CancelFunc // ends the reaper and keep-alive StartReaping started
	reaping    sync.WaitGroup     // them (and runReplica), waited for by Close

	// replica, when set, shares the sandboxes with other replicas on the
	// same etcd (replica.go); replicaCancel ends its elections.
	replica       *replica
	replicaCancel context.CancelFunc

	mu       sync.Mutex // guards m, starting and frontDoor
	m        map[string]*Sandbox
	starting int // sandboxes being created: they hold a slot of maxSandboxes
	// frontDoor is the address kubeconfigs name for the sandboxes' APIs
	// when they are reached through a front door (frontdoor.go).
	frontDoor string
}

// Option sets what Sandboxes is given at construction, before any sandbox
// exists or the reaper runs.
type Option func(*Sandboxes)

// WithMaxSandboxes bounds how many sandboxes may exist at once (default 100).
func WithMaxSandboxes(n int) Option { return func(s *Sandboxes) { s.maxSandboxes = n } }

// WithOnDelete tells f of every sandbox deleted, by the app API or the reaper.
func WithOnDelete(f func(id string)) Option { return func(s *Sandboxes) { s.onDelete = f } }

// DefaultLimits bound a classroom sandbox: plenty for every lesson, little
// enough that one student cannot fill the shared etcd or starve the others.
var DefaultLimits = apiserver.Limits{MaxObjects: 2000, RequestsPerSecond: 50, Burst: 200, MaxRequestBytes: 512 << 10}

// SandboxStepHistory bounds the steps a created (classroom) sandbox keeps
// for replay. An idle sandbox records about sixteen background steps a
// second (its kubelets' Leases and the API requests and etcd writes they
// make), about 2 KB each in memory: the 20,000 a local cluster keeps would
// cost some 40 MB per sandbox after twenty minutes, over 2 GB for a class of
// sixty. 2,000 keep the last two minutes or so of background; a learner's
// own steps, and what they caused, outlive the history in the story
// (steps/story.go), so what a student did stays replayable.
const SandboxStepHistory = 2000

// recordPrefix holds one key per created sandbox, under its lease.
const recordPrefix = "/glassplane/sandboxes/"

// NewSandboxes manages sandboxes in etcd e, with data under dataDir, API
// servers on host, and an idle timeout. start starts a sandbox's cluster
// (controlplane.Start, plus whatever components the caller wires).
func NewSandboxes(e *etcd.Etcd, dataDir, host string, idle time.Duration,
	start func(ctx context.Context, cfg controlplane.Config) (*controlplane.Cluster, error), opts ...Option) *Sandboxes {
	s := &Sandboxes{etcd: e, dataDir: dataDir, host: host, idle: idle, start: start, Limits: DefaultLimits,
		maxSandboxes: 100, watch: e.Client.Watch, m: map[string]*Sandbox{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// AddDefault registers the local cluster as sandbox "default".
func (s *Sandboxes) AddDefault(c *controlplane.Cluster) *Sandbox {
	sb := &Sandbox{ID: "default", Token: newSecret(), Cluster: c}
	s.mu.Lock()
	s.m[sb.ID] = sb
	s.mu.Unlock()
	metrics.Sandboxes.Inc()
	return sb
}

// Create starts a new sandbox. Its slot under maxSandboxes is taken before
// its cluster starts, in the same step as the count, so racing joins never
// start more than the limit.
func (s *Sandboxes) Create(ctx context.Context) (*Sandbox, error) {
	return s.create(ctx, "", newSecret())
}

// CreateNamed starts a new sandbox for a student called name.
func (s *Sandboxes) CreateNamed(ctx context.Context, name string) (*Sandbox, error) {
	return s.create(ctx, name, newSecret())
}

// Reset replaces sandbox id with a fresh one of the same name and token, so
// its owner's session opens the new one. It returns the new sandbox.
func (s *Sandboxes) Reset(ctx context.Context, id string) (*Sandbox, error) {
	old, ok := s.Get(id)
	if !ok || old.lease == 0 {
		return nil, fmt.Errorf("there is no student sandbox %q", id)
	}
	if err := s.Delete(ctx, id); err != nil {
		return nil, err
	}
	return s.create(ctx, old.Name, old.Token)
}

func (s *Sandboxes) create(ctx context.Context, name, token string) (_ *Sandbox, err error) {
	s.mu.Lock()
	n := len(s.m) + s.starting
	if _, ok := s.m["default"]; ok {
		n-- // the local cluster is not a created sandbox
	}
	full := n >= s.maxSandboxes
	if !full {
		s.starting++
	}
	s.mu.Unlock()
	if full {
		return nil, fmt.Errorf("this server already runs %d sandboxes, its limit", s.maxSandboxes)
	}
	var sb *Sandbox
	var cl *claim // this replica's claim on the new sandbox (replica.go)
	defer func() {
		s.mu.Lock()
		s.starting--
		if err == nil {
			s.m[sb.ID] = sb
			metrics.Sandboxes.Inc()
		}
		s.mu.Unlock()
		if err == nil && cl != nil {
			go func() { // from now on sb runs while this replica owns it
				defer s.replica.holding.Done()
				s.hold(cl, sb)
			}()
		}
	}()
	id := newSecret()[:10]
	lease, err := s.etcd.Client.Grant(ctx, int64(s.idle/time.Second))
	if err != nil {
		return nil, fmt.Errorf("granting the sandbox's etcd lease: %w", err)
	}
	cfg := s.clusterConfig(id, lease.ID)
	// A failed start undoes what it did even when the request that asked
	// for it is gone: the lease (and the keys under it), the data dir and
	// the claim on its ownership.
	undo := func() {
		_, _ = s.etcd.Client.Revoke(context.WithoutCancel(ctx), lease.ID)
		_ = os.RemoveAll(cfg.DataDir)
		if cl != nil {
			s.dropClaim(id, cl)
		}
	}
	if s.replica != nil {
		if cl, err = s.claimNew(ctx, id); err != nil {
			undo()
			return nil, err
		}
		cfg.Fence = cl.fence()
	}
	c, err := s.start(ctx, cfg)
	if err != nil {
		undo()
		return nil, err
	}
	now := time.Now()
	rec, _ := json.Marshal(record{Addr: c.Addr, Token: token, Name: name, Joined: now, Lease: int64(lease.ID)})
	if _, err := s.etcd.Client.Put(ctx, recordPrefix+id, string(rec), clientv3.WithLease(lease.ID)); err != nil {
		c.Close()
		undo()
		return nil, err
	}
	sb = &Sandbox{ID: id, Token: token, Name: name, Joined: now, Cluster: c, lease: lease.ID}
	sb.renewed.Store(now.Unix())
	sb.used.Store(now.Unix())
	return sb, nil
}

// clusterConfig is how sandbox id's cluster starts, the first time and
// after a restart.
func (s *Sandboxes) clusterConfig(id string, lease clientv3.LeaseID) controlplane.Config {
	return controlplane.Config{
		Name: id, DataDir: filepath.Join(s.dataDir, "sandboxes", id), Etcd: s.etcd,
		Prefix: "/sandboxes/" + id + "/registry", Lease: lease,
		CredentialsKey: "/sandboxes/" + id + "/credentials", StepSeqKey: "/sandboxes/" + id + "/stepseq",
		SecureListen: net.JoinHostPort(s.host, "0"), TLSSANs: []string{SandboxServerName(id)}, Limits: s.Limits, StepHistory: SandboxStepHistory,
	}
}

// record is what etcd keeps of a created sandbox, under its lease: enough
// to bring it back after a restart with the same session.
type record struct {
	Addr   string    `json:"addr"` // where its API server last listened
	Token  string    `json:"token"`
	Name   string    `json:"name,omitempty"`
	Joined time.Time `json:"joined"`
	Lease  int64     `json:"lease"`
}

// Restore starts again every sandbox whose record is still in etcd (its
// lease not expired): after a restart the class finds its sandboxes, with
// their objects, sessions and lesson progress. It returns how many came back.
func (s *Sandboxes) Restore(ctx context.Context) (int, error) {
	resp, err := s.etcd.Client.Get(ctx, recordPrefix, clientv3.WithPrefix())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, kv := range resp.Kvs {
		id := strings.TrimPrefix(string(kv.Key), recordPrefix)
		var rec record
		if json.Unmarshal(kv.Value, &rec) != nil || rec.Token == "" || rec.Lease == 0 {
			continue // an older server's record: it expires by itself
		}
		if _, ok := s.Get(id); ok {
			continue
		}
		if _, err := s.startRecorded(ctx, id, rec, nil); err != nil {
			slog.Warn("restoring a sandbox", "sandbox", id, "err", err)
			continue
		}
		n++
	}
	return n, nil
}

// startRecorded starts sandbox id again from its record and its keys, as
// the owner that cl made this replica (nil: not a replica).
func (s *Sandboxes) startRecorded(ctx context.Context, id string, rec record, cl *claim) (*Sandbox, error) {
	cfg := s.clusterConfig(id, clientv3.LeaseID(rec.Lease))
	cfg.Fence = cl.fence()
	c, err := s.start(ctx, cfg)
	if err != nil {
		return nil, err
	}
	sb := &Sandbox{ID: id, Token: rec.Token, Name: rec.Name, Joined: rec.Joined, Cluster: c, lease: clientv3.LeaseID(rec.Lease)}
	sb.used.Store(time.Now().Unix())
	s.touch(sb) // renewed is 0: the lease is renewed now
	s.mu.Lock()
	s.m[id] = sb
	s.mu.Unlock()
	metrics.Sandboxes.Inc()
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
	sb.used.Store(time.Now().Unix())
	s.touch(sb)
	return sb, true
}

// All lists every sandbox.
func (s *Sandboxes) All() []*Sandbox {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Sandbox, 0, len(s.m))
	for _, sb := range s.m {
		out = append(out, sb)
	}
	return out
}

// LastActivity is when the sandbox was last used by its owner: through the
// app API, or by a person's request to its Kubernetes API (the student's own
// kubectl counts).
func (sb *Sandbox) LastActivity() time.Time {
	t := time.Unix(sb.used.Load(), 0)
	if api := sb.Cluster.Steps.Activity().LastRequest; api.After(t) {
		return api
	}
	return t
}

// keepUsedAlive renews the lease of every sandbox whose Kubernetes API a
// person used since its last renewal, until ctx ends: a student who only
// uses their own kubectl keeps their sandbox.
func (s *Sandboxes) keepUsedAlive(ctx context.Context) {
	every := min(max(s.idle/10, 100*time.Millisecond), time.Minute)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, sb := range s.All() {
			if sb.lease != 0 && sb.Cluster.Steps.Activity().LastRequest.Unix() > sb.renewed.Load() {
				s.touch(sb)
			}
		}
	}
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
	metrics.Sandboxes.Dec()
	if s.onDelete != nil {
		s.onDelete(id)
	}
	sb.Cluster.Close()
	if sb.lease != 0 {
		_, _ = s.etcd.Client.Revoke(ctx, sb.lease) // deletes every key written with it
	}
	_, _ = s.etcd.Client.Delete(ctx, "/sandboxes/"+id+"/", clientv3.WithPrefix())
	return os.RemoveAll(filepath.Join(s.dataDir, "sandboxes", id))
}

// reapDeleteTimeout bounds one reaped sandbox's delete.
const reapDeleteTimeout = 30 * time.Second

// StartReaping runs Reap, and renews the leases of sandboxes used through
// their Kubernetes API, until Close, which waits for both to end.
func (s *Sandboxes) StartReaping() {
	ctx, cancel := context.WithCancel(context.Background())
	s.reapCancel = cancel
	if s.replica == nil { // a replica's elections follow the records (replica.go)
		s.reaping.Go(func() { s.Reap(ctx) })
	}
	s.reaping.Go(func() { s.keepUsedAlive(ctx) })
}

// Reap stops sandboxes whose lease expired, until ctx ends. It reads the
// records, deletes every created sandbox without one, then watches for
// records vanishing from that revision on. A watch that fails (compacted,
// canceled, etcd unreachable) is started again the same way after a pause
// that doubles up to reapMaxBackoff, so the reaper never ends silently and
// a record deleted while it was not watching is still seen.
func (s *Sandboxes) Reap(ctx context.Context) {
	backoff := reapMinBackoff
	for ctx.Err() == nil {
		err := s.reapOnce(ctx, func() { backoff = reapMinBackoff })
		if ctx.Err() != nil {
			return
		}
		slog.Warn("the sandbox reaper's etcd watch ended; watching again", "err", err, "after", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, reapMaxBackoff)
	}
}

const (
	reapMinBackoff = 100 * time.Millisecond
	reapMaxBackoff = 10 * time.Second
)

// reapOnce syncs with the records and watches until the watch fails; healthy
// is called on every good watch answer.
func (s *Sandboxes) reapOnce(ctx context.Context, healthy func()) error {
	// The sandboxes are listed before their records are read: one created
	// in between has a record but is not in the list, so it is never taken
	// for a sandbox whose record is gone.
	ids := s.created()
	records, err := s.etcd.Client.Get(ctx, recordPrefix, clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		return err
	}
	alive := map[string]bool{}
	for _, kv := range records.Kvs {
		alive[strings.TrimPrefix(string(kv.Key), recordPrefix)] = true
	}
	for _, id := range ids {
		if !alive[id] {
			s.reap(id)
		}
	}
	watchCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	for resp := range s.watch(watchCtx, recordPrefix, clientv3.WithPrefix(), clientv3.WithRev(records.Header.Revision+1)) {
		if err := resp.Err(); err != nil {
			return err
		}
		healthy()
		for _, ev := range resp.Events {
			if ev.Type == clientv3.EventTypeDelete {
				s.reap(strings.TrimPrefix(string(ev.Kv.Key), recordPrefix))
			}
		}
	}
	return fmt.Errorf("the watch closed: %w", ctx.Err())
}

// created lists the sandboxes that expire (all but the default one).
func (s *Sandboxes) created() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id, sb := range s.m {
		if sb.lease != 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// reap deletes an expired sandbox within reapDeleteTimeout. The delete is
// not cut short by shutdown: it is bounded, and half a delete would leave
// files behind.
func (s *Sandboxes) reap(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), reapDeleteTimeout)
	defer cancel()
	if err := s.Delete(ctx, id); err != nil {
		slog.Warn("deleting an expired sandbox", "sandbox", id, "err", err)
	}
}

// Close stops the reaper and waits for it, then stops every created
// sandbox's cluster (not the default one, which its owner closes). Their
// keys stay in etcd until their leases expire.
func (s *Sandboxes) Close() {
	if s.reapCancel != nil {
		s.reapCancel()
	}
	if s.replicaCancel != nil {
		s.replicaCancel()
	}
	s.reaping.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, sb := range s.m {
		if id != "default" {
			sb.Cluster.Close()
			delete(s.m, id)
			metrics.Sandboxes.Dec()
		}
	}
}

func newSecret() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
