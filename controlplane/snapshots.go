package controlplane

// A cluster's saved states. Everything a Kubernetes cluster knows is the
// keys under its etcd prefix, so saving those keys at one revision saves the
// cluster, and writing them back restores it: delete a Deployment, restore
// the snapshot from before, and the Deployment, its ReplicaSet and its pods
// are in etcd again — with the status they had then, which the controllers
// and kubelets now reconcile with the world, as they would after an
// operator's `etcdutl snapshot restore`.
//
// A sandbox shares etcd with the class, so a snapshot here is of its own
// prefix only (etcd.SavePrefix), kept in etcd beside the sandbox (and so
// deleted with it), at most maxSnapshots of them. The restore is a person's
// act like stopping a component: the first step of a trace of its own, and
// every object version it writes is remembered as caused by it, so the
// controllers' reactions join that trace (see breaks.go).
//
// Rules: a snapshot's file is gzipped JSON of at most maxSnapshotBytes; a
// restore writes one etcd transaction, or nothing.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/etcd"
	"github.com/glassplane/glassplane/controlplane/steps"
)

const (
	maxSnapshots     = 5
	maxSnapshotBytes = 1 << 20 // under etcd's request limit (1.5 MiB)
)

// ErrSnapshotNotFound is returned for a snapshot name the cluster never saved
// (or already dropped as one of the oldest).
var ErrSnapshotNotFound = errors.New("no such snapshot")

// ErrSnapshotTooLarge is returned when the cluster's keys do not fit in one
// snapshot.
var ErrSnapshotTooLarge = errors.New("the cluster's keys are too large to save as one snapshot")

// Snapshot describes one saved state.
type Snapshot struct {
	Name     string    `json:"name"`
	Revision int64     `json:"revision"`
	Taken    time.Time `json:"taken"`
	Keys     int       `json:"keys"`
	// Objects counts the saved objects by resource ("deployments": 1).
	Objects map[string]int `json:"objects"`
}

// Restore says what a restore did.
type Restore struct {
	Snapshot Snapshot `json:"snapshot"`
	Revision int64    `json:"revision"` // 0 when nothing had to change
	Written  []string `json:"written"`
	Deleted  []string `json:"deleted"`
}

// snapshotPrefix is where the cluster's snapshots live: beside its registry
// prefix, outside it, so the API server never sees them.
func (c *Cluster) snapshotPrefix() string {
	return strings.TrimSuffix(c.Store.Prefix(), "registry") + "snapshots/"
}

// SaveSnapshot saves the cluster's keys as of now.
func (c *Cluster) SaveSnapshot(ctx context.Context) (Snapshot, error) {
	s, err := etcd.SavePrefix(ctx, c.Etcd.Client, c.Store.Prefix()+"/")
	if err != nil {
		return Snapshot{}, err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(s); err != nil {
		return Snapshot{}, err
	}
	if err := zw.Close(); err != nil {
		return Snapshot{}, err
	}
	if buf.Len() > maxSnapshotBytes {
		return Snapshot{}, fmt.Errorf("%w (%d KiB gzipped, the limit is %d KiB)", ErrSnapshotTooLarge, buf.Len()>>10, maxSnapshotBytes>>10)
	}
	name := "rev-" + strconv.FormatInt(s.Revision, 10)
	if err := c.Store.PutGuarded(ctx, c.snapshotPrefix()+name, buf.String()); err != nil {
		return Snapshot{}, err
	}
	c.dropOldSnapshots(ctx)
	return describeSnapshot(name, s), nil
}

// Snapshots lists the saved snapshots, oldest first.
func (c *Cluster) Snapshots(ctx context.Context) ([]Snapshot, error) {
	resp, err := c.Etcd.Client.Get(ctx, c.snapshotPrefix(), clientv3.WithPrefix())
	if err != nil {
		return nil, err
	}
	out := make([]Snapshot, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		s, err := decodeSnapshot(kv.Value)
		if err != nil {
			continue // a damaged snapshot is not offered
		}
		out = append(out, describeSnapshot(strings.TrimPrefix(string(kv.Key), c.snapshotPrefix()), s))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Revision < out[j].Revision })
	return out, nil
}

// dropOldSnapshots keeps the newest maxSnapshots. A snapshot's name says its
// revision, so only the keys are read.
func (c *Cluster) dropOldSnapshots(ctx context.Context) {
	resp, err := c.Etcd.Client.Get(ctx, c.snapshotPrefix(), clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		return
	}
	revs := make([]int64, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		name := strings.TrimPrefix(string(kv.Key), c.snapshotPrefix())
		if rev, err := strconv.ParseInt(strings.TrimPrefix(name, "rev-"), 10, 64); err == nil {
			revs = append(revs, rev)
		}
	}
	slices.Sort(revs)
	for _, rev := range revs[:max(0, len(revs)-maxSnapshots)] {
		_, _ = c.Etcd.Client.Delete(ctx, c.snapshotPrefix()+"rev-"+strconv.FormatInt(rev, 10))
	}
}

// RestoreSnapshot puts the cluster's keys back as snapshot name saved them.
func (c *Cluster) RestoreSnapshot(ctx context.Context, name string) (Restore, error) {
	if strings.Contains(name, "/") {
		return Restore{}, ErrSnapshotNotFound
	}
	resp, err := c.Etcd.Client.Get(ctx, c.snapshotPrefix()+name)
	if err != nil {
		return Restore{}, err
	}
	if len(resp.Kvs) == 0 {
		return Restore{}, fmt.Errorf("%w: %s", ErrSnapshotNotFound, name)
	}
	s, err := decodeSnapshot(resp.Kvs[0].Value)
	if err != nil {
		return Restore{}, fmt.Errorf("snapshot %s cannot be read: %w", name, err)
	}
	r, err := etcd.RestorePrefix(ctx, c.Etcd.Client, s, c.Store.Guard()...)
	if errors.Is(err, etcd.ErrGuardFailed) {
		return Restore{}, registry.ErrFencedOut
	}
	if err != nil {
		return Restore{}, err
	}
	out := Restore{Snapshot: describeSnapshot(name, s), Revision: r.Revision, Written: keysOf(r.Written), Deleted: keysOf(r.Deleted)}
	for _, key := range append(out.Written, out.Deleted...) {
		c.Store.NoteWrite(key, r.Revision) // the API server's caches wait for it
	}
	c.recordRestore(out, r.Written, r.Deleted)
	return out, nil
}

// recordRestore records the restore as a person's act, then each key it
// wrote as etcd storing it (the same step a write through the API server
// records, so the page's diagram and etcd pane follow), and remembers each
// object version as caused by its step.
func (c *Cluster) recordRestore(r Restore, written, deleted []etcd.KeyValue) {
	outcome := steps.OK
	if r.Revision == 0 {
		outcome = steps.Waiting // nothing to write: the cluster already is as saved
	}
	act := c.Steps.Record(context.Background(), steps.Step{Trace: steps.NewTrace(), Component: steps.Etcd, Stage: steps.Restore, Outcome: outcome,
		Message: steps.Msg("etcd.restore", "snapshot", strconv.FormatInt(r.Snapshot.Revision, 10),
			"revision", strconv.FormatInt(r.Revision, 10), "written", strconv.Itoa(len(r.Written)), "deleted", strconv.Itoa(len(r.Deleted)))})
	if act.Seq == 0 || r.Revision == 0 {
		return
	}
	ctx := steps.WithCause(context.Background(), steps.Cause{Trace: act.Trace, Parent: act.Seq})
	rv := strconv.FormatInt(r.Revision, 10)
	record := func(op string, kv etcd.KeyValue, value string) {
		obj := storedObject(kv.Value, rv)
		st := c.Steps.Record(ctx, steps.Step{Component: steps.Etcd, Stage: steps.Store, Object: obj,
			Message: steps.Msg("etcd."+op, "key", kv.Key, "revision", rv),
			Detail:  registry.EtcdWrite{Op: op, Key: kv.Key, Revision: r.Revision, Value: value}})
		if st.Seq != 0 {
			c.Steps.Remember(obj.UID, rv, steps.Cause{Trace: st.Trace, Parent: st.Seq})
		}
	}
	for _, kv := range written {
		record("put", kv, string(kv.Value))
	}
	for _, kv := range deleted {
		record("delete", kv, "")
	}
}

// storedObject names the object whose stored JSON is value, at version rv.
func storedObject(value []byte, rv string) steps.Object {
	var o struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name, Namespace, UID string
		} `json:"metadata"`
	}
	_ = json.Unmarshal(value, &o) // a key that is not an object still gets its step
	return steps.Object{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Metadata.Namespace, Name: o.Metadata.Name,
		UID: o.Metadata.UID, ResourceVersion: rv}
}

func keysOf(kvs []etcd.KeyValue) []string {
	out := make([]string, len(kvs))
	for i, kv := range kvs {
		out[i] = kv.Key
	}
	return out
}

func decodeSnapshot(b []byte) (*etcd.PrefixSnapshot, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var s etcd.PrefixSnapshot
	if err := json.NewDecoder(io.LimitReader(zr, 64<<20)).Decode(&s); err != nil {
		return nil, err
	}
	return &s, nil
}

// describeSnapshot counts s's objects by resource: the key after the prefix
// is resource/[namespace/]name.
func describeSnapshot(name string, s *etcd.PrefixSnapshot) Snapshot {
	d := Snapshot{Name: name, Revision: s.Revision, Taken: s.Taken, Keys: len(s.Keys), Objects: map[string]int{}}
	for _, kv := range s.Keys {
		resource, _, _ := strings.Cut(strings.TrimPrefix(kv.Key, s.Prefix), "/")
		d.Objects[resource]++
	}
	return d
}
