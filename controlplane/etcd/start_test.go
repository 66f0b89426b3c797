package etcd

import (
	"context"
	"testing"
	"time"
)

// A lone member, started as `glassplane serve` starts it (not Fast), runs
// Raft with a 100 ms election timeout: it elects itself within that, not
// within etcd's default of up to a second, which was most of the time
// Glassplane took to start.
func TestASingleMemberElectsItselfWithinATenthOfASecond(t *testing.T) {
	e, err := Start(context.Background(), Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cfg := e.server.Config()
	if cfg.ElectionMs > 100 || cfg.TickMs > 10 {
		t.Errorf("Raft timeouts: tick %d ms, election %d ms; want at most 10 ms and 100 ms", cfg.TickMs, cfg.ElectionMs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := e.Client.Put(ctx, "/started", "yes"); err != nil {
		t.Fatalf("the member does not take writes: %v", err)
	}
}
