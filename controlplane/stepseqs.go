package controlplane

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// stepSeqBlock is how many step numbers one etcd write reserves: an idle
// sandbox records about sixteen steps a second, so about one write in ten
// minutes.
const stepSeqBlock = 10000

// continueSeqs makes rec number its steps after the last block reserved
// under key by any earlier start of the cluster, and reserve its own blocks
// there (steps/reserve.go), beside the store's objects and under the same
// fence, so a replica that lost the cluster cannot lower it.
func continueSeqs(ctx context.Context, store *registry.Store, key string, rec *steps.Recorder) error {
	resp, err := store.Client().Get(ctx, key)
	if err != nil {
		return fmt.Errorf("reading where the step numbers go on: %w", err)
	}
	var last uint64
	if len(resp.Kvs) > 0 {
		if last, err = strconv.ParseUint(string(resp.Kvs[0].Value), 10, 64); err != nil {
			return fmt.Errorf("the step numbers' reservation in etcd is unreadable: %w", err)
		}
	}
	rec.ContinueAfter(last, stepSeqBlock, func(upTo uint64) {
		ctx, cancel := context.WithTimeout(context.Background(), EtcdRequestTimeout)
		defer cancel()
		if err := store.PutGuarded(ctx, key, strconv.FormatUint(upTo, 10)); err != nil {
			slog.Warn("reserving step numbers in etcd", "key", key, "upTo", upTo, "err", err)
		}
	})
	return nil
}
