package etcd

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

func startTestEtcd(t *testing.T, cfg Config) *Etcd {
	t.Helper()
	cfg.DataDir, cfg.Fast = t.TempDir(), true
	e, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// collect subscribes to e's compactions and returns a channel of them.
func collect(e *Etcd) <-chan Compaction {
	ch := make(chan Compaction, 100)
	e.Compactor.OnCompaction(func(cp Compaction) {
		select {
		case ch <- cp:
		default:
		}
	})
	return ch
}

func next(t *testing.T, ch <-chan Compaction) Compaction {
	t.Helper()
	select {
	case cp := <-ch:
		return cp
	case <-time.After(30 * time.Second):
		t.Fatal("no compaction within 30s")
	}
	return Compaction{}
}

func TestCompactorCompactsToTheRevisionOfThePreviousRound(t *testing.T) {
	e := startTestEtcd(t, Config{CompactionInterval: 100 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // a heartbeat, so every round has new history
		for ctx.Err() == nil {
			_, _ = e.Client.Put(ctx, "/registry/leases/node-1", time.Now().String())
			time.Sleep(5 * time.Millisecond)
		}
	}()
	ch := collect(e)
	first, second, third := next(t, ch), next(t, ch), next(t, ch)
	if second.Revision != first.Current || third.Revision != second.Current {
		t.Errorf("each compaction should reach the revision read the round before: %+v, %+v, %+v", first, second, third)
	}
	if !(first.Revision < second.Revision && second.Revision < third.Revision) {
		t.Errorf("compaction revisions should increase: %d, %d, %d", first.Revision, second.Revision, third.Revision)
	}
	// On a loaded machine more rounds may have run since the third: stop
	// the compactor and read around the last compaction it made.
	e.Compactor.Stop()
	last := third
	for drained := false; !drained; {
		select {
		case cp := <-ch:
			last = cp
		default:
			drained = true
		}
	}
	if _, err := e.Client.Get(ctx, "/registry/leases/node-1", clientv3.WithRev(last.Revision-1)); err != rpctypes.ErrCompacted {
		t.Errorf("a read before the compacted revision: got %v, want %v", err, rpctypes.ErrCompacted)
	}
	if _, err := e.Client.Get(ctx, "/registry/leases/node-1", clientv3.WithRev(last.Revision)); err != nil {
		t.Errorf("a read at the compacted revision should still work: %v", err)
	}
}

func TestCompactRoundLeavesTheTurnToTheServerThatCompactedFirst(t *testing.T) {
	e := startTestEtcd(t, Config{})
	ctx := context.Background()
	// Two API servers sharing one etcd, each with its own compactor state.
	v1, rev1, got, err := compactRound(ctx, e.Client, 0, 0)
	if err != nil || got != 0 {
		t.Fatalf("first round of server 1: compacted %d, err %v; want no compaction", got, err)
	}
	v2, rev2, got, err := compactRound(ctx, e.Client, 0, 0)
	if err != nil || got != 0 {
		t.Fatalf("first round of server 2: compacted %d, err %v; want no compaction", got, err)
	}
	if _, err := e.Client.Put(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if _, _, got, err = compactRound(ctx, e.Client, v1, rev1); err != nil || got != rev1 {
		t.Fatalf("second round of server 1: compacted %d, err %v; want %d", got, err, rev1)
	}
	if _, _, got, err = compactRound(ctx, e.Client, v2, rev2); err != nil || got != 0 {
		t.Fatalf("second round of server 2 compacted %d (err %v) right after server 1 did", got, err)
	}
	resp, err := e.Client.Get(ctx, compactRevKey)
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("reading compact_rev_key: %v %v", resp, err)
	}
	if kv := resp.Kvs[0]; kv.Version != 2 || string(kv.Value) != strconv.FormatInt(rev1, 10) {
		t.Errorf("compact_rev_key: version %d value %s; want version 2 (server 1's two rounds) value %d", kv.Version, kv.Value, rev1)
	}
}

func TestCompactorStopsWhenStopped(t *testing.T) {
	e := startTestEtcd(t, Config{CompactionInterval: 20 * time.Millisecond})
	ch := collect(e)
	ctx := context.Background()
	_, _ = e.Client.Put(ctx, "k", "v")
	next(t, ch)
	stopped := make(chan struct{})
	go func() { e.Compactor.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(30 * time.Second):
		t.Fatal("Stop did not return within 30s")
	}
	before, err := e.Client.Get(ctx, compactRevKey)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = e.Client.Put(ctx, "k", "v2")
	time.Sleep(200 * time.Millisecond) // ten intervals: a running loop would write the key
	after, err := e.Client.Get(ctx, compactRevKey)
	if err != nil {
		t.Fatal(err)
	}
	if after.Kvs[0].Version != before.Kvs[0].Version {
		t.Errorf("compact_rev_key was written after Stop: version %d → %d", before.Kvs[0].Version, after.Kvs[0].Version)
	}
}

func TestCompactorDefragmentsADatabaseThatIsMostlyFree(t *testing.T) {
	e := startTestEtcd(t, Config{})
	ctx := context.Background()
	big := strings.Repeat("x", 64<<10)
	for i := 0; i < 150; i++ { // ~10 MiB of history of one key
		if _, err := e.Client.Put(ctx, "/registry/configmaps/default/big", big); err != nil {
			t.Fatal(err)
		}
	}
	// The compactor starts once the writes are done: a defragmentation in
	// the middle of them would measure the file growing under it.
	e.Compactor = startCompactor(e, 100*time.Millisecond, 1<<20)
	ch := collect(e)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		cp := next(t, ch)
		if cp.Defragmented {
			if cp.DBSizeAfter >= cp.DBSizeBefore || cp.DBSizeAfter > 4<<20 {
				t.Errorf("defragmenting should shrink the file: %d → %d bytes", cp.DBSizeBefore, cp.DBSizeAfter)
			}
			return
		}
	}
	t.Fatal("no defragmentation within 30s")
}

func TestWorthDefragmenting(t *testing.T) {
	const floor = 64 << 20
	for _, tc := range []struct {
		name        string
		size, inUse int64
		want        bool
	}{
		{"small file, mostly free", 10 << 20, 1 << 20, false},
		{"large file, mostly free", 200 << 20, 50 << 20, true},
		{"large file, mostly in use", 200 << 20, 150 << 20, false},
		{"large file, exactly half in use", 200 << 20, 100 << 20, false},
	} {
		if got := worthDefragmenting(tc.size, tc.inUse, floor); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
