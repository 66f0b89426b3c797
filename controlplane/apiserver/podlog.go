package apiserver

// pods/log and namespaces/finalize: two subresources whose work is done
// elsewhere. In Kubernetes the API server forwards a log request to the
// kubelet of the pod's node; Glassplane's kubelets are simulated in the same
// process, so the API server asks them through the PodLogs interface.
// finalize is how the namespace controller says it has emptied a namespace.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
)

// PodLogs returns the log of a container of a pod running on a node, or
// writes it and follows it (kubectl logs -f).
type PodLogs interface {
	Logs(ctx context.Context, pod *corev1.Pod, container string, opts *corev1.PodLogOptions) ([]byte, error)
	FollowLogs(ctx context.Context, pod *corev1.Pod, container string, opts *corev1.PodLogOptions, w io.Writer, flush func()) error
}

func (s *Server) podLog(q *apiRequest) (runtime.Object, int, error) {
	if q.info.Verb != "get" {
		return nil, 0, apierrors.NewMethodNotSupported(q.res.GroupResource(), q.info.Verb+" log")
	}
	obj, err := s.get(q)
	if err != nil {
		return nil, 0, err
	}
	pod := obj.(*corev1.Pod)
	query := q.r.URL.Query()
	container := query.Get("container")
	if container == "" {
		if len(pod.Spec.Containers) != 1 {
			return nil, 0, apierrors.NewBadRequest(fmt.Sprintf("a container name must be specified for pod %s, choose one of: %v", pod.Name, containerNames(pod)))
		}
		container = pod.Spec.Containers[0].Name
	}
	if pod.Spec.NodeName == "" || s.PodLogs == nil {
		return nil, 0, apierrors.NewBadRequest(fmt.Sprintf("container %q in pod %q is waiting to start: the pod is not running on a node", container, pod.Name))
	}
	opts := &corev1.PodLogOptions{Container: container, Follow: query.Get("follow") == "true", Previous: query.Get("previous") == "true"}
	if v := query.Get("tailLines"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, 0, apierrors.NewBadRequest(fmt.Sprintf("tailLines must be an integer, not %q", v))
		}
		opts.TailLines = &n
	}
	if opts.Follow && !opts.Previous {
		return s.followLog(q, pod, container, opts)
	}
	out, err := s.PodLogs.Logs(q.ctx, pod, container, opts)
	if err != nil {
		return nil, 0, err
	}
	q.w.Header().Set("Content-Type", "text/plain")
	q.w.WriteHeader(http.StatusOK)
	_, _ = q.w.Write(out)
	return nil, 0, nil
}

// followLog streams a container's log until the container stops or the
// client goes: the answer is 200 as soon as the first lines are out, so an
// error before them is answered as a Status and one after ends the stream.
func (s *Server) followLog(q *apiRequest, pod *corev1.Pod, container string, opts *corev1.PodLogOptions) (runtime.Object, int, error) {
	sw := &startedWriter{w: q.w}
	flush := func() {
		if f, ok := q.w.(http.Flusher); ok {
			f.Flush()
		}
	}
	err := s.PodLogs.FollowLogs(q.ctx, pod, container, opts, sw, flush)
	if err != nil && !sw.started {
		return nil, 0, err
	}
	if !sw.started { // nothing written and nothing wrong: an empty log, ended
		q.w.Header().Set("Content-Type", "text/plain")
		q.w.WriteHeader(http.StatusOK)
	}
	return nil, 0, nil
}

// startedWriter writes the 200 header before its first bytes.
type startedWriter struct {
	w       http.ResponseWriter
	started bool
}

func (s *startedWriter) Write(b []byte) (int, error) {
	if !s.started {
		s.w.Header().Set("Content-Type", "text/plain")
		s.w.WriteHeader(http.StatusOK)
		s.started = true
	}
	return s.w.Write(b)
}

func containerNames(pod *corev1.Pod) []string {
	var names []string
	for _, c := range pod.Spec.Containers {
		names = append(names, c.Name)
	}
	return names
}

// finalize replaces a namespace's spec.finalizers; when the last is gone and
// the namespace is being deleted, it is deleted.
func (s *Server) finalize(q *apiRequest) (runtime.Object, int, error) {
	if q.info.Verb != "update" {
		return nil, 0, apierrors.NewMethodNotSupported(q.res.GroupResource(), q.info.Verb+" finalize")
	}
	obj, err := s.decodeBody(q)
	if err != nil {
		return nil, 0, err
	}
	old, err := s.Store.Get(q.ctx, q.res, "", q.info.Name)
	if err != nil {
		return nil, 0, err
	}
	ns := old.DeepCopyObject().(*corev1.Namespace)
	ns.Spec.Finalizers = obj.(*corev1.Namespace).Spec.Finalizers
	if rv := obj.(*corev1.Namespace).ResourceVersion; rv != "" {
		ns.ResourceVersion = rv
	}
	if ns.DeletionTimestamp != nil && finalizersLeft(ns) == 0 {
		out, err := s.Store.Delete(q.ctx, q.res, ns)
		return out, http.StatusOK, err
	}
	out, err := s.Store.Update(q.ctx, q.res, ns)
	return out, http.StatusOK, err
}
