package registry

// A resourceVersion from the future. A client may list "not older than" a
// resourceVersion it saw somewhere else (another API server, a watch that ran
// ahead), or exactly at one; etcd cannot answer for a revision it has not
// reached. kube-apiserver waits up to three seconds for its watch cache to
// catch up, then answers 504 Gateway Timeout "Too large resource version",
// with a ResourceVersionTooLarge cause and retryAfterSeconds 1, which
// client-go's reflector recognises and retries. Glassplane waits for etcd
// itself, the same way.
//
// The other end of the window is compaction (controlplane/etcd/compact.go):
// a resourceVersion older than the last compaction gets 410 Gone.

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"k8s.io/apiserver/pkg/storage"
)

// FreshnessWait is how long a read at a future resourceVersion waits for
// etcd to reach it (kube-apiserver's watch cache blockTimeout).
const FreshnessWait = 3 * time.Second

// tooLargeRetrySeconds is the retry-after kube-apiserver sends with it.
const tooLargeRetrySeconds = 1

// WaitForRevision returns once etcd's revision has reached rev, or a 504
// "Too large resource version" after FreshnessWait.
func (s *Store) WaitForRevision(ctx context.Context, rev int64) error {
	deadline := time.Now().Add(FreshnessWait)
	for {
		// A count of one key: the cheapest read that says etcd's revision.
		resp, err := s.read(ctx, s.prefix, clientv3.WithCountOnly())
		if err != nil {
			return s.etcdError(err)
		}
		current := resp.Header.Revision
		if current >= rev {
			return nil
		}
		if !time.Now().Before(deadline) {
			return storage.NewTooLargeResourceVersionError(uint64(rev), uint64(current), tooLargeRetrySeconds)
		}
		select {
		case <-ctx.Done():
			return s.etcdError(ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
