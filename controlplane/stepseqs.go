package controlplane

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// stepSeqBlock is how many step numbers one etcd write reserves: an idle
// sandbox records about sixteen steps a second, so about one write in ten
// minutes.
const stepSeqBlock = 10000

// continueSeqs makes rec number its steps after the last block reserved
// under key by any earlier start of the cluster, and reserve its own blocks
// there (steps/reserve.go).
func continueSeqs(ctx context.Context, cli *clientv3.Client, key string, lease clientv3.LeaseID, rec *steps.Recorder) error {
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
		if _, err := cli.Put(ctx, key, strconv.FormatUint(upTo, 10), opts...); err != nil {
			slog.Warn("reserving step numbers in etcd", "key", key, "upTo", upTo, "err", err)
		}
	})
	return nil
}
