package server_test

// BenchmarkClassroom: 50 sandboxes each apply the seed manifest while 200
// websocket clients (4 per sandbox) watch their steps. It reports step
// delivery latency (from the moment a component recorded a step to the moment
// a client decoded it) at p50 and p99, the steps lost by clients that kept up
// (must be 0), and the memory an idle sandbox costs.

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/glassplane/glassplane/server"
)

const (
	benchSandboxes = 50
	clientsPerSB   = 4
)

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func BenchmarkClassroom(b *testing.B) {
	seed, err := os.ReadFile(filepath.Join("..", "controlplane", "testdata", "hello-deployment.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	h := start(b, func(c *server.Config) { c.MaxStreamsPerClient = benchSandboxes * clientsPerSB })
	for i := 0; i < b.N; i++ {
		before := heapInUse()
		var sbs []*server.Sandbox
		for j := 0; j < benchSandboxes; j++ {
			sb, err := h.sandboxes.Create(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			sbs = append(sbs, sb)
		}
		time.Sleep(2 * time.Second) // let the sandboxes settle into idle
		perSandbox := float64(heapInUse()-before) / benchSandboxes / (1 << 20)

		var mu sync.Mutex
		var latencies []time.Duration
		byComponent := map[string][]time.Duration{}
		lost := 0
		var wg sync.WaitGroup
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		for _, sb := range sbs {
			for k := 0; k < clientsPerSB; k++ {
				conn, _, err := h.dial(sb.ID, sb.Token, sb.Cluster.Steps.Last(), "")
				if err != nil {
					b.Fatal(err)
				}
				wg.Add(1)
				go func(conn *websocket.Conn) {
					defer wg.Done()
					defer conn.Close()
					var last uint64
					for ctx.Err() == nil {
						_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
						var m server.Message
						if conn.ReadJSON(&m) != nil {
							return
						}
						now := time.Now()
						mu.Lock()
						for _, s := range m.Steps {
							if last != 0 && s.Seq != last+1 {
								lost += int(s.Seq - last - 1)
							}
							last = s.Seq
							latencies = append(latencies, now.Sub(s.Time))
							byComponent[s.Component+"/"+s.Stage] = append(byComponent[s.Component+"/"+s.Stage], now.Sub(s.Time))
						}
						mu.Unlock()
					}
				}(conn)
			}
		}
		for _, sb := range sbs {
			go func(sb *server.Sandbox) {
				h.do("POST", "/glassplane/v1/sandboxes/"+sb.ID+"/apply", sb.Token, string(seed))
			}(sb)
		}
		wg.Wait()
		cancel()
		sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
		if len(latencies) == 0 {
			b.Fatal("no steps delivered")
		}
		if testing.Verbose() {
			for k, v := range byComponent {
				sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
				b.Logf("%-32s n=%6d p50=%v p99=%v max=%v", k, len(v), v[len(v)/2], v[len(v)*99/100], v[len(v)-1])
			}
		}
		b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(len(latencies)), "steps-delivered")
		b.ReportMetric(float64(lost), "steps-lost")
		b.ReportMetric(perSandbox, "MiB/idle-sandbox")
		for _, sb := range sbs {
			_ = h.sandboxes.Delete(context.Background(), sb.ID)
		}
	}
}
