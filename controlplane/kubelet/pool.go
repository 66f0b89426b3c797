package kubelet

// The nodes of a cluster. Kubernetes has no such object: each kubelet runs
// on its own machine, and the API server reaches the one it needs by the
// node's address. A Glassplane cluster's kubelets share one process, so a
// Pool holds them: it starts and stops each one (stopping a kubelet is how a
// lesson makes a node fail) and it is the API server's PodLogs, sending a
// pods/log request to the kubelet of the pod's node.
//
// Shutdown protocol: each kubelet the Pool starts runs until Stop, StopAll,
// or the end of the context Start was given; Stop waits until it has stopped.

import (
	"context"
	"io"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Pool holds the kubelets of one cluster.
type Pool struct {
	mu       sync.Mutex // guards kubelets
	kubelets map[string]*Kubelet
}

// NewPool returns a pool of the given kubelets.
func NewPool(kubelets ...*Kubelet) *Pool {
	p := &Pool{kubelets: map[string]*Kubelet{}}
	for _, k := range kubelets {
		p.Add(k)
	}
	return p
}

// Add adds a kubelet (not yet started) to the pool.
func (p *Pool) Add(k *Kubelet) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.kubelets[k.NodeName()] = k
}

// Kubelet returns the kubelet of node.
func (p *Pool) Kubelet(node string) (*Kubelet, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	k, ok := p.kubelets[node]
	return k, ok
}

// Nodes returns the names of the pool's nodes, sorted.
func (p *Pool) Nodes() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var names []string
	for name := range p.kubelets {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Logs answers pods/log for the API server (apiserver.PodLogs).
// FollowLogs writes a container's log to w and follows it (Kubelet.FollowLogs).
func (p *Pool) FollowLogs(ctx context.Context, pod *corev1.Pod, container string, opts *corev1.PodLogOptions, w io.Writer, flush func()) error {
	k, ok := p.Kubelet(pod.Spec.NodeName)
	if !ok {
		return apierrors.NewNotFound(schema.GroupResource{Resource: "nodes"}, pod.Spec.NodeName)
	}
	return k.FollowLogs(ctx, pod, container, opts, w, flush)
}

func (p *Pool) Logs(_ context.Context, pod *corev1.Pod, container string, opts *corev1.PodLogOptions) ([]byte, error) {
	k, ok := p.Kubelet(pod.Spec.NodeName)
	if !ok {
		return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "nodes"}, pod.Spec.NodeName)
	}
	return k.Logs(pod, container, opts)
}

// PodUsage is the usage of pod's containers, from the kubelet of its node
// (Kubelet.PodUsage); the API server serves it as PodMetrics.
func (p *Pool) PodUsage(pod *corev1.Pod) (Usage, bool) {
	k, ok := p.Kubelet(pod.Spec.NodeName)
	if !ok {
		return Usage{}, false
	}
	return k.PodUsage(pod)
}

// NodeUsage is node's usage (Kubelet.NodeUsage), served as NodeMetrics.
func (p *Pool) NodeUsage(node string) (corev1.ResourceList, time.Time, bool) {
	k, ok := p.Kubelet(node)
	if !ok {
		return nil, time.Time{}, false
	}
	return k.NodeUsage()
}
