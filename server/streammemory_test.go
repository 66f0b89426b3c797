package server_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/server"
)

// fillHistory records n steps shaped like a busy cluster's (about 600 bytes
// of JSON each, as a store step with its object's fields).
func fillHistory(r *steps.Recorder, n int) {
	ctx := context.Background()
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("web-7d4b9c8f5-%05d", i)
		r.Record(ctx, steps.Step{Component: steps.Etcd, Stage: steps.Store,
			Object:  steps.Object{APIVersion: "v1", Kind: "Pod", Namespace: "default", Name: name, UID: fmt.Sprintf("%032x", i), ResourceVersion: fmt.Sprint(1000 + i)},
			Message: steps.Msg("etcd.store.create", "key", "/registry/pods/default/"+name, "revision", fmt.Sprint(1000+i)),
			Detail: map[string]any{"key": "/registry/pods/default/" + name, "revision": 1000 + i,
				"labels": map[string]string{"app": "web", "pod-template-hash": "7d4b9c8f5"}, "node": "node-2",
				"note": strings.Repeat("x", 200)}})
	}
}

func heapNow() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

const (
	historySteps     = 20000
	idleSockets      = 500
	peakBoundMiB     = 300 // over the baseline, with idleSockets open on a full history
	releasedBoundMiB = 40  // over the baseline, once they closed
)

func TestStreamsOnAFullHistoryStayWithinAMemoryBoundAndReleaseItOnClose(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 500 websockets")
	}
	h := startStreams(t, idleSockets, idleSockets)
	fillHistory(h.cluster.Steps, historySteps)
	base := heapInUse()

	var peak uint64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if n := heapNow(); n > peak {
				peak = n
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()

	// Clients that open the stream without since and never read.
	var conns []*websocket.Conn
	for i := 0; i < idleSockets; i++ {
		conn, _, err := h.dial("default", h.token, 0, "")
		if err != nil {
			t.Fatalf("socket %d: %v", i, err)
		}
		conns = append(conns, conn)
	}
	time.Sleep(3 * time.Second) // let every handler send what it can to a client that does not read
	close(stop)
	sampler.Wait()
	for _, c := range conns {
		c.Close()
	}
	var after uint64
	for deadline := time.Now().Add(30 * time.Second); ; {
		after = heapInUse()
		if after < base+releasedBoundMiB<<20 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	mib := func(n uint64) float64 { return float64(n) / (1 << 20) }
	t.Logf("%d steps of history, %d idle sockets: heap in use %.0f MiB at baseline, %.0f MiB at peak (+%.0f), %.0f MiB after they closed (+%.0f)",
		historySteps, idleSockets, mib(base), mib(peak), mib(peak-base), mib(after), mib(after)-mib(base))
	if peak > base+peakBoundMiB<<20 {
		t.Errorf("%d sockets took the heap %.0f MiB above the baseline, over the %d MiB bound", idleSockets, mib(peak-base), peakBoundMiB)
	}
	if after > base+releasedBoundMiB<<20 {
		t.Errorf("after the sockets closed the heap stayed %.0f MiB above the baseline", mib(after)-mib(base))
	}
}

func startStreams(t *testing.T, perSandbox, perClient int) *harness {
	return start(t, func(c *server.Config) { c.MaxStreamsPerSandbox, c.MaxStreamsPerClient = perSandbox, perClient })
}

func TestStreamsOverTheSandboxOrClientCapAreRefusedWithRetryAfter(t *testing.T) {
	h := startStreams(t, 3, 4)
	other, err := h.sandboxes.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var open []*websocket.Conn
	defer func() {
		for _, c := range open {
			c.Close()
		}
	}()
	dial := func(id, token string) (*websocket.Conn, *http.Response, error) {
		conn, resp, err := h.dial(id, token, 0, "")
		if err == nil {
			open = append(open, conn)
		}
		return conn, resp, err
	}
	for i := 0; i < 3; i++ {
		if _, _, err := dial("default", h.token); err != nil {
			t.Fatalf("stream %d of 3: %v", i+1, err)
		}
	}
	refused := func(what string, resp *http.Response, err error) {
		t.Helper()
		if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s: %v, want 429 with Retry-After", what, err)
		}
	}
	_, resp, err := dial("default", h.token)
	refused("a 4th stream on a sandbox capped at 3", resp, err)
	if _, _, err := dial(other.ID, other.Token); err != nil {
		t.Fatalf("another sandbox's stream: %v", err)
	}
	_, resp, err = dial(other.ID, other.Token)
	refused("a 5th stream from a client capped at 4", resp, err)

	// Closing a stream frees its place.
	open[0].Close()
	for deadline := time.Now().Add(30 * time.Second); ; {
		conn, _, err := h.dial("default", h.token, 0, "")
		if err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a closed stream's place was never freed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestStreamReplaysTheWholeHistoryInBoundedPagesThenSaysLive(t *testing.T) {
	h := start(t)
	fillHistory(h.cluster.Steps, 1000)
	conn, _, err := h.dial("default", h.token, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	var next uint64 = 1
	for {
		var m server.Message
		if err := conn.ReadJSON(&m); err != nil {
			t.Fatalf("stream ended before it went live: %v", err)
		}
		if m.Type == "live" {
			if m.Since != next-1 || next-1 < 1000 {
				t.Errorf("live after seq %d, announced since=%d", next-1, m.Since)
			}
			return
		}
		if len(m.Steps) > 256 {
			t.Errorf("a history message of %d steps, over the page of 256", len(m.Steps))
		}
		for _, s := range m.Steps {
			if s.Seq != next {
				t.Fatalf("got seq %d, want %d: the history was not replayed whole and in order", s.Seq, next)
			}
			next++
		}
	}
}

// TestAThousandStreamsAtOnceAreCappedAndTheServerKeepsAnswering: one client
// opens 1,000 step streams to a sandbox at once, 100 at a time, and never
// reads them. The sandbox's cap (32) lets that many in; every other one is
// answered 429 with Retry-After before any websocket exists. Meanwhile the
// app API keeps answering, and what the server then holds stays within a
// bound.
func TestAThousandStreamsAtOnceAreCappedAndTheServerKeepsAnswering(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 1,000 websockets")
	}
	const sockets = 1000
	h := start(t)
	fillHistory(h.cluster.Steps, 2000)
	base := heapInUse()

	var (
		mu       sync.Mutex
		open     []*websocket.Conn
		refused  int
		other    []string
		answered []time.Duration
	)
	defer func() {
		for _, c := range open {
			c.Close()
		}
	}()
	stop := make(chan struct{})
	var probe sync.WaitGroup
	probe.Go(func() { // someone else using the app API meanwhile
		for {
			began := time.Now()
			code, body := h.do("GET", "/glassplane/v1/sandboxes/default/pacer", h.token, nil)
			if code != http.StatusOK {
				t.Errorf("the app API answered %d meanwhile: %s", code, body)
				return
			}
			mu.Lock()
			answered = append(answered, time.Since(began))
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
	slots := make(chan struct{}, 100)
	var dials sync.WaitGroup
	for range sockets {
		slots <- struct{}{}
		dials.Go(func() {
			defer func() { <-slots }()
			conn, resp, err := h.dial("default", h.token, 0, "")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				open = append(open, conn)
			case resp != nil && resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") != "":
				refused++
			default:
				other = append(other, fmt.Sprint(err))
			}
		})
	}
	dials.Wait()
	close(stop)
	probe.Wait()
	// What the open streams hold (after a collection): the garbage of 1,000
	// dials is the race detector's and the machine's business, not a bound.
	held := heapInUse()

	if len(answered) == 0 {
		t.Fatal("the app API never answered while the streams were opened")
	}
	slices.Sort(answered)
	t.Logf("%d streams at once: %d open, %d refused with 429; %+.0f MiB held; the app API answered %d times meanwhile, the slowest in %v",
		sockets, len(open), refused, (float64(held)-float64(base))/(1<<20), len(answered), answered[len(answered)-1])
	if len(other) > 0 {
		t.Errorf("%d dials failed otherwise than with 429, e.g. %s", len(other), other[0])
	}
	if len(open) != server.DefaultMaxStreamsPerSandbox || refused != sockets-server.DefaultMaxStreamsPerSandbox {
		t.Errorf("%d open and %d refused; want the sandbox's cap of %d open and the rest refused", len(open), refused, server.DefaultMaxStreamsPerSandbox)
	}
	if held > base+100<<20 {
		t.Errorf("the server held %.0f MiB more, over the 100 MiB bound", (float64(held)-float64(base))/(1<<20))
	}
}
