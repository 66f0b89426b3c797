package kubelet

// Attach: the kubelet's end of `kubectl attach`. Where exec starts a new
// process, attach connects to the streams of the container's main process
// (CRI Attach). A simulated container's process writes only its log, so
// attach shows what `kubectl logs -f` would add from now on: as on a real
// node, what the process wrote before attach is not replayed (`kubectl run
// -i` fetches it with a logs request first), and each new line, such as an
// access-log line of the simulated nginx, follows until the container stops
// or the client leaves. With -i, what
// the user types goes to the process: a shell image whose process is the
// shell reads it as the simulated shell of exec does (shell.go), and any
// other process, like most servers, never reads its standard input, so
// what is typed is read and dropped.

import (
	"context"
	"fmt"
	"io"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/glassplane/glassplane/controlplane/steps"
)

const msgAttach = "kubelet.pod.attach"

// Attach joins container name of pod: its output goes to stdout, and stdin,
// if not nil, to its process.
func (k *Kubelet) Attach(ctx context.Context, pod *corev1.Pod, name string, tty bool, stdin io.Reader, stdout, stderr io.Writer) error {
	if !k.Running() {
		return unreachable(fmt.Sprintf(`error dialing backend: dial tcp %s:10250: connect: connection refused`, k.opts.InternalIP))
	}
	c := containerSpec(pod, name)
	if c == nil || !k.containerRunning(pod, name) {
		return apierrors.NewBadRequest(fmt.Sprintf("container %s is not valid for pod %s", name, pod.Name))
	}
	k.step(ctx, steps.Step{Stage: steps.Run, Object: podObject(pod), Message: steps.Msg(msgAttach, "container", name)})
	if stdin != nil && readsStdin(c) {
		sh := newShell(pod, c, k.kubernetesServiceIP(ctx))
		sh.interactive(stdin, stdout, stderr, tty)
		return nil
	}
	if stdin != nil {
		go func() { _, _ = io.Copy(io.Discard, stdin) }() // ends when the session closes stdin
	}
	if tty {
		stdout = crlf{stdout}
	}
	fromNow := int64(0)
	return k.FollowLogs(ctx, pod, name, &corev1.PodLogOptions{TailLines: &fromNow}, stdout, nil)
}

// readsStdin: the container's process is a shell reading its input: a
// shell image run without a command (its default process is `sh`), or a
// shell command with no script.
func readsStdin(c *corev1.Container) bool {
	command := append(append([]string{}, c.Command...), c.Args...)
	if len(command) == 0 {
		return isShell(repository(imageRef(c.Image)))
	}
	return isShellCommand(command)
}

// Attach answers pods/attach for the API server (apiserver.PodAttach).
func (p *Pool) Attach(ctx context.Context, pod *corev1.Pod, container string, tty bool, stdin io.Reader, stdout, stderr io.Writer) error {
	k, ok := p.Kubelet(pod.Spec.NodeName)
	if !ok {
		return apierrors.NewNotFound(schema.GroupResource{Resource: "nodes"}, pod.Spec.NodeName)
	}
	return k.Attach(ctx, pod, container, tty, stdin, stdout, stderr)
}
