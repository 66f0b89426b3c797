package kubelet

// The shell of `kubectl exec`. A simulated container has no process to
// enter, so the runtime answers with a small shell of its own that knows
// what the container would show: its environment (the pod's env values and
// the variables kubelet adds), its hostname (the pod's name), a few files
// the kubelet writes into every container (/etc/hostname, /etc/hosts,
// /etc/resolv.conf) and its one process. It runs a handful of read-only
// programs and says "not found" for the rest; it never touches the host.
//
// A command runs alone (`kubectl exec web -- env`, exit code as the program
// ends) or, with -it, as an interactive shell that reads lines from the
// terminal until `exit`. On a terminal the shell echoes what is typed, as a
// real one in raw mode does, and ends lines with \r\n.

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// shell is one exec session's view of a container.
type shell struct {
	pod       *corev1.Pod
	container *corev1.Container
	env       []string // NAME=value, in the order `env` prints them
	now       func() time.Time
}

// newShell is the shell of container c of pod; kubeAPI is the kubernetes
// Service's address ("10.96.0.1"), or "" if unknown.
func newShell(pod *corev1.Pod, c *corev1.Container, kubeAPI string) *shell {
	env := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=" + hostname(pod)}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			env = append(env, e.Name+"="+e.Value)
		}
	}
	if kubeAPI != "" {
		env = append(env, "KUBERNETES_SERVICE_HOST="+kubeAPI, "KUBERNETES_SERVICE_PORT=443", "KUBERNETES_SERVICE_PORT_HTTPS=443",
			"KUBERNETES_PORT=tcp://"+kubeAPI+":443", "KUBERNETES_PORT_443_TCP=tcp://"+kubeAPI+":443",
			"KUBERNETES_PORT_443_TCP_PROTO=tcp", "KUBERNETES_PORT_443_TCP_PORT=443", "KUBERNETES_PORT_443_TCP_ADDR="+kubeAPI)
	}
	env = append(env, "HOME=/root")
	return &shell{pod: pod, container: c, env: env, now: time.Now}
}

func hostname(pod *corev1.Pod) string {
	if pod.Spec.Hostname != "" {
		return pod.Spec.Hostname
	}
	return pod.Name
}

// files are the files the kubelet writes into every container.
func (sh *shell) files() map[string]string {
	ns := sh.pod.Namespace
	return map[string]string{
		"/etc/hostname":    hostname(sh.pod) + "\n",
		"/etc/hosts":       fmt.Sprintf("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n%s\t%s\n", sh.pod.Status.PodIP, hostname(sh.pod)),
		"/etc/resolv.conf": fmt.Sprintf("search %s.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n", ns),
	}
}

// run runs one command line's words and returns its exit code.
func (sh *shell) run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return 0
	}
	name := args[0][strings.LastIndex(args[0], "/")+1:]
	switch name {
	case "sh", "bash", "ash":
		if len(args) >= 3 && args[1] == "-c" {
			return sh.script(args[2], stdout, stderr)
		}
		return 0
	case "env", "printenv":
		return sh.printenv(args[1:], stdout)
	case "hostname":
		fmt.Fprintln(stdout, hostname(sh.pod))
	case "echo":
		fmt.Fprintln(stdout, strings.Join(args[1:], " "))
	case "cat":
		return sh.cat(args[1:], stdout, stderr)
	case "ls":
		fmt.Fprintln(stdout, strings.Join([]string{"bin", "dev", "etc", "home", "proc", "root", "sys", "tmp", "usr", "var"}, "\n"))
	case "pwd":
		fmt.Fprintln(stdout, "/")
	case "whoami":
		fmt.Fprintln(stdout, "root")
	case "id":
		fmt.Fprintln(stdout, "uid=0(root) gid=0(root) groups=0(root)")
	case "date":
		fmt.Fprintln(stdout, sh.now().UTC().Format("Mon Jan  2 15:04:05 UTC 2006"))
	case "uname":
		if len(args) > 1 && args[1] == "-a" {
			fmt.Fprintf(stdout, "Linux %s 6.1.0-glassplane #1 SMP x86_64 GNU/Linux\n", hostname(sh.pod))
		} else {
			fmt.Fprintln(stdout, "Linux")
		}
	case "ps":
		cmd := strings.Join(append(append([]string{}, sh.container.Command...), sh.container.Args...), " ")
		if cmd == "" {
			cmd = "(the image's entrypoint)"
		}
		fmt.Fprintf(stdout, "PID   USER     TIME  COMMAND\n    1 root      0:00 %s\n", cmd)
	case "true":
	case "false":
		return 1
	case "exit":
		if len(args) > 1 {
			n, _ := strconv.Atoi(args[1])
			return n
		}
	default:
		fmt.Fprintf(stderr, "sh: %s: not found\n", args[0])
		return 127
	}
	return 0
}

// script runs `sh -c` text: commands separated by ; or &&.
func (sh *shell) script(text string, stdout, stderr io.Writer) int {
	code := 0
	for _, part := range strings.Split(text, ";") {
		for i, cmd := range strings.Split(part, "&&") {
			if i > 0 && code != 0 {
				break
			}
			code = sh.run(words(cmd), stdout, stderr)
		}
	}
	return code
}

func (sh *shell) printenv(names []string, stdout io.Writer) int {
	if len(names) == 0 {
		for _, kv := range sh.env {
			fmt.Fprintln(stdout, kv)
		}
		return 0
	}
	code := 1
	for _, n := range names {
		for _, kv := range sh.env {
			if strings.HasPrefix(kv, n+"=") {
				fmt.Fprintln(stdout, kv[len(n)+1:])
				code = 0
			}
		}
	}
	return code
}

func (sh *shell) cat(paths []string, stdout, stderr io.Writer) int {
	files, code := sh.files(), 0
	for _, p := range paths {
		if body, ok := files[p]; ok {
			fmt.Fprint(stdout, body)
			continue
		}
		fmt.Fprintf(stderr, "cat: can't open '%s': No such file or directory\n", p)
		code = 1
	}
	return code
}

// words splits a command line at spaces, keeping quoted parts together.
func words(line string) []string {
	var out []string
	var cur strings.Builder
	quote, in := rune(0), false
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote == 0 && (r == '"' || r == '\''):
			quote, in = r, true
		case quote == 0 && (r == ' ' || r == '\t'):
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

// interactive reads command lines from stdin until `exit` or the end of
// input, and returns the exit code of the last. On a terminal (tty) it
// echoes what is typed and ends lines with \r\n.
func (sh *shell) interactive(stdin io.Reader, stdout, stderr io.Writer, tty bool) int {
	out, errOut := stdout, stderr
	if tty {
		out, errOut = crlf{stdout}, crlf{stdout} // a terminal has one stream
	}
	fmt.Fprintf(out, "glassplane: a simulated shell in container %q of pod %s. It knows env, hostname, ls, cat, ps, date, id, uname and exit.\n", sh.container.Name, sh.pod.Name)
	prompt := func() { fmt.Fprint(out, "/ # ") }
	prompt()
	code := 0
	r := bufio.NewReader(stdin)
	var line []byte
	for {
		b, err := r.ReadByte()
		if err != nil {
			return code
		}
		switch {
		case b == '\r' || b == '\n':
			if tty {
				fmt.Fprint(out, "\n")
			}
			w := words(string(line))
			line = line[:0]
			if len(w) > 0 && w[0] == "exit" {
				if len(w) > 1 {
					code, _ = strconv.Atoi(w[1])
				}
				return code
			}
			code = sh.run(w, out, errOut)
			prompt()
		case tty && (b == 0x7f || b == 0x08):
			if len(line) > 0 {
				line = line[:len(line)-1]
				fmt.Fprint(out, "\b \b")
			}
		case tty && b == 0x04 && len(line) == 0: // ^D
			return code
		case tty && b == 0x03: // ^C
			line = line[:0]
			fmt.Fprint(out, "^C\n")
			prompt()
		default:
			line = append(line, b)
			if tty {
				_, _ = stdout.Write([]byte{b})
			}
		}
	}
}

// crlf writes \n as \r\n, as a terminal's line discipline does.
type crlf struct{ w io.Writer }

func (c crlf) Write(p []byte) (int, error) {
	_, err := c.w.Write([]byte(strings.ReplaceAll(string(p), "\n", "\r\n")))
	return len(p), err
}
