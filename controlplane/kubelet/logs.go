package kubelet

// Container logs. A container writes to stdout and stderr; the runtime keeps
// what it wrote in a file on the node, and `kubectl logs` reaches it through
// the API server, which asks the pod's kubelet (pods/log → the kubelet's
// /containerLogs endpoint on port 10250). A simulated container has no
// process, so the runtime writes for it, when it starts, the lines its image
// would print: the seed article's demo app (zxcvbnius/docker-demo), nginx's
// start-up, the `echo`s of a shell command, the digits of π the
// documentation's Job example computes, or one line saying the container
// is simulated. Lines carry the time the container started.

import (
	"context"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// logLine is one line a container wrote.
type logLine struct {
	time time.Time
	text string
}

// containerLog is what container c of image ref writes when it starts at t on
// a node with cpus CPUs.
func containerLog(c *corev1.Container, ref string, t time.Time, cpus int64) []logLine {
	var texts []string
	switch base := repository(ref); {
	case base == "docker.io/zxcvbnius/docker-demo":
		texts = demoAppLog
	case base == "docker.io/library/nginx":
		texts = nginxLog(ref, t, cpus)
	case isShell(base):
		texts = echoes(c)
	case piDigits(c) != "":
		texts = []string{piDigits(c)}
	default:
		texts = []string{fmt.Sprintf("glassplane: container %q of image %q is simulated; its process writes nothing here", c.Name, ref)}
	}
	lines := make([]logLine, len(texts))
	for i, s := range texts {
		lines[i] = logLine{time: t, text: s}
	}
	return lines
}

// demoAppLog is what `npm start` prints for the seed article's demo app.
var demoAppLog = []string{
	"",
	"> myapp@0.0.1 start /app",
	"> node index.js",
	"",
	"Example app listening at http://:::3000",
}

// nginxLog is the official nginx image's start-up: its entrypoint scripts,
// then the master process and one worker per CPU.
func nginxLog(ref string, t time.Time, cpus int64) []string {
	version := nginxVersion(ref)
	ts := t.UTC().Format("2006/01/02 15:04:05")
	lines := []string{
		"/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
		"/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
		"/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
		"10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
		"10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
		"/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
		"/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
		"/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
		"/docker-entrypoint.sh: Configuration complete; ready for start up",
		ts + ` [notice] 1#1: using the "epoll" event method`,
		ts + " [notice] 1#1: nginx/" + version,
		ts + " [notice] 1#1: built by gcc 12.2.0 (Debian 12.2.0-14)",
		ts + " [notice] 1#1: OS: Linux 6.8.0-glassplane",
		ts + " [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576",
		ts + " [notice] 1#1: start worker processes",
	}
	for i := range cpus {
		lines = append(lines, fmt.Sprintf("%s [notice] 1#1: start worker process %d", ts, 29+i))
	}
	return lines
}

// nginxVersion is the version of nginx image ref runs: its tag when the tag
// is a version, else the latest.
func nginxVersion(ref string) string {
	version := "1.27.3"
	if tag := ref[strings.LastIndex(ref, ":")+1:]; regexp.MustCompile(`^\d+\.\d+(\.\d+)?$`).MatchString(tag) {
		version = tag
		if strings.Count(tag, ".") == 1 {
			version += ".0"
		}
	}
	return version
}

func isShell(repo string) bool {
	base := repo[strings.LastIndex(repo, "/")+1:]
	for _, s := range shellImages {
		if base == s {
			return true
		}
	}
	return false
}

var echoCommand = regexp.MustCompile(`\becho\s+([^;&|]*)`)

var bpiCommand = regexp.MustCompile(`\bbpi\((\d+)\)`)

// piDigits is what the Job example of the Kubernetes documentation prints,
// `perl -Mbignum=bpi -wle 'print bpi(2000)'`: π to that many digits
// (at most 10,000), computed here by Machin's formula, π = 16·atan(1/5) −
// 4·atan(1/239), in integers scaled by 10^(digits+10).
func piDigits(c *corev1.Container) string {
	m := bpiCommand.FindStringSubmatch(strings.Join(append(append([]string{}, c.Command...), c.Args...), " "))
	if m == nil {
		return ""
	}
	digits, _ := strconv.Atoi(m[1])
	if digits < 1 || digits > 10000 {
		return ""
	}
	unit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits+10)), nil)
	pi := new(big.Int).Mul(big.NewInt(16), arctanInverse(5, unit))
	pi.Sub(pi, new(big.Int).Mul(big.NewInt(4), arctanInverse(239, unit)))
	// Keep digits significant digits, rounding the last one as bignum does.
	pi.Add(pi, new(big.Int).Mul(big.NewInt(5), new(big.Int).Exp(big.NewInt(10), big.NewInt(10), nil)))
	s := pi.String()[:digits]
	if digits == 1 {
		return s
	}
	return s[:1] + "." + s[1:]
}

// arctanInverse is atan(1/x)·unit by its series 1/x − 1/(3x³) + 1/(5x⁵) − ….
func arctanInverse(x int64, unit *big.Int) *big.Int {
	sum := new(big.Int)
	term := new(big.Int).Div(unit, big.NewInt(x))
	x2 := big.NewInt(x * x)
	for n := int64(1); term.Sign() != 0; n += 2 {
		t := new(big.Int).Div(term, big.NewInt(n))
		if n%4 == 1 {
			sum.Add(sum, t)
		} else {
			sum.Sub(sum, t)
		}
		term.Div(term, x2)
	}
	return sum
}

// echoes is what the `echo`s of a shell container's command print.
func echoes(c *corev1.Container) []string {
	cmd := strings.Join(append(append([]string{}, c.Command...), c.Args...), " ")
	var out []string
	for _, m := range echoCommand.FindAllStringSubmatch(cmd, -1) {
		out = append(out, strings.Trim(strings.TrimSpace(m[1]), `"'`))
	}
	return out
}

// Logs returns the log of container name of pod, as the kubelet's
// /containerLogs endpoint would.
func (k *Kubelet) Logs(pod *corev1.Pod, name string, opts *corev1.PodLogOptions) ([]byte, error) {
	if !k.Running() {
		return nil, unreachable(fmt.Sprintf(`Get "https://%s:10250/containerLogs/%s/%s/%s": dial tcp %s:10250: connect: connection refused`,
			k.opts.InternalIP, pod.Namespace, pod.Name, name, k.opts.InternalIP))
	}
	lines, err := k.logLines(pod, name, opts.Previous)
	if err != nil {
		return nil, err
	}
	if opts.TailLines != nil && int64(len(lines)) > *opts.TailLines {
		lines = lines[int64(len(lines))-*opts.TailLines:]
	}
	return formatLines(lines, opts.Timestamps), nil
}

// followPoll is how often a follower looks for new lines and for the end
// of the container it follows.
const followPoll = 200 * time.Millisecond

// FollowLogs writes the log of container name of pod to w as Logs does,
// then keeps writing what that container writes after, until it stops, its
// pod leaves the node, the kubelet stops, or ctx ends: what `kubectl logs
// -f` waits on. flush, if set, pushes each write to the client.
func (k *Kubelet) FollowLogs(ctx context.Context, pod *corev1.Pod, name string, opts *corev1.PodLogOptions, w io.Writer, flush func()) error {
	first, err := k.Logs(pod, name, opts)
	if err != nil {
		return err
	}
	id, written, ok := k.followed(pod, name)
	if _, err := w.Write(first); err != nil || !ok {
		return err
	}
	if flush != nil {
		flush()
	}
	tick := time.NewTicker(followPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		lines, running := k.linesAfter(pod, name, id, written)
		written += len(lines)
		if len(lines) > 0 {
			if _, err := w.Write(formatLines(lines, opts.Timestamps)); err != nil {
				return nil // the client went away
			}
			if flush != nil {
				flush()
			}
		}
		if !running || !k.Running() {
			return nil
		}
	}
}

// followed is the instance of container name of pod now running and how many
// lines it has written; ok is false when none runs (nothing to follow).
func (k *Kubelet) followed(pod *corev1.Pod, name string) (id string, lines int, ok bool) {
	k.runtime.mu.Lock()
	defer k.runtime.mu.Unlock()
	sb, found := k.runtime.sandboxes[pod.UID]
	if !found || sb.containers[name] == nil || !sb.containers[name].running() {
		return "", 0, false
	}
	c := sb.containers[name]
	return c.id, len(c.log), true
}

// linesAfter returns the lines instance id of the container wrote after the
// first n, and whether it still runs.
func (k *Kubelet) linesAfter(pod *corev1.Pod, name, id string, n int) ([]logLine, bool) {
	k.runtime.mu.Lock()
	defer k.runtime.mu.Unlock()
	sb, found := k.runtime.sandboxes[pod.UID]
	if !found || sb.containers[name] == nil || sb.containers[name].id != id {
		return nil, false // gone, or restarted as another instance: this one ended
	}
	c := sb.containers[name]
	var out []logLine
	if len(c.log) > n {
		out = append(out, c.log[n:]...)
	}
	return out, c.running()
}

func formatLines(lines []logLine, timestamps bool) []byte {
	var b strings.Builder
	for _, l := range lines {
		if timestamps {
			b.WriteString(l.time.UTC().Format(time.RFC3339Nano) + " ")
		}
		b.WriteString(l.text + "\n")
	}
	return []byte(b.String())
}

func (k *Kubelet) logLines(pod *corev1.Pod, name string, previous bool) ([]logLine, error) {
	k.runtime.mu.Lock()
	defer k.runtime.mu.Unlock()
	var c *container
	if sb, ok := k.runtime.sandboxes[pod.UID]; ok {
		c = sb.containers[name]
	}
	switch {
	case previous && (c == nil || c.last == nil):
		return nil, apierrors.NewBadRequest(fmt.Sprintf("previous terminated container %q in pod %q not found", name, pod.Name))
	case previous:
		return c.prevLog, nil
	case c == nil || (c.startedAt.IsZero() && c.last == nil):
		reason := "ContainerCreating"
		if c != nil && c.waiting != nil {
			reason = c.waiting.Reason
		}
		return nil, apierrors.NewBadRequest(fmt.Sprintf("container %q in pod %q is waiting to start: %s", name, pod.Name, reason))
	}
	return c.log, nil
}

// unreachable is the API server's answer when it cannot reach a kubelet.
func unreachable(msg string) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: 500, Message: msg}}
}
