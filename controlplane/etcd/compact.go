package etcd

// Compaction: forgetting old revisions.
//
// etcd never overwrites. Every write adds a revision and keeps the old value,
// which is what lets a watch resume "from resourceVersion 812" and a list read
// "exactly at 812". The price is that the database only grows: an idle
// Glassplane writes about a hundred revisions a minute (node Leases, node
// status, Events). Compacting at revision R drops every value that was
// already replaced before R; what is current stays.
//
// kube-apiserver compacts every 5 minutes (--etcd-compaction-interval), and so
// does Glassplane, with the same protocol (k8s.io/apiserver's
// storage/etcd3.Compact, written out here rather than imported because that
// package brings the API server's whole storage layer with it):
//
//   - each round, read etcd's current revision and compact to the revision
//     read in the round before. History is kept for at least one interval and
//     at most two: a watch or a list at a resourceVersion older than the
//     previous compaction gets 410 Gone "too old resource version", and the
//     client lists again.
//   - several API servers may share one etcd. The key compact_rev_key holds
//     the last revision compacted to; its Version (how many times it was
//     written) is a logical clock. A round writes it only if its Version is
//     still the one this compactor saw last (a compare-and-swap in one
//     transaction). Whoever loses the race learns the new Version and waits a
//     round, so the cluster is compacted once per interval, not once per
//     server.
//   - the first round only reads the revision: nothing is compacted at start.
//
// Interface rules: Start starts the loop, in a goroutine the Compactor owns,
// when Config.CompactionInterval is set; Stop (or Etcd.Close) ends it and
// waits for it. Subscribers (OnCompaction) hear of every
// compaction this compactor made, never of one it did not.

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// compactRevKey is kube-apiserver's key, so a Glassplane sharing an external
// etcd with a kube-apiserver takes turns with it.
const compactRevKey = "compact_rev_key"

// DefaultCompactionInterval is kube-apiserver's.
const DefaultCompactionInterval = 5 * time.Minute

// Compaction is what one compaction did, as the etcd compact step shows it.
type Compaction struct {
	// Revision is what etcd compacted to: reads before it get 410 Gone.
	Revision int64 `json:"revision"`
	// Current is etcd's revision in this round: the next round compacts to it.
	Current int64 `json:"current"`
	// DBSizeBefore and DBSizeAfter are the database's size on disk (of the
	// largest member) before compacting and after defragmenting.
	DBSizeBefore int64 `json:"dbSizeBefore"`
	DBSizeAfter  int64 `json:"dbSizeAfter"`
	// DBSizeInUse is how much of DBSizeAfter holds data; the rest is free
	// pages that etcd reuses for new writes.
	DBSizeInUse  int64 `json:"dbSizeInUse"`
	Defragmented bool  `json:"defragmented"`
}

// Compactor compacts one etcd cluster on a schedule.
type Compactor struct {
	etcd     *Etcd
	client   *clientv3.Client
	interval time.Duration
	floor    int64 // defragment only above this size
	cancel   context.CancelFunc
	done     chan struct{}

	mu   sync.Mutex // guards subs and next
	subs map[int]func(Compaction)
	next int
}

// startCompactor compacts e every interval until Stop.
func startCompactor(e *Etcd, interval time.Duration, defragFloor int64) *Compactor {
	ctx, cancel := context.WithCancel(context.Background())
	c := &Compactor{etcd: e, client: e.Client, interval: interval, floor: defragFloor,
		cancel: cancel, done: make(chan struct{}), subs: map[int]func(Compaction){}}
	go c.run(ctx)
	return c
}

// Stop ends the loop and waits for a round in progress to finish.
func (c *Compactor) Stop() {
	c.cancel()
	<-c.done
}

// OnCompaction calls f after each compaction this compactor makes, from its
// goroutine; f must not block. The returned function unsubscribes.
func (c *Compactor) OnCompaction(f func(Compaction)) (unsubscribe func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := c.next
	c.next++
	c.subs[id] = f
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.subs, id)
	}
}

func (c *Compactor) run(ctx context.Context) {
	defer close(c.done)
	ticker := time.NewTicker(c.interval)
	defer ticker.Stop()
	var version, rev int64
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		version, rev = c.round(ctx, version, rev)
	}
}

// roundTimeout bounds one round, which Stop waits for.
const roundTimeout = 30 * time.Second

// round runs one round to its end even when Stop is called meanwhile: a
// write cut short by a canceled context may still be committed by Raft after
// Stop returned, so Stop waits for it instead (at most roundTimeout).
func (c *Compactor) round(stop context.Context, version, rev int64) (int64, int64) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(stop), roundTimeout)
	defer cancel()
	before := c.dbSize(ctx)
	next, current, compacted, err := compactRound(ctx, c.client, version, rev)
	if err != nil {
		if stop.Err() == nil {
			slog.Warn("etcd compaction failed", "err", err)
		}
		return next, current
	}
	if compacted != 0 {
		cp := Compaction{Revision: compacted, Current: current, DBSizeBefore: before}
		cp.DBSizeAfter, cp.DBSizeInUse, cp.Defragmented = c.defragment(ctx)
		c.publish(cp)
	}
	return next, current
}

func (c *Compactor) publish(cp Compaction) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range c.subs {
		f(cp)
	}
}

// compactRound is one round of the protocol. expectVersion is the Version of
// compact_rev_key this compactor saw last and rev the revision it read then.
// It returns the Version and revision to use next round, and the revision it
// compacted to (0 when it did not compact: first round, or another server's
// turn).
func compactRound(ctx context.Context, client *clientv3.Client, expectVersion, rev int64) (version, current, compacted int64, err error) {
	resp, err := client.Txn(ctx).If(
		clientv3.Compare(clientv3.Version(compactRevKey), "=", expectVersion),
	).Then(
		clientv3.OpPut(compactRevKey, strconv.FormatInt(rev, 10)), // bumps its Version
	).Else(
		clientv3.OpGet(compactRevKey),
	).Commit()
	if err != nil {
		return expectVersion, rev, 0, err
	}
	current = resp.Header.Revision
	if !resp.Succeeded {
		// Another compactor wrote the key since we last saw it: its turn.
		return resp.Responses[0].GetResponseRange().Kvs[0].Version, current, 0, nil
	}
	if rev == 0 {
		return expectVersion + 1, current, 0, nil // the first round only looks
	}
	// Physical: wait until the old values are really gone, so the sizes
	// measured next (and the decision to defragment) see the result.
	if _, err := client.Compact(ctx, rev, clientv3.WithCompactPhysical()); err != nil {
		return expectVersion + 1, current, 0, err
	}
	return expectVersion + 1, current, rev, nil
}
