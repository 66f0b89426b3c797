// Package etcd starts the cluster's memory.
//
// Kubernetes keeps every object in etcd, a consistent key-value store built on
// Raft. Only the API server reads and writes it: every other component asks the
// API server, which turns each request into an etcd transaction. The etcd
// revision, a counter bumped by every write, is what Kubernetes calls an
// object's resourceVersion.
//
// Glassplane runs etcd inside its own process (go.etcd.io/etcd/server/v3/embed)
// so there is nothing else to install, and talks to it through an in-process
// client that skips the network but not the etcd server. With Endpoints set it
// uses an external etcd cluster instead; with Members 3 or 5 it runs that many
// embedded members as one cluster (members.go).
//
// etcd keeps every revision of every key until it is compacted, so a server
// left running grows without end; compact.go and defrag.go keep it bounded,
// and the backend quota (QuotaBackendBytes) is the size at which etcd refuses
// writes rather than fill the disk.
//
// Interface rules: Start returns once etcd serves requests; Close stops the
// compactor, then the client and then the server, and is safe to call once.
package etcd

import (
	"context"
	"fmt"
	"net/url"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// Config says where etcd keeps its data or which external cluster to use.
type Config struct {
	// DataDir holds the embedded member's write-ahead log and database.
	DataDir string
	// Endpoints, when not empty, names an external etcd cluster; DataDir is then unused.
	Endpoints []string
	// Members is how many embedded members to run: 1 (when 0), 3 or 5.
	// One member keeps its data directly in DataDir; several keep theirs in
	// DataDir/member-1 … member-N (members.go).
	Members int
	// Fast shortens Raft's heartbeat and election timeouts of several
	// members so they start in well under a second. Tests use it. (A single
	// member always uses the short timeouts: see startEmbedded.)
	Fast bool
	// QuotaBackendBytes is the database size at which the embedded member
	// raises its NOSPACE alarm and refuses writes (DefaultQuotaBackendBytes
	// when 0). An external cluster keeps its own setting.
	QuotaBackendBytes int64
	// CompactionInterval is how often the history is compacted (compact.go);
	// 0 never compacts.
	CompactionInterval time.Duration
	// DefragFloor is the database size below which defragmenting is not
	// worth its pause (DefaultDefragFloor when 0).
	DefragFloor int64
}

// DefaultQuotaBackendBytes is etcd's own default quota, 2 GiB, set here
// deliberately: with compaction a classroom of sandboxes stays far below it,
// and reaching it stops every write of every sandbox until an operator acts.
const DefaultQuotaBackendBytes = 2 << 30

// Etcd is a running etcd and a client connected to it.
type Etcd struct {
	Client    *clientv3.Client
	server    *embed.Etcd   // nil for an external cluster or several members
	set       *memberSet    // nil unless several embedded members run
	Compactor *Compactor    // nil when CompactionInterval is 0
	watches   *watchStreams // the in-process client's watch streams (inprocess.go)
}

// Start starts the embedded member (or dials the external cluster) and waits
// until it is ready to serve.
func Start(ctx context.Context, cfg Config) (*Etcd, error) {
	var e *Etcd
	var err error
	switch {
	case len(cfg.Endpoints) > 0:
		e, err = dial(ctx, cfg.Endpoints)
	case cfg.Members > 1:
		e, err = startMembers(ctx, cfg)
	default:
		if err := refuseMembersLayout(cfg.DataDir); err != nil {
			return nil, err
		}
		e, err = startEmbedded(ctx, cfg)
	}
	if err != nil {
		return nil, err
	}
	if cfg.CompactionInterval > 0 {
		floor := cfg.DefragFloor
		if floor == 0 {
			floor = DefaultDefragFloor
		}
		e.Compactor = startCompactor(e, cfg.CompactionInterval, floor)
	}
	return e, nil
}

// A lone member's Raft timeouts (startEmbedded).
const (
	singleMemberTickMs     = 10
	singleMemberElectionMs = 100
)

func startEmbedded(ctx context.Context, cfg Config) (*Etcd, error) {
	ecfg := embed.NewConfig()
	ecfg.Name = "glassplane"
	ecfg.Dir = cfg.DataDir
	// etcd logs to a no-op logger: its shutdown chatter would bury
	// Glassplane's own output. Failures still reach us as errors.
	ecfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	// Port 0: the kernel picks free ports, so several Glassplanes (or tests)
	// can run side by side. The peer URL is never dialled with one member.
	local := url.URL{Scheme: "http", Host: "127.0.0.1:0"}
	ecfg.ListenClientUrls = []url.URL{local}
	ecfg.AdvertiseClientUrls = []url.URL{local}
	ecfg.ListenPeerUrls = []url.URL{local}
	ecfg.AdvertisePeerUrls = []url.URL{local}
	ecfg.InitialCluster = ecfg.InitialClusterFromName(ecfg.Name)
	// Watch progress notifications let the API server send watch bookmarks.
	ecfg.WatchProgressNotifyInterval = 5 * time.Second
	ecfg.MaxTxnOps = MaxTxnOps // a sandbox restore is one transaction (keysnapshot.go)
	ecfg.QuotaBackendBytes = cfg.QuotaBackendBytes
	if ecfg.QuotaBackendBytes == 0 {
		ecfg.QuotaBackendBytes = DefaultQuotaBackendBytes
	}
	// A single member has no peers to lose touch with, so its Raft timeouts
	// matter only as it starts: etcd fast-forwards a lone member to one tick
	// before its election timeout, but that timeout is randomized up to twice
	// ElectionMs, and with etcd's defaults (100 ms ticks, 1 s election) the
	// member waited up to a second, half a second on average, to elect
	// itself — most of `glassplane serve`'s start. The short timeouts the
	// tests use make that wait at most a tenth of a second.
	ecfg.TickMs, ecfg.ElectionMs = singleMemberTickMs, singleMemberElectionMs
	server, err := embed.StartEtcd(ecfg)
	if err != nil {
		return nil, fmt.Errorf("starting embedded etcd in %s: %w", cfg.DataDir, err)
	}
	select {
	case <-server.Server.ReadyNotify():
	case err := <-server.Err():
		server.Close()
		return nil, fmt.Errorf("embedded etcd failed: %w", err)
	case <-ctx.Done():
		server.Close()
		return nil, ctx.Err()
	case <-time.After(60 * time.Second):
		server.Close()
		return nil, fmt.Errorf("embedded etcd in %s was not ready after 60s", cfg.DataDir)
	}
	client, watches := inProcessClient(server.Server)
	return &Etcd{Client: client, server: server, watches: watches}, nil
}

func dial(ctx context.Context, endpoints []string) (*Etcd, error) {
	client, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 10 * time.Second, Context: ctx})
	if err != nil {
		return nil, fmt.Errorf("connecting to etcd %v: %w", endpoints, err)
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := client.Status(sctx, endpoints[0]); err != nil {
		client.Close()
		return nil, fmt.Errorf("etcd %s does not answer: %w", endpoints[0], err)
	}
	return &Etcd{Client: client}, nil
}

// members returns the client URL of each member, for status and
// defragmentation, which etcd does one member at a time. The in-process
// client reaches its one member whatever the URL, so it gets one empty name.
func (e *Etcd) members(ctx context.Context) ([]string, error) {
	if e.server != nil {
		return []string{""}, nil
	}
	resp, err := e.Client.MemberList(ctx)
	if err != nil {
		return nil, err
	}
	var urls []string
	for _, m := range resp.Members {
		if len(m.ClientURLs) > 0 {
			urls = append(urls, m.ClientURLs[0])
		}
	}
	return urls, nil
}

// defragment rewrites one member's database. The embedded member is asked
// directly: the in-process client's maintenance service has no health
// notifier to tell during a defragmentation.
func (e *Etcd) defragment(ctx context.Context, member string) error {
	if e.server != nil {
		return e.server.Server.Defragment()
	}
	_, err := e.Client.Defragment(ctx, member)
	return err
}

// Close stops the compactor, the client, then the embedded member. Every
// write etcd acknowledged is already on disk (etcd fsyncs before it answers).
func (e *Etcd) Close() error {
	if e.Compactor != nil {
		e.Compactor.Stop()
	}
	if e.set != nil {
		e.set.status.stop()
		_ = e.Client.Close()
		e.set.closeServers()
		return nil
	}
	if e.server == nil {
		return e.Client.Close()
	}
	// The in-process client ends with the server; its Close reports only
	// that its context was canceled.
	_ = e.Client.Close()
	e.watches.drained(5 * time.Second)
	e.server.Close()
	return nil
}
