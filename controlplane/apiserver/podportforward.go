package apiserver

// pods/portforward: `kubectl port-forward`. kubectl listens on a local port
// and, for every connection a program makes to it, asks the API server for
// a pair of streams to a port inside the pod: a data stream carrying the
// connection's bytes both ways and an error stream on which the far end
// writes why it could not connect. The streams ride one upgraded connection
// multiplexed with SPDY; since Kubernetes 1.31 kubectl carries that SPDY
// inside a WebSocket whose subprotocol is "SPDY/3.1+portforward.k8s.io"
// (kube-apiserver's stream tunnel), falling back to plain SPDY only if the
// WebSocket upgrade fails. The kubectls this project supports (1.32 and
// later) all tunnel, so that is what is served here.
//
// Each stream carries headers naming its type (data or error), the pod's
// port and a request ID that pairs a data stream with its error stream.
// When both of a pair have arrived, the API server hands the data stream to
// the pod's kubelet, which connects it to the port inside the container;
// if it cannot, the error goes back on the error stream and kubectl prints
// it. As kube-apiserver does for a WebSocket upgrade since 1.31, the GET is
// authorized as create on pods/portforward.
//
// The SPDY framing is upstream's (apimachinery's httpstream/spdy) and the
// WebSocket tunnel is client-go's TunnelingConnection, which kube-apiserver
// uses on its side of the same connection.

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/apimachinery/pkg/util/httpstream/spdy"
	constants "k8s.io/apimachinery/pkg/util/portforward"
	"k8s.io/client-go/tools/portforward"
)

// PodPortForward connects a stream to a port of a pod on its node.
type PodPortForward interface {
	PortForward(ctx context.Context, pod *corev1.Pod, port int32, stream io.ReadWriter) error
}

// streamPairTimeout is how long the half of a pair that came first waits
// for the other (the kubelet's streamCreationTimeout).
const streamPairTimeout = 30 * time.Second

var portForwardUpgrader = websocket.Upgrader{
	Subprotocols:    []string{constants.WebsocketsSPDYTunnelingPortForwardV1},
	ReadBufferSize:  32 * 1024,
	WriteBufferSize: 32 * 1024,
}

func (s *Server) podPortForward(q *apiRequest) (runtime.Object, int, error) {
	if q.info.Verb != "create" && q.info.Verb != "get" {
		return nil, 0, apierrors.NewMethodNotSupported(q.res.GroupResource(), q.info.Verb+" portforward")
	}
	obj, err := s.get(q)
	if err != nil {
		return nil, 0, err
	}
	pod := obj.(*corev1.Pod)
	if pod.Spec.NodeName == "" || s.PodPortForward == nil {
		return nil, 0, apierrors.NewBadRequest(fmt.Sprintf("pod %s does not have a host assigned", pod.Name))
	}
	if !websocket.IsWebSocketUpgrade(q.r) {
		return nil, 0, apierrors.NewBadRequest("Upgrade request required")
	}
	ws, err := portForwardUpgrader.Upgrade(q.w, q.r, nil)
	if err != nil {
		return nil, 0, nil // Upgrade has answered the client
	}
	tunnel := portforward.NewTunnelingConnection("apiserver", ws)
	defer tunnel.Close()
	received := make(chan httpstream.Stream)
	ctx, cancel := context.WithCancel(q.ctx)
	defer cancel()
	conn, err := spdy.NewServerConnection(tunnel, portForwardStreamReceived(ctx, received))
	if err != nil {
		return nil, 0, nil
	}
	defer conn.Close()
	pf := &portForwarding{s: s, ctx: ctx, cancel: cancel, pod: pod, conn: conn, pairs: map[string]*streamPair{}}
	pf.run(received)
	return nil, 0, nil
}

// portForwardStreamReceived accepts a stream that names a valid port and
// stream type, and passes it on; the client sees the rest refused.
func portForwardStreamReceived(ctx context.Context, streams chan<- httpstream.Stream) httpstream.NewStreamHandler {
	return func(stream httpstream.Stream, _ <-chan struct{}) error {
		if _, err := streamPort(stream); err != nil {
			return err
		}
		switch t := stream.Headers().Get(corev1.StreamType); t {
		case corev1.StreamTypeError, corev1.StreamTypeData:
		default:
			return fmt.Errorf("invalid stream type %q", t)
		}
		select {
		case streams <- stream:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func streamPort(stream httpstream.Stream) (int32, error) {
	s := stream.Headers().Get(corev1.PortHeader)
	if s == "" {
		return 0, fmt.Errorf("%q header is required", corev1.PortHeader)
	}
	port, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("unable to parse %q as a port: %v", s, err)
	}
	if port < 1 {
		return 0, fmt.Errorf("port %q must be > 0", s)
	}
	return int32(port), nil
}

// portForwarding is one `kubectl port-forward`: the streams of every
// connection made to its local ports, paired by request ID.
type portForwarding struct {
	s      *Server
	ctx    context.Context // ends with the client's connection
	cancel context.CancelFunc
	pod    *corev1.Pod
	conn   httpstream.Connection

	mu    sync.Mutex // guards pairs
	pairs map[string]*streamPair
}

// streamPair is the data and error streams of one forwarded connection.
type streamPair struct {
	mu         sync.Mutex // guards data and errs
	data, errs httpstream.Stream
	complete   chan struct{}
}

// run pairs the streams as they arrive and forwards each complete pair,
// until the client closes the connection.
func (pf *portForwarding) run(received <-chan httpstream.Stream) {
	var wg sync.WaitGroup
	defer func() { pf.cancel(); wg.Wait() }()
	for {
		select {
		case <-pf.conn.CloseChan():
			return
		case <-pf.ctx.Done():
			return
		case stream := <-received:
			id := stream.Headers().Get(corev1.PortForwardRequestIDHeader)
			p, created := pf.pair(id)
			if created {
				wg.Add(1)
				go func() { defer wg.Done(); pf.expire(id, p) }()
			}
			if complete, err := p.add(stream); err != nil {
				fmt.Fprintf(stream, "error processing stream for request %s: %v", id, err)
			} else if complete {
				wg.Add(1)
				go func() { defer wg.Done(); pf.forward(p) }()
			}
		}
	}
}

func (pf *portForwarding) pair(id string) (*streamPair, bool) {
	pf.mu.Lock()
	defer pf.mu.Unlock()
	if p, ok := pf.pairs[id]; ok {
		return p, false
	}
	p := &streamPair{complete: make(chan struct{})}
	pf.pairs[id] = p
	return p, true
}

// expire forgets a pair once complete, or after streamPairTimeout with the
// other half still missing.
func (pf *portForwarding) expire(id string, p *streamPair) {
	t := time.NewTimer(streamPairTimeout)
	defer t.Stop()
	select {
	case <-p.complete:
	case <-t.C:
		p.mu.Lock()
		if p.errs != nil {
			fmt.Fprintf(p.errs, "(request=%s) timed out waiting for streams", id)
		}
		p.mu.Unlock()
	case <-pf.ctx.Done():
	}
	pf.mu.Lock()
	delete(pf.pairs, id)
	pf.mu.Unlock()
}

// add files stream under its type; complete is true when both are in.
func (p *streamPair) add(stream httpstream.Stream) (complete bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch stream.Headers().Get(corev1.StreamType) {
	case corev1.StreamTypeError:
		if p.errs != nil {
			return false, fmt.Errorf("error stream already assigned")
		}
		p.errs = stream
	case corev1.StreamTypeData:
		if p.data != nil {
			return false, fmt.Errorf("data stream already assigned")
		}
		p.data = stream
	}
	if p.errs != nil && p.data != nil {
		close(p.complete)
		return true, nil
	}
	return false, nil
}

// forward hands the data stream to the pod's kubelet and reports its error,
// as the kubelet's streaming server does, on the error stream.
func (pf *portForwarding) forward(p *streamPair) {
	defer pf.conn.RemoveStreams(p.data, p.errs)
	defer p.errs.Close()
	defer p.data.Close()
	port, _ := streamPort(p.data)
	err := pf.s.PodPortForward.PortForward(pf.ctx, pf.pod, port, p.data)
	if err != nil {
		fmt.Fprintf(p.errs, "error forwarding port %d to pod %s, uid %v: %v", port, pf.pod.Name, pf.pod.UID, err)
	}
}
