package etcd

// Several members: etcd as production runs it.
//
// A production etcd is three or five members, each a copy of the whole
// store. They agree on every write with Raft: one member is the leader, it
// appends the write to its log, sends it to the others, and commits it once
// a majority (a quorum: 2 of 3, 3 of 5) has it on disk. If the leader stops,
// the others notice its heartbeats are missing, and after an election
// timeout one of them asks for votes in a new term; a majority elects it.
// If fewer than a majority are left, nobody can be elected and nothing can
// be written: etcd chooses to refuse rather than risk two histories.
//
// With Members > 1 Glassplane runs that many embedded members in its own
// process, each with its own data directory (<DataDir>/member-1 … member-N),
// and talks to them through a real client that knows every member's client
// URL, as kube-apiserver's --etcd-servers does. A member can be stopped
// (its server closed as SIGTERM closes etcd: a leader first hands its
// leadership to a follower, which wins a new term; the data stays on disk)
// and started again on the same data.
//
// Ports: a static etcd cluster names each member's peer URL before any member
// starts (InitialCluster), so the kernel's "port 0" cannot be used for peers.
// On the first start Glassplane asks the kernel for 2×N free loopback ports,
// writes them to <DataDir>/members.json, and uses them from then on: every
// member's WAL remembers its peers' URLs, so a restart must come back on the
// same ports. If another program has taken one of them meanwhile, the member
// fails to start with an "address already in use" error that names it.
//
// Rules: startMembers returns once every member serves (a quorum elected a
// leader); StopMember and StartMember are safe to call concurrently with each
// other and with the status poller (statuspoll.go); closeMembers stops the
// poller, the client, then every member, and nothing may be called after it.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// MembersFile records the members' names and URLs under the data directory.
const MembersFile = "members.json"

// memberAddr is one member's name and URLs, as persisted.
type memberAddr struct {
	Name      string `json:"name"`
	PeerURL   string `json:"peerURL"`
	ClientURL string `json:"clientURL"`
}

// memberSet is the embedded members of one cluster.
type memberSet struct {
	dir   string
	cfg   Config
	addrs []memberAddr // fixed after start

	mu      sync.Mutex    // guards servers and closed; held while a member starts
	servers []*embed.Etcd // nil while a member is stopped
	closed  bool

	status *statusPoller
}

// ValidMembers reports whether n is a member count Glassplane runs: an odd
// number, because an even one tolerates no more failures than one less.
func ValidMembers(n int) bool { return n == 1 || n == 3 || n == 5 }

func startMembers(ctx context.Context, cfg Config) (*Etcd, error) {
	if !ValidMembers(cfg.Members) {
		return nil, fmt.Errorf("etcd members must be 1, 3 or 5, not %d", cfg.Members)
	}
	addrs, err := loadOrChooseAddrs(cfg.DataDir, cfg.Members)
	if err != nil {
		return nil, err
	}
	ms := &memberSet{dir: cfg.DataDir, cfg: cfg, addrs: addrs, servers: make([]*embed.Etcd, len(addrs))}
	for i := range addrs {
		srv, err := ms.startServer(i)
		if err != nil {
			ms.closeServers()
			return nil, err
		}
		ms.servers[i] = srv
	}
	if err := ms.waitReady(ctx); err != nil {
		ms.closeServers()
		return nil, err
	}
	urls := make([]string, len(addrs))
	for i, a := range addrs {
		urls[i] = a.ClientURL
	}
	client, err := clientv3.New(clientv3.Config{Endpoints: urls, DialTimeout: 10 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		ms.closeServers()
		return nil, fmt.Errorf("connecting to the etcd members %v: %w", urls, err)
	}
	ms.status = startStatusPoller(ms, cfg.Fast)
	return &Etcd{Client: client, set: ms}, nil
}

// loadOrChooseAddrs reads members.json, or on a first start picks free ports
// and writes it. A data directory keeps the member count it was made with.
func loadOrChooseAddrs(dir string, n int) ([]memberAddr, error) {
	path := filepath.Join(dir, MembersFile)
	data, err := os.ReadFile(path)
	if err == nil {
		var addrs []memberAddr
		if err := json.Unmarshal(data, &addrs); err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		if len(addrs) != n {
			return nil, fmt.Errorf("the etcd in %s has %d members, not %d: start with --etcd-members %d, or use a new --data-dir", dir, len(addrs), n, len(addrs))
		}
		return addrs, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "member")); err == nil {
		return nil, fmt.Errorf("the etcd in %s has 1 member, not %d: start without --etcd-members, or use a new --data-dir", dir, n)
	}
	ports, err := freePorts(2 * n)
	if err != nil {
		return nil, err
	}
	addrs := make([]memberAddr, n)
	for i := range addrs {
		addrs[i] = memberAddr{Name: fmt.Sprintf("etcd-%d", i+1),
			PeerURL:   fmt.Sprintf("http://127.0.0.1:%d", ports[2*i]),
			ClientURL: fmt.Sprintf("http://127.0.0.1:%d", ports[2*i+1])}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	data, _ = json.MarshalIndent(addrs, "", "  ")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return nil, err
	}
	return addrs, os.Rename(tmp, path)
}

// refuseMembersLayout keeps one member from starting, empty, beside the
// data of several.
func refuseMembersLayout(dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, MembersFile))
	if err != nil {
		return nil
	}
	var addrs []memberAddr
	_ = json.Unmarshal(data, &addrs)
	return fmt.Errorf("the etcd in %s has %d members, not 1: start with --etcd-members %d, or use a new --data-dir", dir, len(addrs), len(addrs))
}

// freePorts asks the kernel for n distinct free loopback ports, holding all
// of them open until it has them all so no port is handed out twice.
func freePorts(n int) ([]int, error) {
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port for etcd: %w", err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// config is member i's embed configuration, built afresh for every start.
func (ms *memberSet) config(i int) *embed.Config {
	a := ms.addrs[i]
	ecfg := embed.NewConfig()
	ecfg.Name = a.Name
	ecfg.Dir = filepath.Join(ms.dir, fmt.Sprintf("member-%d", i+1))
	ecfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	peer, client := mustURL(a.PeerURL), mustURL(a.ClientURL)
	ecfg.ListenPeerUrls, ecfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
	ecfg.ListenClientUrls, ecfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
	var initial []string
	for _, m := range ms.addrs {
		initial = append(initial, m.Name+"="+m.PeerURL)
	}
	// Read only on the very first start; afterwards each WAL knows the cluster.
	ecfg.InitialCluster = strings.Join(initial, ",")
	ecfg.InitialClusterToken = "glassplane"
	ecfg.ClusterState = embed.ClusterStateFlagNew
	ecfg.WatchProgressNotifyInterval = 5 * time.Second
	ecfg.MaxTxnOps = MaxTxnOps // a sandbox restore is one transaction (keysnapshot.go)
	ecfg.QuotaBackendBytes = ms.cfg.QuotaBackendBytes
	if ecfg.QuotaBackendBytes == 0 {
		ecfg.QuotaBackendBytes = DefaultQuotaBackendBytes
	}
	if ms.cfg.Fast {
		ecfg.TickMs, ecfg.ElectionMs = 10, 100
	}
	return ecfg
}

func mustURL(s string) url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(fmt.Sprintf("etcd: bad member URL %q: %v", s, err))
	}
	return *u
}

func (ms *memberSet) startServer(i int) (*embed.Etcd, error) {
	srv, err := embed.StartEtcd(ms.config(i))
	if err != nil {
		return nil, fmt.Errorf("starting etcd member %s (peer %s, client %s): %w", ms.addrs[i].Name, ms.addrs[i].PeerURL, ms.addrs[i].ClientURL, err)
	}
	return srv, nil
}

// waitReady waits until every member has joined the cluster, which needs a
// leader, which needs a quorum of them running.
func (ms *memberSet) waitReady(ctx context.Context) error {
	timeout := time.After(60 * time.Second)
	for i, srv := range ms.servers {
		select {
		case <-srv.Server.ReadyNotify():
		case err := <-srv.Err():
			return fmt.Errorf("etcd member %s failed: %w", ms.addrs[i].Name, err)
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout:
			return fmt.Errorf("etcd member %s was not ready after 60s", ms.addrs[i].Name)
		}
	}
	return nil
}

// index finds a member by name.
func (ms *memberSet) index(name string) (int, error) {
	for i, a := range ms.addrs {
		if a.Name == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("there is no etcd member %q", name)
}

// stop closes one member's server as SIGTERM would; its data stays on
// disk. Stopping a stopped member does nothing.
func (ms *memberSet) stop(name string) error {
	i, err := ms.index(name)
	if err != nil {
		return err
	}
	ms.mu.Lock()
	srv := ms.servers[i]
	ms.servers[i] = nil
	ms.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
	ms.status.refresh()
	return nil
}

// start starts a stopped member again on its data. It does not wait for the
// member to rejoin: without a quorum it cannot, and the poller shows when it has.
func (ms *memberSet) start(name string) error {
	i, err := ms.index(name)
	if err != nil {
		return err
	}
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if ms.closed {
		return fmt.Errorf("etcd is shutting down")
	}
	if ms.servers[i] != nil {
		return nil
	}
	srv, err := ms.startServer(i)
	if err != nil {
		return err
	}
	ms.servers[i] = srv
	ms.status.refresh()
	return nil
}

// running reports whether member i's server is up.
func (ms *memberSet) running(i int) bool {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return ms.servers[i] != nil
}

// closeServers stops every member still running: the followers first, then
// the leader, which then has nobody to hand its leadership to and stops at
// once instead of waiting for a transfer to a member that is going away.
func (ms *memberSet) closeServers() {
	ms.mu.Lock()
	ms.closed = true
	servers := ms.servers
	ms.servers = make([]*embed.Etcd, len(servers))
	ms.mu.Unlock()
	var leader *embed.Etcd
	var wg sync.WaitGroup
	for _, srv := range servers {
		switch {
		case srv == nil:
		case srv.Server.Leader() == srv.Server.MemberID():
			leader = srv
		default:
			wg.Go(srv.Close)
		}
	}
	wg.Wait()
	if leader != nil {
		leader.Close()
	}
}

// Members describes each embedded member as it last answered, or nil when
// Glassplane runs one member or uses an external cluster.
func (e *Etcd) Members() []MemberStatus {
	if e.set == nil {
		return nil
	}
	return e.set.status.members()
}

// MemberChanges returns a channel closed at the next change of Members; nil
// (never ready) when there is only one member.
func (e *Etcd) MemberChanges() <-chan struct{} {
	if e.set == nil {
		return nil
	}
	return e.set.status.changes()
}

// StopMember stops the named member (etcd-1 … etcd-N); its data stays.
func (e *Etcd) StopMember(name string) error {
	if e.set == nil {
		return fmt.Errorf("there is no etcd member %q", name)
	}
	return e.set.stop(name)
}

// StartMember starts the named member again on its data.
func (e *Etcd) StartMember(name string) error {
	if e.set == nil {
		return fmt.Errorf("there is no etcd member %q", name)
	}
	return e.set.start(name)
}

// Size is how many members the embedded cluster has (0 for an external one).
func (e *Etcd) Size() int {
	switch {
	case e.set != nil:
		return len(e.set.addrs)
	case e.server != nil:
		return 1
	}
	return 0
}

// LeaderOf names the member that led Raft term ("" when unknown or when
// there is only one member).
func (e *Etcd) LeaderOf(ctx context.Context, term uint64) string {
	if e.set == nil {
		return ""
	}
	return e.set.status.leaderOf(ctx, term)
}

// Answering is how many members run and answered the last status poll.
func (e *Etcd) Answering() int {
	n := 0
	for _, m := range e.Members() {
		if m.Running && m.Role != "" {
			n++
		}
	}
	return n
}
