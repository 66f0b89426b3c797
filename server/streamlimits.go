package server

// Stream limits. Every open step stream costs the server a goroutine pair, a
// subscription buffer and, while it replays history, a page of steps. So a
// sandbox may have at most MaxStreamsPerSandbox streams open and one client
// address MaxStreamsPerClient across all sandboxes; one more is answered 429
// Too Many Requests with Retry-After, before the websocket upgrade, as
// kube-apiserver answers a client over its in-flight limit. A browser tab
// holds one stream, so the defaults leave room for a student with many tabs
// and for a classroom behind one NAT address, not for a loop of sockets.

import (
	"net"
	"net/http"
	"strconv"
	"sync"
)

// Default stream limits (Config.MaxStreamsPerSandbox, MaxStreamsPerClient).
const (
	DefaultMaxStreamsPerSandbox = 32
	DefaultMaxStreamsPerClient  = 128
	streamRetryAfterSeconds     = 5
)

// streamSlots counts the open streams per sandbox and per client address.
type streamSlots struct {
	perSandbox, perClient int

	mu        sync.Mutex // guards the maps
	bySandbox map[string]int
	byClient  map[string]int
}

func newStreamSlots(perSandbox, perClient int) *streamSlots {
	if perSandbox <= 0 {
		perSandbox = DefaultMaxStreamsPerSandbox
	}
	if perClient <= 0 {
		perClient = DefaultMaxStreamsPerClient
	}
	return &streamSlots{perSandbox: perSandbox, perClient: perClient, bySandbox: map[string]int{}, byClient: map[string]int{}}
}

// take reserves a stream for sandbox and the request's client; it returns
// the release function, or the reason it refused.
func (s *streamSlots) take(sandbox string, r *http.Request) (release func(), refused string) {
	client, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		client = r.RemoteAddr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.bySandbox[sandbox] >= s.perSandbox:
		return nil, "this sandbox already has " + strconv.Itoa(s.perSandbox) + " step streams open, its limit; close a tab and try again"
	case s.byClient[client] >= s.perClient:
		return nil, "this address already has " + strconv.Itoa(s.perClient) + " step streams open, its limit; close some and try again"
	}
	s.bySandbox[sandbox]++
	s.byClient[client]++
	var once sync.Once
	return func() { once.Do(func() { s.put(sandbox, client) }) }, ""
}

func (s *streamSlots) put(sandbox, client string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bySandbox[sandbox]--; s.bySandbox[sandbox] <= 0 {
		delete(s.bySandbox, sandbox)
	}
	if s.byClient[client]--; s.byClient[client] <= 0 {
		delete(s.byClient, client)
	}
}
