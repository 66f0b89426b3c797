package controlplane

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// stepSeqBlock is how many step numbers one etcd write reserves: an idle
// sandbox records about sixteen steps a second, so about one write in ten
// minutes.
const stepSeqBlock = 10000

// continueSeqs makes rec number its steps after the last block reserved
// under key by any earlier start of the cluster, and reserve its own blocks
// there (steps/reserve.go). A reservation is made only while fence holds
// (nil: always), so a replica that lost the cluster cannot lower it.
func continueSeqs(ctx context.Context, cli *clientv3.Client, key string, lease clientv3.LeaseID, fence *registry.Fence, rec *steps.Recorder) error {
	resp, err := cli.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("reading where the step numbers go on: %w", err)
	}
	var last uint64
	if len(resp.Kvs) > 0 {
		if last, err = strconv.ParseUint(string(resp.Kvs[0].Value), 10, 64); err != nil {
			return fmt.Errorf("the step numbers' reservation in etcd is unreadable: %w", err)
		}
	}
	var opts []clientv3.OpOption
	if lease != 0 {
		opts = append(opts, clientv3.WithLease(lease))
	}
	rec.ContinueAfter(last, stepSeqBlock, func(upTo uint64) {
		ctx, cancel := context.WithTimeout(context.Background(), EtcdRequestTimeout)
		defer cancel()
		var conds []clientv3.Cmp
		if fence != nil {
			conds = append(conds, clientv3.Compare(clientv3.CreateRevision(fence.Key), "=", fence.CreateRevision))
		}
		resp, err := cli.Txn(ctx).If(conds...).Then(clientv3.OpPut(key, strconv.FormatUint(upTo, 10), opts...)).Commit()
		switch {
		case err != nil:
			slog.Warn("reserving step numbers in etcd", "key", key, "upTo", upTo, "err", err)
		case !resp.Succeeded:
			slog.Warn("not reserving step numbers: this server no longer runs the cluster", "key", key, "upTo", upTo)
		}
	})
	return nil
}
