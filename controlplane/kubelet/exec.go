package kubelet

// Exec: the kubelet's end of `kubectl exec`. In Kubernetes the API server
// upgrades the client's connection and proxies it to the kubelet of the
// pod's node, which asks the container runtime to start the command inside
// the running container (CRI ExecSync, or Exec for a stream). Here the API
// server calls the node's kubelet through the Pool, the kubelet records the
// step (and waits for the learner's pacer, like every pod step), and the
// runtime's simulated shell (shell.go) runs the command.

import (
	"context"
	"fmt"
	"io"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"

	"github.com/glassplane/glassplane/controlplane/steps"
)

const msgExec = "kubelet.pod.exec"

// Exec runs command in container name of pod with the given streams and
// returns its exit code. With no command left to run after an interactive
// shell's `exit`, the code is the shell's.
func (k *Kubelet) Exec(ctx context.Context, pod *corev1.Pod, name string, command []string, tty bool, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	if !k.Running() {
		return 0, unreachable(fmt.Sprintf(`error dialing backend: dial tcp %s:10250: connect: connection refused`, k.opts.InternalIP))
	}
	c := containerSpec(pod, name)
	if c == nil || !k.containerRunning(pod, name) {
		return 0, apierrors.NewBadRequest(fmt.Sprintf("container %s is not valid for pod %s", name, pod.Name))
	}
	k.step(ctx, steps.Step{Stage: steps.Run, Object: podObject(pod),
		Message: steps.Msg(msgExec, "container", name, "command", strings.Join(command, " "))})
	sh := newShell(pod, c, k.kubernetesServiceIP(ctx))
	if stdin != nil && isShellCommand(command) {
		return sh.interactive(stdin, stdout, stderr, tty), nil
	}
	if tty {
		stdout, stderr = crlf{stdout}, crlf{stdout}
	}
	return sh.run(command, stdout, stderr), nil
}

// isShellCommand: `sh`, `bash` or `ash` with no -c, which reads commands
// from its input.
func isShellCommand(command []string) bool {
	if len(command) == 0 {
		return false
	}
	name := command[0][strings.LastIndex(command[0], "/")+1:]
	return (name == "sh" || name == "bash" || name == "ash") && !(len(command) > 1 && command[1] == "-c")
}

func containerSpec(pod *corev1.Pod, name string) *corev1.Container {
	for i := range pod.Spec.Containers {
		if pod.Spec.Containers[i].Name == name {
			return &pod.Spec.Containers[i]
		}
	}
	return nil
}

func (k *Kubelet) containerRunning(pod *corev1.Pod, name string) bool {
	k.runtime.mu.Lock()
	defer k.runtime.mu.Unlock()
	sb, ok := k.runtime.sandboxes[pod.UID]
	if !ok {
		return false
	}
	c := sb.containers[name]
	return c != nil && c.running()
}

// kubernetesServiceIP is the cluster IP of the kubernetes Service, which
// kubelet puts into every container's environment. It never changes, so it
// is read once (and again only until a read succeeds).
func (k *Kubelet) kubernetesServiceIP(ctx context.Context) string {
	k.mu.Lock()
	ip := k.apiServiceIP
	k.mu.Unlock()
	if ip != "" {
		return ip
	}
	client, err := kubernetes.NewForConfig(k.cfg)
	if err != nil {
		return ""
	}
	svc, err := client.CoreV1().Services(metav1.NamespaceDefault).Get(ctx, "kubernetes", metav1.GetOptions{})
	if err != nil {
		return ""
	}
	k.mu.Lock()
	k.apiServiceIP = svc.Spec.ClusterIP
	k.mu.Unlock()
	return svc.Spec.ClusterIP
}

// Exec answers pods/exec for the API server (apiserver.PodExec).
func (p *Pool) Exec(ctx context.Context, pod *corev1.Pod, container string, command []string, tty bool, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	k, ok := p.Kubelet(pod.Spec.NodeName)
	if !ok {
		return 0, apierrors.NewNotFound(schema.GroupResource{Resource: "nodes"}, pod.Spec.NodeName)
	}
	return k.Exec(ctx, pod, container, command, tty, stdin, stdout, stderr)
}
