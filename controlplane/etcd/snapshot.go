package etcd

// Snapshots: the cluster's whole state in one file.
//
// Everything a Kubernetes cluster knows is in etcd, so an etcd snapshot is a
// backup of the cluster: restore it and the API server finds every object as
// it was, and the controllers and kubelets reconcile the world towards it.
// Saving asks one running member for a consistent copy of its database over
// the maintenance Snapshot API (what `etcdctl snapshot save` does); restoring
// writes a new data directory from the file, offline, with a new cluster
// identity (what `etcdutl snapshot restore` does), one per member.
//
// Rules: SaveSnapshot needs a running etcd and writes the file only once the
// whole snapshot arrived and its checksum matched; RestoreSnapshot refuses a
// data directory that already holds etcd data.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/snapshot"
	utlsnapshot "go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"
)

// EndpointsFile, under the data directory, holds the client URLs of the
// running embedded etcd, one a line, for `glassplane etcd snapshot save`.
const EndpointsFile = "etcd-endpoints"

// ClientURLs are the URLs a client outside the process reaches etcd at.
func (e *Etcd) ClientURLs() []string {
	switch {
	case e.set != nil:
		urls := make([]string, len(e.set.addrs))
		for i, a := range e.set.addrs {
			urls[i] = a.ClientURL
		}
		return urls
	case e.server != nil:
		var urls []string
		for _, l := range e.server.Clients {
			urls = append(urls, "http://"+l.Addr().String())
		}
		return urls
	}
	return e.Client.Endpoints()
}

// ReadEndpoints reads the client URLs a running server wrote to dataDir.
func ReadEndpoints(dataDir string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, EndpointsFile))
	if err != nil {
		return nil, fmt.Errorf("no running Glassplane's etcd found in %s (is `glassplane serve` running with this --data-dir?): %w", dataDir, err)
	}
	return strings.Fields(string(b)), nil
}

// SaveSnapshot saves a snapshot of the first member among endpoints that
// answers into path, and returns the etcd version that wrote it.
//
// A write is acknowledged once a majority holds it and the member that took
// it applied it; another member may apply it a moment later. So before the
// snapshot each member is first asked a linearizable read, which that member
// answers only once it has applied everything the leader had committed: the
// snapshot then holds every write acknowledged before the save began.
func SaveSnapshot(ctx context.Context, endpoints []string, path string) (string, error) {
	var errs []error
	for _, ep := range endpoints {
		cfg := clientv3.Config{Endpoints: []string{ep}, DialTimeout: 5 * time.Second}
		err := catchUp(ctx, cfg)
		if err == nil {
			var version string
			if version, err = snapshot.SaveWithVersion(ctx, zap.NewNop(), cfg, path); err == nil {
				return version, nil
			}
		}
		errs = append(errs, fmt.Errorf("%s: %w", ep, err))
	}
	return "", fmt.Errorf("no etcd member gave a snapshot: %w", errors.Join(errs...))
}

// catchUp returns once the member at cfg's endpoint has applied all the
// cluster has committed, or an error if it cannot reach a leader.
func catchUp(ctx context.Context, cfg clientv3.Config) error {
	cli, err := clientv3.New(cfg)
	if err != nil {
		return err
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err = cli.Get(ctx, "/", clientv3.WithCountOnly(), clientv3.WithLimit(1))
	return err
}

// RestoreSnapshot writes the etcd data of a new cluster of members members
// (1, 3 or 5) under dataDir (the directory Config.DataDir names) from file.
func RestoreSnapshot(file, dataDir string, members int) error {
	if !ValidMembers(members) {
		return fmt.Errorf("etcd members must be 1, 3 or 5, not %d", members)
	}
	if entries, err := os.ReadDir(dataDir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s already holds etcd data: restore into a new --data-dir", dataDir)
	}
	m := utlsnapshot.NewV3(zap.NewNop())
	if members == 1 {
		// The single member's peer URL is never dialled; it is what
		// startEmbedded advertises.
		return m.Restore(utlsnapshot.RestoreConfig{SnapshotPath: file, Name: "glassplane", OutputDataDir: dataDir,
			PeerURLs: []string{"http://127.0.0.1:0"}, InitialCluster: "glassplane=http://127.0.0.1:0", InitialClusterToken: "etcd-cluster"})
	}
	addrs, err := loadOrChooseAddrs(dataDir, members)
	if err != nil {
		return err
	}
	initial := make([]string, len(addrs))
	for i, a := range addrs {
		initial[i] = a.Name + "=" + a.PeerURL
	}
	for i, a := range addrs {
		err := m.Restore(utlsnapshot.RestoreConfig{SnapshotPath: file, Name: a.Name,
			OutputDataDir: filepath.Join(dataDir, fmt.Sprintf("member-%d", i+1)),
			PeerURLs:      []string{a.PeerURL}, InitialCluster: strings.Join(initial, ","), InitialClusterToken: "glassplane"})
		if err != nil {
			return fmt.Errorf("restoring %s: %w", a.Name, err)
		}
	}
	return nil
}
