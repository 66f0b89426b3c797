package registry

// A fence keeps a server that is no longer a cluster's owner from writing
// to it. When several Glassplane replicas share one etcd, each sandbox is
// run by the replica elected its owner (server/replica.go), and the
// election's leader key lives only as long as that replica's etcd session.
// A replica that stalls longer than its session's TTL (a long pause, a cut
// network) may still be running the sandbox's components when another
// replica is elected and starts them too. The fence makes that harmless:
// every write of the store is a transaction that also compares the leader
// key's create revision, so once the key is gone (or belongs to a newer
// campaign) the stalled replica's writes fail and change nothing, and only
// the new owner's land. This is how etcd's own election recipe expects a
// leader to guard its writes.

import (
	"context"
	"errors"

	clientv3 "go.etcd.io/etcd/client/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Fence names the key whose create revision every write requires: an
// etcd election's leader key (concurrency.Election's Key and Rev).
type Fence struct {
	Key            string
	CreateRevision int64
}

// SetFence makes every later write require f (nil: none).
func (s *Store) SetFence(f *Fence) { s.fence = f }

// ErrFencedOut is a write refused because this server no longer owns the
// cluster.
var ErrFencedOut = errors.New("this sandbox is now run by another Glassplane replica; the write was not made")

// Guard is what every write of the cluster's keys must compare: the
// fence's condition, or nothing without a fence. Writes beside the
// objects (snapshots, a restore, lesson progress) add it to their
// transactions.
func (s *Store) Guard() []clientv3.Cmp {
	if s.fence == nil {
		return nil
	}
	return []clientv3.Cmp{clientv3.Compare(clientv3.CreateRevision(s.fence.Key), "=", s.fence.CreateRevision)}
}

// PutGuarded writes key beside the store's objects, as they are written:
// under the store's lease, and only while its fence holds (ErrFencedOut
// when it does not).
func (s *Store) PutGuarded(ctx context.Context, key, value string) error {
	resp, err := s.client.Txn(ctx).If(s.Guard()...).Then(s.putOp(key, []byte(value))).Commit()
	if err != nil {
		return err
	}
	if !resp.Succeeded {
		return ErrFencedOut
	}
	return nil
}

// guarded adds the fence's compare to a write's conditions, and its key's
// read to what the transaction returns when a condition fails, after
// elseOps: fencedOut finds it there.
func (s *Store) guarded(conds []clientv3.Cmp, elseOps ...clientv3.Op) ([]clientv3.Cmp, []clientv3.Op) {
	if s.fence == nil {
		return conds, elseOps
	}
	return append(conds, s.Guard()...), append(elseOps, clientv3.OpGet(s.fence.Key))
}

// fencedOut returns the error of a write that failed because this server
// is no longer the cluster's owner, or nil if the fence held (the write
// failed its own condition).
func (s *Store) fencedOut(resp *clientv3.TxnResponse) error {
	if s.fence == nil || resp.Succeeded || len(resp.Responses) == 0 {
		return nil
	}
	kvs := resp.Responses[len(resp.Responses)-1].GetResponseRange().GetKvs()
	if len(kvs) == 1 && kvs[0].CreateRevision == s.fence.CreateRevision {
		return nil
	}
	return apierrors.NewServiceUnavailable(ErrFencedOut.Error())
}
