package controlplane

// The components of a cluster (the controller manager, the scheduler, the
// kubelets) live in the same process as its API server, yet each is a
// client like any other: it has its own identity and certificate, and every
// request it makes goes through the whole handler chain — authentication,
// RBAC, admission, validation, etcd, the steps. What it does not need is the
// socket in between. On a machine with two cores, encrypting each request and
// answer with TLS over loopback and framing it as HTTP/2, once on each side,
// cost about a tenth of the CPU of a create (docs/performance.md).
//
// inProcessTransport is an http.RoundTripper that hands the request to the
// API server's handler directly, as net/http's server would after the TLS
// handshake: the request carries the component's client certificate as the
// connection's peer certificate, so authentication verifies it against the
// cluster CA exactly as it does for kubectl, and the answer streams back
// through a pipe, so a watch is delivered event by event. Closing the
// answer's body, or the request's context ending, cancels the handler's
// context, as a client hanging up does.
//
// Clients outside the process (kubectl, the browser app, tests) still use
// the TLS listener.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
)

// ComponentConfig is ClientConfig for a component that runs in this process
// (the cluster's own, or a benchmark's scheduler): the same identity and
// certificate, carried by an inProcessTransport instead of TLS.
func (c *Cluster) ComponentConfig(user string, groups ...string) (*rest.Config, error) {
	cfg, err := c.ClientConfig(user, groups...)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(cfg.CertData)
	if block == nil {
		return nil, errors.New("the client certificate is not PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, err
	}
	cfg.TLSClientConfig = rest.TLSClientConfig{} // client-go refuses TLS settings beside a Transport
	cfg.Transport = &inProcessTransport{handler: c.API, addr: c.Addr, work: make(chan func()), peer: &tls.ConnectionState{
		Version: tls.VersionTLS13, HandshakeComplete: true, NegotiatedProtocol: "h2",
		PeerCertificates: []*x509.Certificate{cert},
	}}
	// Components read in protobuf, as kube's do: their informers decode
	// every object they list and watch, and protobuf decodes several times
	// faster than JSON. They write JSON, the format the handler chain reads
	// request bodies in (a protobuf body would be turned into JSON first).
	cfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	return cfg, nil
}

// inProcessTransport serves each request with handler on a goroutine apart
// from the client's, as the server's connection would, presenting peer as
// the TLS state.
type inProcessTransport struct {
	handler http.Handler
	addr    string // the API server's address, the requests' Host
	peer    *tls.ConnectionState
	// work hands a request to one of this client's goroutines that has
	// served one before and waits for the next (see serve); a send
	// succeeds only when one is waiting.
	work chan func()
}

func (t *inProcessTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	in := req.Clone(ctx)
	in.URL = &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	in.RequestURI = req.URL.RequestURI()
	in.Host = t.addr
	in.RemoteAddr = "127.0.0.1:0" // in the same process
	in.Proto, in.ProtoMajor, in.ProtoMinor = "HTTP/2.0", 2, 0
	in.TLS = t.peer
	if in.Body == nil {
		in.Body = http.NoBody
	}
	pr, pw := io.Pipe()
	w := &pipeResponse{header: http.Header{}, body: pw, ready: make(chan struct{})}
	t.serve(func() {
		defer func() {
			if p := recover(); p != nil {
				// net/http's server would log it and drop the connection.
				w.abort(fmt.Errorf("the API server's handler stopped: %v", p))
				return
			}
			w.finish()
		}()
		t.handler.ServeHTTP(w, in)
	})
	select {
	case <-w.ready:
	case <-ctx.Done():
		cancel()
		_ = pr.CloseWithError(ctx.Err())
		return nil, ctx.Err()
	}
	if w.err != nil {
		cancel()
		return nil, w.err
	}
	resp := &http.Response{
		Status:     strconv.Itoa(w.code) + " " + http.StatusText(w.code),
		StatusCode: w.code, Proto: "HTTP/2.0", ProtoMajor: 2,
		Header: w.sent, ContentLength: -1, Request: req,
		Body: &cancelOnClose{PipeReader: pr, cancel: cancel},
	}
	if n, err := strconv.ParseInt(w.sent.Get("Content-Length"), 10, 64); err == nil {
		resp.ContentLength = n
	}
	return resp, nil
}

// serve runs f on a goroutine that has served a request of this client
// before, if one is waiting, or on a new one. A new goroutine starts with a
// small stack and grows it, copying, as the handler chain goes deep (the
// managed-fields walk, the admission plugins); a worker keeps the stack it
// grew (until the garbage collector shrinks a stack it finds mostly unused),
// as the goroutine of a kept-alive HTTP/1 connection does for its next
// request. A worker idle for workerIdle ends.
func (t *inProcessTransport) serve(f func()) {
	select {
	case t.work <- f:
	default:
		go t.worker(f)
	}
}

const workerIdle = 10 * time.Second

func (t *inProcessTransport) worker(f func()) {
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		f()
		f = nil // the request it served is not kept while it waits
		idle.Reset(workerIdle)
		select {
		case f = <-t.work:
		case <-idle.C:
			return
		}
	}
}

// pipeResponse is the handler's http.ResponseWriter: the status and headers
// are handed over at WriteHeader (or the first Write), and the body is
// written into a pipe the client reads, so nothing is buffered.
type pipeResponse struct {
	header http.Header
	body   *io.PipeWriter

	once  sync.Once
	ready chan struct{} // closed once code and sent (or err) are set
	code  int
	sent  http.Header // the headers as they were at WriteHeader
	err   error       // set instead if the handler failed before it answered
}

func (w *pipeResponse) Header() http.Header { return w.header }

func (w *pipeResponse) WriteHeader(code int) {
	if code < 200 { // informational answers are not passed on
		return
	}
	w.once.Do(func() {
		w.code, w.sent = code, w.header.Clone()
		close(w.ready)
	})
}

func (w *pipeResponse) Write(p []byte) (int, error) {
	if w.code == 0 && w.header.Get("Content-Type") == "" { // as net/http sniffs it
		w.header.Set("Content-Type", http.DetectContentType(p))
	}
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

// Flush sends the headers if they have not gone yet; what was written has
// already reached the pipe.
func (w *pipeResponse) Flush() { w.WriteHeader(http.StatusOK) }

// finish ends the body once the handler has returned (with 200 if it never
// answered, as net/http does).
func (w *pipeResponse) finish() {
	w.WriteHeader(http.StatusOK)
	_ = w.body.Close()
}

// abort fails the request if it has not been answered yet, or cuts its body
// off if it has.
func (w *pipeResponse) abort(err error) {
	w.once.Do(func() {
		w.err = err
		close(w.ready)
	})
	_ = w.body.CloseWithError(err)
}

// cancelOnClose is the response body: closing it hangs up, which ends the
// handler's context (a watch stops) and its pending writes.
type cancelOnClose struct {
	*io.PipeReader
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	b.cancel()
	return b.PipeReader.Close()
}
