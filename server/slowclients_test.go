package server_test

// Slow and hostile clients (slowclients.go): a client that sends its request
// one byte at a time is cut off when the header timeout passes, on the web
// port and on the API port, while everyone else is served; step streams that
// never read or that send garbage do not hold up anyone else's stream.

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/testcluster"
	"github.com/glassplane/glassplane/server"
)

// slowHeaderTimeout is the header timeout under test (10 s in production).
const slowHeaderTimeout = time.Second

// slowClients is how many slowloris connections each port gets.
const slowClients = 40

func startWithShortHeaderTimeouts(t *testing.T) *harness {
	t.Helper()
	c := testcluster.StartWith(t, controlplane.Config{Nodes: -1, ReadHeaderTimeout: slowHeaderTimeout})
	return startOn(t, c, func(cfg *server.Config) { cfg.ReadHeaderTimeout = slowHeaderTimeout })
}

func TestSlowlorisClientsAreCutOffWhileOthersAreServed(t *testing.T) {
	t.Parallel()
	h := startWithShortHeaderTimeouts(t)
	cs := h.cluster.Client("admin")
	ports := []struct {
		name string
		dial func() (net.Conn, error)
		// served checks that an ordinary client is answered.
		served func() error
	}{
		{"web", func() (net.Conn, error) { return net.Dial("tcp", h.web.Addr) }, func() error {
			resp, err := http.Get("http://" + h.web.Addr + "/healthz")
			if err == nil {
				resp.Body.Close()
			}
			return err
		}},
		{"API after the TLS handshake", func() (net.Conn, error) {
			return tls.Dial("tcp", h.cluster.Addr, &tls.Config{InsecureSkipVerify: true})
		}, func() error { _, err := cs.Discovery().ServerVersion(); return err }},
		{"API during the TLS handshake", func() (net.Conn, error) { return net.Dial("tcp", h.cluster.Addr) },
			func() error { _, err := cs.Discovery().ServerVersion(); return err }},
	}
	for _, p := range ports {
		t.Run(p.name, func(t *testing.T) {
			handshake := p.name == "API during the TLS handshake"
			var wg sync.WaitGroup
			held := make(chan time.Duration, slowClients)
			for i := 0; i < slowClients; i++ {
				conn, err := p.dial()
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				wg.Add(1)
				go func() {
					defer wg.Done()
					held <- dripUntilClosed(conn, handshake)
				}()
			}
			start := time.Now()
			if err := p.served(); err != nil {
				t.Errorf("an ordinary client beside %d slow ones: %v", slowClients, err)
			}
			t.Logf("an ordinary request took %v beside %d slow clients", time.Since(start), slowClients)
			wg.Wait()
			close(held)
			var longest time.Duration
			for d := range held {
				longest = max(longest, d)
			}
			t.Logf("the server closed all %d slow connections, the last after %v (timeout %v)", slowClients, longest, slowHeaderTimeout)
			if longest > slowHeaderTimeout+10*time.Second {
				t.Errorf("a slow connection was held %v, want about %v", longest, slowHeaderTimeout)
			}
		})
	}
}

// dripUntilClosed sends a request one byte every 100 ms — the headers never
// end, or, during a TLS handshake, the ClientHello never comes — until the
// server closes the connection, and says how long that took. It gives up after
// 30 s.
func dripUntilClosed(conn net.Conn, handshake bool) time.Duration {
	start := time.Now()
	drip := []byte("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
	if handshake {
		drip = []byte{0x16, 0x03, 0x01} // a TLS record header, then nothing
	}
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		_, _ = io.Copy(io.Discard, conn) // returns when the server closes
	}()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-closed:
			return time.Since(start)
		case <-tick.C:
		}
		b := byte('a')
		if i < len(drip) {
			b = drip[i]
		}
		if handshake && i >= len(drip) {
			continue // a stalled handshake sends nothing more
		}
		if _, err := conn.Write([]byte{b}); err != nil {
			<-closed
			return time.Since(start)
		}
	}
}

func TestStreamsThatNeverReadOrSendGarbageDoNotHoldUpOthers(t *testing.T) {
	t.Parallel()
	h := start(t)
	cs := h.cluster.Client("admin")
	for i := 0; i < 8; i++ {
		idle, _, err := h.dial("default", h.token, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		defer idle.Close() // never read
	}
	for _, garbage := range []struct {
		kind int
		data []byte
	}{
		{websocket.TextMessage, []byte("{not json")},
		{websocket.BinaryMessage, make([]byte, 1<<20)}, // over the read limit
	} {
		g, _, err := h.dial("default", h.token, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		defer g.Close()
		_ = g.WriteMessage(garbage.kind, garbage.data)
	}
	raw, err := net.Dial("tcp", h.web.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	_, _ = raw.Write([]byte("GET /glassplane/v1/sandboxes/default/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x00\xff garbage"))

	reader, _, err := h.dial("default", h.token, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	createConfigMap(t, cs, "seen-by-the-reader")
	start := time.Now()
	readUntil(t, reader, storeOf("seen-by-the-reader"))
	t.Logf("a reading stream got its step %v after the create, beside 8 streams that never read and 3 that sent garbage", time.Since(start))
}
