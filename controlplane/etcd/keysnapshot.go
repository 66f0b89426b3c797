package etcd

// Snapshots of one prefix: a sandbox's state, saved and put back while etcd
// runs.
//
// A whole-database snapshot (snapshot.go) is what an operator restores a
// cluster from, offline. A sandbox shares etcd with the rest of a class, so
// its learner saves and restores only the keys under its prefix, the same
// way etcd answers any read: every key under the prefix as of one revision.
// Restoring writes that state back in one transaction, so everyone watching
// (the API server's watches, and through them the controllers) sees the
// prefix jump from its present straight to the saved state at one new
// revision, never a mixture. Keys made since the save are deleted, keys
// changed since are put back, and keys that still hold the saved value are
// left alone: a restore that changes nothing writes nothing.
//
// Rules: the transaction is conditional on nothing under the prefix having
// changed since the restore read it, and is retried a few times when
// something did (controllers write all the time); etcd is asked for one
// transaction, so the state is restored whole or not at all.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// KeyValue is one key of a prefix snapshot.
type KeyValue struct {
	Key   string `json:"key"`
	Value []byte `json:"value"`
}

// PrefixSnapshot is every key under Prefix as of Revision.
type PrefixSnapshot struct {
	Prefix   string     `json:"prefix"`
	Revision int64      `json:"revision"`
	Taken    time.Time  `json:"taken"`
	Keys     []KeyValue `json:"keys"`
}

// Restored says what a restore wrote.
type Restored struct {
	// Revision is the revision the restore's transaction made; 0 when the
	// prefix already held the saved state and nothing was written.
	Revision int64
	// Written are the keys put back (new or changed since the save) with
	// their saved values; Deleted the keys made since the save, with the
	// values they held.
	Written, Deleted []KeyValue
}

// MaxTxnOps is how many operations the embedded members accept in one
// transaction (etcd's default is 128): a restore puts a sandbox back in one.
const MaxTxnOps = 10000

// restoreAttempts bounds how often a restore retries after the prefix
// changed under it.
const restoreAttempts = 10

// ErrPrefixBusy is returned when the prefix kept changing under a restore.
var ErrPrefixBusy = errors.New("the keys kept changing while they were being restored")

// SavePrefix reads every key under prefix at one revision.
func SavePrefix(ctx context.Context, cli *clientv3.Client, prefix string) (*PrefixSnapshot, error) {
	resp, err := cli.Get(ctx, prefix, clientv3.WithPrefix())
	if err != nil {
		return nil, err
	}
	s := &PrefixSnapshot{Prefix: prefix, Revision: resp.Header.Revision, Taken: time.Now().UTC(),
		Keys: make([]KeyValue, 0, len(resp.Kvs))}
	for _, kv := range resp.Kvs {
		s.Keys = append(s.Keys, KeyValue{Key: string(kv.Key), Value: kv.Value})
	}
	return s, nil
}

// ErrGuardFailed is returned when a restore's guard no longer holds.
var ErrGuardFailed = errors.New("the restore's guard no longer holds; nothing was restored")

// RestorePrefix makes the keys under s.Prefix what they were when s was
// saved, in one transaction, which also requires guard (for a sandbox run
// by one of several replicas: that this one still owns it).
func RestorePrefix(ctx context.Context, cli *clientv3.Client, s *PrefixSnapshot, guard ...clientv3.Cmp) (Restored, error) {
	for range restoreAttempts {
		now, err := cli.Get(ctx, s.Prefix, clientv3.WithPrefix())
		if err != nil {
			return Restored{}, err
		}
		ops, r := restoreOps(s, now.Kvs)
		if len(ops) == 0 {
			return r, nil
		}
		if len(ops) > MaxTxnOps {
			return Restored{}, fmt.Errorf("a restore of %d changes is more than etcd takes in one transaction (%d)", len(ops), MaxTxnOps)
		}
		unchanged := clientv3.Compare(clientv3.ModRevision(s.Prefix), "<", now.Header.Revision+1).WithPrefix()
		resp, err := cli.Txn(ctx).If(append([]clientv3.Cmp{unchanged}, guard...)...).Then(ops...).Commit()
		if err != nil {
			return Restored{}, err
		}
		if resp.Succeeded {
			r.Revision = resp.Header.Revision
			return r, nil
		}
		if len(guard) > 0 { // a transaction of compares alone says whether they hold
			if held, err := cli.Txn(ctx).If(guard...).Commit(); err != nil {
				return Restored{}, err
			} else if !held.Succeeded {
				return Restored{}, ErrGuardFailed
			}
		}
	}
	return Restored{}, ErrPrefixBusy
}

// restoreOps are the writes that turn the keys now into those of s.
func restoreOps(s *PrefixSnapshot, now []*mvccpb.KeyValue) ([]clientv3.Op, Restored) {
	current := make(map[string][]byte, len(now))
	for _, kv := range now {
		current[string(kv.Key)] = kv.Value
	}
	var ops []clientv3.Op
	var r Restored
	saved := make(map[string]bool, len(s.Keys))
	for _, kv := range s.Keys {
		saved[kv.Key] = true
		if v, ok := current[kv.Key]; ok && bytes.Equal(v, kv.Value) {
			continue
		}
		ops = append(ops, clientv3.OpPut(kv.Key, string(kv.Value)))
		r.Written = append(r.Written, kv)
	}
	for _, kv := range now {
		if !saved[string(kv.Key)] {
			ops = append(ops, clientv3.OpDelete(string(kv.Key)))
			r.Deleted = append(r.Deleted, KeyValue{Key: string(kv.Key), Value: kv.Value})
		}
	}
	return ops, r
}
