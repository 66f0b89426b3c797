package registry

// Writes in flight, so a watch never outruns the step that explains it.
//
// When the API server stores an object it records the etcd step and
// remembers which trace wrote that version (recordWrite), so the controller
// that hears of the change through a watch joins the same trace. etcd
// commits first, though, and its watch may deliver the change before the
// writer has got that far: on a loaded machine a controller then acted in a
// fresh trace, and the story of one create broke in two. So a write marks
// its key in flight from just before the etcd transaction until it is
// recorded, and the API server's watch holds an event for a key in flight
// until the write is recorded (at most inflightWait, so a stuck writer can
// never stall a watch for long).

import (
	"context"
	"sync"
	"time"
)

// inflightWait bounds how long a watch event waits for its write's record.
const inflightWait = time.Second

type inflight struct {
	mu   sync.Mutex // guards keys
	keys map[string]*pendingWrite
}

type pendingWrite struct {
	n    int           // writes of this key in flight
	done chan struct{} // closed when n drops to 0
}

// begin marks a write of key in flight; the returned func ends it.
func (f *inflight) begin(key string) (end func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.keys == nil {
		f.keys = map[string]*pendingWrite{}
	}
	p := f.keys[key]
	if p == nil {
		p = &pendingWrite{done: make(chan struct{})}
		f.keys[key] = p
	}
	p.n++
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if p.n--; p.n == 0 {
			close(p.done)
			delete(f.keys, key)
		}
	}
}

// wait returns once no write of key is in flight, after inflightWait, or
// when ctx ends.
func (f *inflight) wait(ctx context.Context, key string) {
	f.mu.Lock()
	p := f.keys[key]
	f.mu.Unlock()
	if p == nil {
		return
	}
	t := time.NewTimer(inflightWait)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
	case <-ctx.Done():
	}
}
