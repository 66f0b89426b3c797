package testcluster

import (
	"io"
	"net"
	"slices"
	"sync"
	"testing"
)

// Balancer is a plain TCP load balancer, as a test puts one in front of
// several Glassplane replicas: each connection goes to the next backend,
// in turn, that accepts it. It knows nothing of sessions.
type Balancer struct {
	Addr     string
	mu       sync.Mutex
	backends []string
	next     int
}

// StartBalancer listens on a free loopback port until the test ends.
func StartBalancer(t testing.TB) *Balancer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lb := &Balancer{Addr: ln.Addr().String()}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go lb.pass(c)
		}
	}()
	return lb
}

// Add puts a backend behind the balancer.
func (lb *Balancer) Add(addr string) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	lb.backends = append(lb.backends, addr)
}

func (lb *Balancer) pass(c net.Conn) {
	defer c.Close()
	lb.mu.Lock()
	backends, start := slices.Clone(lb.backends), lb.next
	lb.next++
	lb.mu.Unlock()
	for i := range backends {
		b, err := net.Dial("tcp", backends[(start+i)%len(backends)])
		if err != nil {
			continue // a dead backend: the next one
		}
		defer b.Close()
		go func() {
			_, _ = io.Copy(b, c)
			b.Close()
		}()
		_, _ = io.Copy(c, b)
		return
	}
}
