package kubelet

// Port-forward: the kubelet's end of `kubectl port-forward`. In Kubernetes
// the API server proxies each forwarded connection's stream to the kubelet
// of the pod's node, which asks the container runtime to connect it to
// localhost:<port> inside the pod's network namespace (CRI PortForward):
// whichever container of the pod listens on that port answers, since a
// pod's containers share one network namespace. Here the API server calls
// the node's kubelet through the Pool; the kubelet records the step (and
// waits for the learner's pacer, like every pod step) and the simulated
// app of the container that listens on the port (app.go) answers. A port
// nothing listens on is refused, as the runtime's connect would be.

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/glassplane/glassplane/controlplane/steps"
)

const msgPortForward = "kubelet.pod.portforward"

// PortForward connects stream to port inside pod, until either end closes.
func (k *Kubelet) PortForward(ctx context.Context, pod *corev1.Pod, port int32, stream io.ReadWriter) error {
	if !k.Running() {
		return fmt.Errorf("error dialing backend: dial tcp %s:10250: connect: connection refused", k.opts.InternalIP)
	}
	c, ref := k.listener(pod, port)
	if c == nil {
		return fmt.Errorf("failed to connect to localhost:%d inside the pod's network namespace: dial tcp4 127.0.0.1:%d: connect: connection refused"+
			" (simulated: no running container of pod %s listens on port %d; its containers listen on %s)",
			port, port, pod.Name, port, k.listeningPorts(pod))
	}
	k.step(ctx, steps.Step{Stage: steps.Run, Object: podObject(pod),
		Message: steps.Msg(msgPortForward, "container", c.Name, "port", strconv.Itoa(int(port)))})
	a := &app{pod: pod, container: c, ref: ref, port: port, now: time.Now,
		accessLog: func(line string) { k.writeLog(pod, c.Name, line) }}
	a.serve(stream)
	return nil
}

// listener is the running container of pod that listens on port, and its
// image; nil if none does.
func (k *Kubelet) listener(pod *corev1.Pod, port int32) (*corev1.Container, string) {
	k.runtime.mu.Lock()
	defer k.runtime.mu.Unlock()
	sb, ok := k.runtime.sandboxes[pod.UID]
	if !ok {
		return nil, ""
	}
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		if ctr := sb.containers[c.Name]; ctr != nil && ctr.running() && listensOn(c, ctr.image.ref, port) {
			return c, ctr.image.ref
		}
	}
	return nil, ""
}

// listeningPorts lists, for the error a learner reads, the ports pod's
// running containers listen on.
func (k *Kubelet) listeningPorts(pod *corev1.Pod) string {
	k.runtime.mu.Lock()
	defer k.runtime.mu.Unlock()
	seen := map[int32]bool{}
	if sb, ok := k.runtime.sandboxes[pod.UID]; ok {
		for _, c := range pod.Spec.Containers {
			ctr := sb.containers[c.Name]
			if ctr == nil || !ctr.running() {
				continue
			}
			if p, ok := imagePorts[repository(ctr.image.ref)]; ok {
				seen[p] = true
			}
			for _, p := range c.Ports {
				if p.Protocol == "" || p.Protocol == corev1.ProtocolTCP {
					seen[p.ContainerPort] = true
				}
			}
		}
	}
	if len(seen) == 0 {
		return "no port"
	}
	var ports []int
	for p := range seen {
		ports = append(ports, int(p))
	}
	sort.Ints(ports)
	words := make([]string, len(ports))
	for i, p := range ports {
		words[i] = strconv.Itoa(p)
	}
	return strings.Join(words, ", ")
}

// writeLog appends a line to what container name of pod has written.
func (k *Kubelet) writeLog(pod *corev1.Pod, name, line string) {
	k.runtime.mu.Lock()
	defer k.runtime.mu.Unlock()
	if sb, ok := k.runtime.sandboxes[pod.UID]; ok && sb.containers[name] != nil && sb.containers[name].running() {
		sb.containers[name].log = append(sb.containers[name].log, logLine{time: time.Now(), text: line})
	}
}

// PortForward answers pods/portforward for the API server
// (apiserver.PodPortForward).
func (p *Pool) PortForward(ctx context.Context, pod *corev1.Pod, port int32, stream io.ReadWriter) error {
	k, ok := p.Kubelet(pod.Spec.NodeName)
	if !ok {
		return apierrors.NewNotFound(schema.GroupResource{Resource: "nodes"}, pod.Spec.NodeName)
	}
	return k.PortForward(ctx, pod, port, stream)
}
