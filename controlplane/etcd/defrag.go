package etcd

// Defragmentation: giving the space back.
//
// Compaction frees the pages that old revisions used, but etcd's database
// file (bbolt) does not shrink: the free pages stay in the file and are reused
// by later writes. That is usually enough for the size to level off. After a
// burst (a class deleting a hundred Deployments) most of the file can be free,
// and etcd's quota counts the whole file, not what is in use. Defragmenting
// rewrites the database into a new file with no free pages.
//
// It has a cost: the member stops serving while it rewrites, and it is done
// one member at a time (etcdctl defrag --cluster does the same). So the
// compactor only defragments a member when it is worthwhile: its file is over
// a floor (DefaultDefragFloor) and less than half of it is in use.

import (
	"context"
	"log/slog"
)

// DefaultDefragFloor is the file size below which a defragmentation is not
// worth the pause: a fresh Glassplane's database is a few MiB.
const DefaultDefragFloor = 64 << 20

// worthDefragmenting decides for one member from its sizes on disk and in use.
func worthDefragmenting(size, inUse, floor int64) bool {
	return size > floor && inUse < size/2
}

// dbSize returns the largest member's database size, or 0 if unknown.
func (c *Compactor) dbSize(ctx context.Context) int64 {
	eps, err := c.etcd.members(ctx)
	if err != nil {
		return 0
	}
	var largest int64
	for _, ep := range eps {
		if st, err := c.client.Status(ctx, ep); err == nil && st.DbSize > largest {
			largest = st.DbSize
		}
	}
	return largest
}

// defragment defragments each member that is worth it, one after another,
// and returns the largest member's size and size in use afterwards.
func (c *Compactor) defragment(ctx context.Context) (size, inUse int64, defragmented bool) {
	eps, err := c.etcd.members(ctx)
	if err != nil {
		return 0, 0, false
	}
	for _, ep := range eps {
		st, err := c.client.Status(ctx, ep)
		if err != nil {
			continue
		}
		if worthDefragmenting(st.DbSize, st.DbSizeInUse, c.floor) {
			if err := c.etcd.defragment(ctx, ep); err != nil {
				if ctx.Err() == nil {
					slog.Warn("etcd defragmentation failed", "member", ep, "err", err)
				}
			} else {
				defragmented = true
				if after, err := c.client.Status(ctx, ep); err == nil {
					st = after
				}
			}
		}
		if st.DbSize > size {
			size, inUse = st.DbSize, st.DbSizeInUse
		}
	}
	return size, inUse, defragmented
}
