package server_test

// BenchmarkStreamFanOut: one sandbox's live steps go out to the five pages a
// classroom has on it (the student's, its panes, the teacher following).
// The steps are the ones the sandbox really recorded as it started, recorded
// again eight at a time; each op is one step delivered to all five pages.
// The pages only count the steps they get, so the figure is the server's;
// cpu-µs/op is the process's CPU time per op, steadier than the wall time
// on a shared machine.

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func BenchmarkStreamFanOut(b *testing.B) {
	const pages, chunk = 5, 8
	h := start(b)
	rec := h.cluster.Steps
	real := rec.Since(0, 0)
	if len(real) == 0 {
		b.Fatal("the sandbox recorded nothing as it started")
	}
	var got atomic.Int64
	var wg sync.WaitGroup
	defer wg.Wait()
	for range pages {
		conn, _, err := h.dial("default", h.token, rec.Last(), "")
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		wg.Go(func() {
			for {
				_, msg, err := conn.ReadMessage()
				if err != nil {
					return
				}
				got.Add(int64(bytes.Count(msg, []byte(`{"seq":`))))
			}
		})
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for i := 0; i < b.N; i += chunk {
		want := got.Load()
		n := min(chunk, b.N-i)
		for j := range n {
			s := real[(i+j)%len(real)]
			s.Seq, s.Trace, s.Parent = 0, "", 0
			rec.Record(context.Background(), s)
		}
		want += int64(n * pages)
		deadline := time.Now().Add(30 * time.Second)
		for got.Load() < want {
			if time.Now().After(deadline) {
				b.Fatalf("the pages got %d of %d steps", got.Load(), want)
			}
			time.Sleep(50 * time.Microsecond)
		}
	}
	b.StopTimer()
	b.ReportMetric((cpuSeconds()-cpu0)*1e6/float64(b.N), "cpu-µs/op")
}
