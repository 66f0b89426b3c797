package apiserver

// pods/attach: `kubectl attach`. Where exec starts a new process in a
// container, attach joins the one already running: kubectl sees what the
// container's main process writes, and with -i its typing goes to that
// process's standard input. It speaks the same WebSocket channel protocol
// as exec (podexec.go), is authorized the same way (create on pods/attach
// for the WebSocket GET), and ends when the container's process ends or
// the client goes away.

import (
	"context"
	"io"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// PodAttach joins the running process of a container of a pod on its node.
type PodAttach interface {
	Attach(ctx context.Context, pod *corev1.Pod, container string, tty bool, stdin io.Reader, stdout, stderr io.Writer) error
}

func (s *Server) podAttach(q *apiRequest) (runtime.Object, int, error) {
	if q.info.Verb != "create" && q.info.Verb != "get" {
		return nil, 0, apierrors.NewMethodNotSupported(q.res.GroupResource(), q.info.Verb+" attach")
	}
	obj, err := s.get(q)
	if err != nil {
		return nil, 0, err
	}
	pod := obj.(*corev1.Pod)
	container, err := streamTarget(q, pod, "attach", s.PodAttach != nil)
	if err != nil {
		return nil, 0, err
	}
	ch, stdin := upgradeStreams(q)
	if ch == nil {
		return nil, 0, nil // Upgrade has answered the client
	}
	defer ch.conn.Close()
	query := q.r.URL.Query()
	ctx, cancel := context.WithCancel(q.ctx)
	defer cancel()
	go func() {
		select {
		case <-ch.gone:
			cancel()
		case <-ctx.Done():
		}
	}()
	err = s.PodAttach.Attach(ctx, pod, container, query.Get("tty") == "true" || query.Get("tty") == "1",
		stdin, ch.writer(streamStdout), ch.writer(streamStderr))
	st := metav1.Status{Status: metav1.StatusSuccess}
	if err != nil {
		st = metav1.Status{Status: metav1.StatusFailure, Message: err.Error()}
	}
	ch.finish(st)
	return nil, 0, nil
}
