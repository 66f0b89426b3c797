package server

// The sandboxes' front door: one TLS port on every replica through which
// kubectl reaches any sandbox, wherever it runs.
//
// Each sandbox's API server listens on a port of its own on the replica
// that runs it, and after a failover on another replica at another port. A
// kubeconfig cannot follow that, and a load balancer cannot route to it.
// So a replicated server also listens on one port for all sandboxes, and a
// sandbox's kubeconfig names that port (or the load balancer in front of
// every replica's) with the sandbox's own TLS server name,
// ID.sandboxes.glassplane, which its API server's certificate covers.
//
// The front door never decrypts: it reads the server name from the TLS
// ClientHello, as an SNI router does, and joins the connection to the
// sandbox's API server, here or at the replica that runs it. TLS goes end
// to end between kubectl and the sandbox's API server, so the sandbox's
// own CA, client certificates and tokens work as they do on a direct
// connection, and the API server records the requests as always.
//
// Between replicas a connection is prefixed with one line, "GLASSPLANE-PASS
// SECRET\n" (the replicas' shared secret), and a passed connection is never
// passed again. While a sandbox is between owners the front door waits for
// the new one, up to frontDoorWait, so kubectl sees a slow answer rather
// than a refused connection.

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"
)

// SandboxServerNameSuffix follows a sandbox's id in the TLS server name
// its kubeconfig asks for at the front door.
const SandboxServerNameSuffix = ".sandboxes.glassplane"

// SandboxServerName is the TLS server name of sandbox id.
func SandboxServerName(id string) string { return id + SandboxServerNameSuffix }

const (
	passPreface   = "GLASSPLANE-PASS "
	frontDoorWait = 15 * time.Second // for a sandbox between owners
	helloTimeout  = 10 * time.Second // for a client to send its ClientHello
)

// FrontDoor is the listening front door of one replica.
type FrontDoor struct {
	Addr      string // as bound
	sandboxes *Sandboxes
	ln        net.Listener
	conns     sync.WaitGroup
	done      chan struct{}
}

// StartFrontDoor listens on addr for every sandbox's Kubernetes API. From
// then on a sandbox's kubeconfig names public (the bound address if "": a
// load balancer in front of every replica's front door, or this one).
func (s *Sandboxes) StartFrontDoor(addr, public string) (*FrontDoor, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("the sandboxes' front door cannot listen on %s: %w", addr, err)
	}
	f := &FrontDoor{Addr: ln.Addr().String(), sandboxes: s, ln: ln, done: make(chan struct{})}
	s.mu.Lock()
	s.frontDoor = cmp.Or(public, f.Addr)
	s.mu.Unlock()
	go f.serve()
	return f, nil
}

// APIAddress is where a kubeconfig reaches sandbox sb: its own port, or
// the front door with the sandbox's TLS server name.
func (s *Sandboxes) APIAddress(sb *Sandbox) (addr, serverName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.frontDoor == "" || sb.lease == 0 {
		return sb.Cluster.Addr, ""
	}
	return s.frontDoor, SandboxServerName(sb.ID)
}

// Close stops accepting and waits for the connections it joined to end.
func (f *FrontDoor) Close() error {
	close(f.done)
	err := f.ln.Close()
	f.conns.Wait()
	return err
}

func (f *FrontDoor) serve() {
	for {
		conn, err := f.ln.Accept()
		if err != nil {
			select {
			case <-f.done:
				return
			default:
			}
			slog.Warn("the sandboxes' front door could not accept", "err", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		f.conns.Go(func() { f.handle(conn) })
	}
}

func (f *FrontDoor) handle(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(helloTimeout))
	br := bufio.NewReader(conn)
	passed := false
	if first, err := br.Peek(1); err == nil && first[0] == passPreface[0] {
		// ReadSlice stops at the reader's buffer: a line that long is
		// not a replica's, and is not read into memory without end.
		line, err := br.ReadSlice('\n')
		secret := strings.TrimSpace(strings.TrimPrefix(string(line), passPreface))
		want := f.sandboxes.secret()
		if err != nil || want == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(want)) != 1 {
			return
		}
		passed = true
	}
	var hello bytes.Buffer
	name, err := serverName(io.TeeReader(br, &hello))
	if err != nil {
		return
	}
	id, ok := strings.CutSuffix(name, SandboxServerNameSuffix)
	if !ok || id == "" {
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	ctx, cancel := context.WithTimeout(context.Background(), frontDoorWait)
	backend, err := f.dial(ctx, id, passed)
	cancel()
	if err != nil {
		slog.Debug("the sandboxes' front door could not reach a sandbox", "sandbox", id, "err", err)
		return
	}
	defer backend.Close()
	if _, err := backend.Write(hello.Bytes()); err != nil {
		return
	}
	// What the reader buffered past the hello goes too (a client may send
	// its next record before the answer).
	rest, _ := br.Peek(br.Buffered())
	if _, err := backend.Write(rest); err != nil {
		return
	}
	_, _ = br.Discard(len(rest))
	joined := make(chan struct{})
	go func() { // Close ends the connections it joined, watches included
		select {
		case <-f.done:
			conn.Close()
			backend.Close()
		case <-joined:
		}
	}()
	join(conn, backend)
	close(joined)
}

// dial connects to sandbox id's API server, here or through the front door
// of the replica that runs it, waiting while it has no owner.
func (f *FrontDoor) dial(ctx context.Context, id string, passed bool) (net.Conn, error) {
	var d net.Dialer
	for {
		if sb, ok := f.sandboxes.Get(id); ok {
			return d.DialContext(ctx, "tcp", sb.Cluster.Addr)
		}
		owner, exists, err := f.sandboxes.Owner(ctx, id)
		if !exists {
			return nil, errors.New("no such sandbox")
		}
		if err == nil && !passed && owner.API != "" && f.sandboxes.replica != nil && owner != f.sandboxes.replica.self {
			c, err := d.DialContext(ctx, "tcp", owner.API)
			if err == nil {
				if _, err = io.WriteString(c, passPreface+f.sandboxes.secret()+"\n"); err == nil {
					return c, nil
				}
				c.Close()
			}
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// errHelloRead stops the handshake once the ClientHello is read.
var errHelloRead = errors.New("read the ClientHello")

// serverName reads a TLS ClientHello from r and returns the server name it
// asks for.
func serverName(r io.Reader) (string, error) {
	var name string
	err := tls.Server(helloConn{r: r}, &tls.Config{
		GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
			name = h.ServerName
			return nil, errHelloRead
		},
	}).Handshake()
	if name == "" {
		return "", errors.Join(errors.New("the client sent no TLS server name"), err)
	}
	return name, nil
}

// helloConn lets crypto/tls read a ClientHello and nothing else.
type helloConn struct{ r io.Reader }

func (c helloConn) Read(p []byte) (int, error)     { return c.r.Read(p) }
func (helloConn) Write([]byte) (int, error)        { return 0, io.ErrClosedPipe }
func (helloConn) Close() error                     { return nil }
func (helloConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (helloConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (helloConn) SetDeadline(time.Time) error      { return nil }
func (helloConn) SetReadDeadline(time.Time) error  { return nil }
func (helloConn) SetWriteDeadline(time.Time) error { return nil }

// join copies both ways until both directions end.
func join(a, b net.Conn) {
	var wg sync.WaitGroup
	half := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		if tc, ok := dst.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		} else {
			_ = dst.Close()
		}
	}
	wg.Go(func() { half(a, b) })
	wg.Go(func() { half(b, a) })
	wg.Wait()
}
