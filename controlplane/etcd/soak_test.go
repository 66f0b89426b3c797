package etcd

// The soak test: a class day compressed into seconds. Several sandboxes write
// what a running cluster writes — node Lease heartbeats, node status, Events
// created and deleted, and in the busy ones ConfigMaps created, updated and
// deleted — far faster than real, into an etcd with a small quota (16 MiB)
// and a short compaction interval (200 ms). Over the run many times the quota
// is written. With compaction the database size levels off and no write
// fails; without it (GLASSPLANE_SOAK_COMPACTION=0) etcd fills its quota and
// refuses writes with "mvcc: database space exceeded" within seconds.
//
// The short form (25 s) runs in CI; GLASSPLANE_SOAK=10m (make soak) runs
// a long one.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
)

const soakQuota = 16 << 20

type soakSample struct {
	at          time.Duration
	size, inUse int64
	revision    int64
	written     int64
}

func soakSettings(t *testing.T) (length, interval time.Duration) {
	length, interval = 25*time.Second, 200*time.Millisecond
	if v := os.Getenv("GLASSPLANE_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("GLASSPLANE_SOAK=%q: %v", v, err)
		}
		length = d
	}
	if v := os.Getenv("GLASSPLANE_SOAK_COMPACTION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil && v != "0" {
			t.Fatalf("GLASSPLANE_SOAK_COMPACTION=%q: %v", v, err)
		}
		interval = d
	}
	return length, interval
}

func TestEtcdSizeLevelsOffThroughAClassDayOfChurn(t *testing.T) {
	length, interval := soakSettings(t)
	e := startTestEtcd(t, Config{QuotaBackendBytes: soakQuota, CompactionInterval: interval, DefragFloor: 4 << 20})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var written atomic.Int64
	var writeErr error
	var errOnce sync.Once
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(sb int) {
			defer wg.Done()
			if err := churn(ctx, e, sb, sb < 3, &written); err != nil && ctx.Err() == nil {
				errOnce.Do(func() { writeErr = err; cancel() })
			}
		}(i)
	}

	// Run for length, longer if a loaded machine has not yet written twice
	// the quota (without which the run would prove nothing).
	start := time.Now()
	var samples []soakSample
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for ctx.Err() == nil {
		<-tick.C
		elapsed := time.Since(start)
		if st, err := e.Client.Status(ctx, ""); err == nil {
			samples = append(samples, soakSample{at: elapsed, size: st.DbSize, inUse: st.DbSizeInUse,
				revision: st.Header.Revision, written: written.Load()})
		}
		if elapsed >= length && (written.Load() >= 2*soakQuota || elapsed >= 8*length) {
			break
		}
	}
	cancel()
	wg.Wait()
	logSamples(t, samples)

	if writeErr != nil {
		if errors.Is(writeErr, rpctypes.ErrNoSpace) || strings.Contains(writeErr.Error(), "database space exceeded") {
			t.Fatalf("etcd ran out of space after %s written: %v", mib(written.Load()), writeErr)
		}
		t.Fatalf("a write failed: %v", writeErr)
	}
	if written.Load() < 2*soakQuota {
		t.Fatalf("only %s written in %v: too little to show anything against a %s quota", mib(written.Load()), time.Since(start), mib(soakQuota))
	}
	// Levelled off: the last third of the run peaks no higher than the
	// middle third (give or take bbolt's page allocation), and far below the
	// quota. Growing linearly, it would peak 1.5 times higher.
	third := len(samples) / 3
	middle, last := peak(samples[third:2*third]), peak(samples[2*third:])
	if last > soakQuota/2 || last > middle*5/4+512<<10 {
		t.Errorf("the database kept growing: %s at its peak in the middle third of the run, %s in the last", mib(middle), mib(last))
	}
}

// churn writes one sandbox's day until ctx ends: every 20 ms a Lease renewal
// for each of 3 nodes; every 100 ms their status (8 KiB each) and an Event,
// deleting the Event from 2 s before; in a busy sandbox, every 20 ms a
// ConfigMap created or updated and another deleted.
func churn(ctx context.Context, e *Etcd, sb int, busy bool, written *atomic.Int64) error {
	status, event, cm := strings.Repeat("s", 8<<10), strings.Repeat("e", 1<<10), strings.Repeat("c", 2<<10)
	prefix := fmt.Sprintf("/sandboxes/sb-%d/registry/", sb)
	put := func(key, value string) error {
		_, err := e.Client.Put(ctx, prefix+key, value)
		written.Add(int64(len(value)))
		return err
	}
	del := func(key string) error {
		_, err := e.Client.Delete(ctx, prefix+key)
		return err
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		for node := 0; node < 3; node++ {
			if err := put(fmt.Sprintf("leases/kube-node-lease/node-%d", node), time.Now().String()); err != nil {
				return err
			}
		}
		if n%5 == 0 {
			for node := 0; node < 3; node++ {
				if err := put(fmt.Sprintf("minions/node-%d", node), status); err != nil {
					return err
				}
			}
			if err := put(fmt.Sprintf("events/default/ev-%d", n), event); err != nil {
				return err
			}
			if err := del(fmt.Sprintf("events/default/ev-%d", n-100)); err != nil {
				return err
			}
		}
		if busy {
			if err := put(fmt.Sprintf("configmaps/default/cm-%d", n%50), cm); err != nil {
				return err
			}
			if err := del(fmt.Sprintf("configmaps/default/cm-%d", (n+25)%50)); err != nil {
				return err
			}
		}
	}
}

func peak(samples []soakSample) int64 {
	var m int64
	for _, s := range samples {
		m = max(m, s.size)
	}
	return m
}

func logSamples(t *testing.T, samples []soakSample) {
	step := max(1, len(samples)/20)
	for i, s := range samples {
		if i%step == 0 || i == len(samples)-1 {
			t.Logf("%6.1fs  db %8s  in use %8s  revision %7d  written %8s",
				s.at.Seconds(), mib(s.size), mib(s.inUse), s.revision, mib(s.written))
		}
	}
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
