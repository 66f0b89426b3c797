package apiserver

// pods/exec: `kubectl exec`. The client asks to upgrade its connection to a
// WebSocket speaking Kubernetes' channel protocol (v5.channel.k8s.io, or
// v4): every message starts with one byte naming its stream — 0 stdin, 1
// stdout, 2 stderr, 3 the error stream, 4 terminal resizes, and in v5, 255
// "this stream is closed". The API server authorizes the request (create on
// pods/exec, as kube-apiserver does for a WebSocket upgrade since 1.31),
// upgrades it, and hands the streams to the pod's kubelet. When the command
// ends, the error stream carries its result as a Status — Success, or
// NonZeroExitCode with the code as a cause, which kubectl turns into its own
// exit code — and the connection closes.
//
// kubectl older than 1.30 spoke SPDY instead; the kubectls this project
// supports (1.32 and later) speak WebSocket first.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/gorilla/websocket"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// PodExec runs a command in a container of a pod on its node.
type PodExec interface {
	Exec(ctx context.Context, pod *corev1.Pod, container string, command []string, tty bool, stdin io.Reader, stdout, stderr io.Writer) (int, error)
}

// The channel protocol's stream numbers.
const (
	streamStdin  = 0
	streamStdout = 1
	streamStderr = 2
	streamError  = 3
	streamResize = 4
	streamClose  = 255 // v5: the stream named by the next byte is closed
)

// streamingSubresources are the pod subresources a client reaches by
// upgrading its connection.
var streamingSubresources = map[string]bool{"exec": true, "attach": true, "portforward": true}

var execUpgrader = websocket.Upgrader{
	Subprotocols:    []string{"v5.channel.k8s.io", "v4.channel.k8s.io"},
	ReadBufferSize:  4096,
	WriteBufferSize: 4096,
}

func (s *Server) podExec(q *apiRequest) (runtime.Object, int, error) {
	if q.info.Verb != "create" && q.info.Verb != "get" {
		return nil, 0, apierrors.NewMethodNotSupported(q.res.GroupResource(), q.info.Verb+" exec")
	}
	obj, err := s.get(q)
	if err != nil {
		return nil, 0, err
	}
	pod := obj.(*corev1.Pod)
	query := q.r.URL.Query()
	command := query["command"]
	if len(command) == 0 {
		return nil, 0, apierrors.NewBadRequest("you must specify at least 1 command")
	}
	container, err := streamTarget(q, pod, "exec into", s.PodExec != nil)
	if err != nil {
		return nil, 0, err
	}
	ch, stdin := upgradeStreams(q)
	if ch == nil {
		return nil, 0, nil // Upgrade has answered the client
	}
	defer ch.conn.Close()
	code, err := s.PodExec.Exec(q.ctx, pod, container, command, query.Get("tty") == "true" || query.Get("tty") == "1",
		stdin, ch.writer(streamStdout), ch.writer(streamStderr))
	ch.finish(execStatus(command, code, err))
	return nil, 0, nil
}

// streamTarget is the container of pod a pods/exec or pods/attach request
// names, checked as kube-apiserver checks it before it dials the kubelet;
// what names the act in the messages ("exec into", "attach"), and served
// says whether the kubelets serve it at all.
func streamTarget(q *apiRequest, pod *corev1.Pod, what string, served bool) (string, error) {
	container := q.r.URL.Query().Get("container")
	if container == "" {
		if len(pod.Spec.Containers) != 1 {
			return "", apierrors.NewBadRequest(fmt.Sprintf("a container name must be specified for pod %s, choose one of: %v", pod.Name, containerNames(pod)))
		}
		container = pod.Spec.Containers[0].Name
	}
	if pod.Spec.NodeName == "" || !served {
		return "", apierrors.NewBadRequest(fmt.Sprintf("pod %s does not have a host assigned", pod.Name))
	}
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return "", apierrors.NewBadRequest(fmt.Sprintf("cannot %s a container in a completed pod; current phase is %s", what, pod.Status.Phase))
	}
	if !websocket.IsWebSocketUpgrade(q.r) {
		return "", apierrors.NewBadRequest("Upgrade request required")
	}
	return container, nil
}

// upgradeStreams turns the request into the channel protocol's WebSocket
// and starts reading the client's side; stdin is nil unless the client
// asked to send it. A nil channels means Upgrade has answered the client.
func upgradeStreams(q *apiRequest) (*channels, io.Reader) {
	conn, err := execUpgrader.Upgrade(q.w, q.r, nil)
	if err != nil {
		return nil, nil
	}
	ch := newChannels(conn)
	var stdin io.Reader
	if flag := q.r.URL.Query().Get("stdin"); flag == "true" || flag == "1" {
		stdin = ch.stdin
	}
	go ch.readLoop()
	return ch, stdin
}

// execStatus is what the error stream says of a command that ended.
func execStatus(command []string, code int, err error) metav1.Status {
	switch {
	case err != nil:
		return metav1.Status{Status: metav1.StatusFailure, Message: err.Error()}
	case code != 0:
		return metav1.Status{Status: metav1.StatusFailure, Reason: "NonZeroExitCode",
			Message: fmt.Sprintf("command terminated with non-zero exit code: error executing command %v, exit code %d", command, code),
			Details: &metav1.StatusDetails{Causes: []metav1.StatusCause{{Type: "ExitCode", Message: strconv.Itoa(code)}}}}
	}
	return metav1.Status{Status: metav1.StatusSuccess}
}

// channels multiplexes the streams of one exec over its WebSocket.
type channels struct {
	conn  *websocket.Conn
	mu    sync.Mutex // one writer at a time
	stdin *io.PipeReader
	in    *io.PipeWriter
	gone  chan struct{} // closed when the client's side of the connection ends
}

func newChannels(conn *websocket.Conn) *channels {
	r, w := io.Pipe()
	return &channels{conn: conn, stdin: r, in: w, gone: make(chan struct{})}
}

// readLoop feeds stdin from the client's messages until the connection or
// stdin closes; it also keeps the connection's pings answered.
func (c *channels) readLoop() {
	defer close(c.gone)
	defer c.in.Close()
	for {
		_, msg, err := c.conn.ReadMessage()
		if err != nil || len(msg) == 0 {
			return
		}
		switch msg[0] {
		case streamStdin:
			if _, err := c.in.Write(msg[1:]); err != nil {
				return
			}
		case streamClose:
			if len(msg) > 1 && msg[1] == streamStdin {
				_ = c.in.Close()
			}
		case streamResize: // a terminal's size: the simulated shell has no use for it
		}
	}
}

func (c *channels) send(stream byte, p []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conn.WriteMessage(websocket.BinaryMessage, append([]byte{stream}, p...))
}

// writer writes to one output stream.
func (c *channels) writer(stream byte) io.Writer { return streamWriter{c, stream} }

type streamWriter struct {
	c      *channels
	stream byte
}

func (w streamWriter) Write(p []byte) (int, error) {
	if err := w.c.send(w.stream, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// finish sends the result on the error stream and closes the connection.
func (c *channels) finish(st metav1.Status) {
	body, _ := json.Marshal(st)
	_ = c.send(streamError, bytes.TrimSpace(body))
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	_ = c.in.Close()
}
