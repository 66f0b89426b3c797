package kubelet

// The container runtime. A real kubelet does not run containers itself: it
// asks a runtime (containerd, CRI-O) over the CRI to pull an image, to create
// a pod sandbox (the pod's network namespace, where its IP lives) and to
// create and start each container. Glassplane's runtime is a simulation kept
// in memory, with the rules a learner can observe:
//
//   - an image is pulled once per node; with imagePullPolicy Always it is
//     pulled again for every container start. An image whose tag is "fail" or
//     whose name contains "notfound" does not exist: the pull fails
//     (ErrImagePull, then ImagePullBackOff);
//   - a container of an application image never exits on its own. A
//     container whose command or args say `exit N` exits with code N about a
//     second after it starts; a script — a shell image (busybox, alpine,
//     ubuntu, debian) or a command such as `echo`, `sleep 5`, `false` or
//     `perl -e …` — exits when its sleeps are over, with 1 if its last
//     command is `false` and 0 otherwise (processOf). Whether it is started
//     again is the pod's restartPolicy (containers.go).
//
// The runtime only keeps state; the pod worker decides what to do with it.

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// RuntimeName is the container runtime the nodes report; container IDs carry it.
const (
	RuntimeName    = "glassplane-sim"
	RuntimeVersion = RuntimeName + "://1.0"
)

// commandRunTime is how long a container whose command exits runs, besides
// the sleeps its command asks for.
const commandRunTime = time.Second

// image is a pulled image.
type image struct {
	ref  string // fully qualified: docker.io/library/nginx:latest
	id   string // repo@sha256:…
	size int64  // bytes
}

// sandbox is a pod's sandbox and its containers.
type sandbox struct {
	uid        types.UID
	ip         string
	created    time.Time
	containers map[string]*container
	specs      []corev1.Container // as the pod asked for them; usage.go reads them
}

// container is one container instance and what is remembered of the previous one.
type container struct {
	name         string
	image        image
	id           string
	restartCount int32
	startedAt    time.Time                        // zero until started
	waiting      *corev1.ContainerStateWaiting    // before start, in back-off
	terminated   *corev1.ContainerStateTerminated // after exit or kill
	last         *corev1.ContainerStateTerminated // the previous instance
	retryAt      time.Time                        // end of a back-off
	pullFailures int32                            // failed pulls in a row
	log, prevLog []logLine
}

func (c *container) running() bool { return !c.startedAt.IsZero() && c.terminated == nil }

// containerRuntime holds one node's images and sandboxes.
type containerRuntime struct {
	mu        sync.Mutex // guards the maps and everything reachable from them
	images    map[string]image
	sandboxes map[types.UID]*sandbox
}

func newRuntime() *containerRuntime {
	return &containerRuntime{images: map[string]image{}, sandboxes: map[types.UID]*sandbox{}}
}

// sandbox returns the sandbox of pod, creating it (without an IP) if needed.
func (r *containerRuntime) sandbox(pod *corev1.Pod) (sb *sandbox, created bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if sb, ok := r.sandboxes[pod.UID]; ok {
		return sb, false
	}
	sb = &sandbox{uid: pod.UID, created: time.Now(), containers: map[string]*container{}, specs: pod.Spec.Containers}
	for _, c := range pod.Spec.Containers {
		sb.containers[c.Name] = &container{name: c.Name,
			waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}
	}
	r.sandboxes[pod.UID] = sb
	return sb, true
}

// update runs f under the runtime's lock: every change to a sandbox or a
// container is made in such an f, so Logs may read them at any time.
func (r *containerRuntime) update(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f()
}

// lookup returns the sandbox of the pod with uid, if there is one.
func (r *containerRuntime) lookup(uid types.UID) (*sandbox, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sb, ok := r.sandboxes[uid]
	return sb, ok
}

// remove forgets the sandbox of the pod with uid.
func (r *containerRuntime) remove(uid types.UID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.sandboxes, uid)
}

// present returns the image if this node has pulled it.
func (r *containerRuntime) present(ref string) (image, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	img, ok := r.images[ref]
	return img, ok
}

// pulled records that ref is now on the node and returns it.
func (r *containerRuntime) pulled(ref string) image {
	img := imageOf(ref)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.images[ref] = img
	return img
}

// imageRef qualifies an image name the way containerd does:
// "nginx" → "docker.io/library/nginx:latest".
func imageRef(name string) string {
	ref := name
	slash := strings.Index(ref, "/")
	if slash < 0 {
		ref = "docker.io/library/" + ref
	} else if host := ref[:slash]; !strings.ContainsAny(host, ".:") && host != "localhost" {
		ref = "docker.io/" + ref
	}
	last := ref[strings.LastIndex(ref, "/")+1:]
	if !strings.Contains(last, ":") && !strings.Contains(last, "@") {
		ref += ":latest"
	}
	return ref
}

// repository is ref without its tag or digest.
func repository(ref string) string {
	if i := strings.Index(ref, "@"); i >= 0 {
		return ref[:i]
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[:i]
	}
	return ref
}

// imageOf invents a stable digest and size for an image reference.
func imageOf(ref string) image {
	sum := sha256.Sum256([]byte(ref))
	size := 5_000_000 + int64(binary.BigEndian.Uint32(sum[:4])%120_000_000)
	return image{ref: ref, id: repository(ref) + "@sha256:" + hex.EncodeToString(sum[:]), size: size}
}

// imageMissing reports whether pulling name fails: the tag "fail" or a name
// containing "notfound" stands for an image that does not exist.
func imageMissing(name string) bool {
	ref := imageRef(name)
	return strings.HasSuffix(ref, ":fail") || strings.Contains(repository(ref), "notfound")
}

// pullError is containerd's answer for a missing image, as kubelet reports it.
func pullError(name string) string {
	ref := imageRef(name)
	return fmt.Sprintf(`rpc error: code = NotFound desc = failed to pull and unpack image %q: failed to resolve reference %q: %s: not found`,
		ref, ref, ref)
}

// containerID invents the runtime's ID of an instance of a container.
func containerID(uid types.UID, name string, restart int32) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%s/%d", uid, name, restart)))
	return RuntimeName + "://" + hex.EncodeToString(sum[:])
}

var (
	exitCommand  = regexp.MustCompile(`\bexit\s+(\d+)`)
	sleepCommand = regexp.MustCompile(`\bsleep\s+(\d+(?:\.\d+)?)([smhd]?)\b`)
	shellSplit   = regexp.MustCompile(`;|&&|\|\||\n`)
)

// shellImages are images whose default process is a shell.
var shellImages = []string{"busybox", "alpine", "ubuntu", "debian"}

// finiteCommands are programs that do their work and end: a container whose
// command starts with one of them runs a script, not a server.
var finiteCommands = map[string]bool{
	"sh": true, "bash": true, "ash": true, "echo": true, "printf": true, "sleep": true, "true": true, "false": true,
	"date": true, "env": true, "printenv": true, "hostname": true, "cat": true, "ls": true, "uname": true,
	"whoami": true, "id": true, "pwd": true, "seq": true, "expr": true, "perl": true, "python": true, "python3": true,
	"ruby": true,
}

// process is what the runtime can tell of a container's process from its
// image and command: whether it ends by itself, with which exit code, and
// after how long.
type process struct {
	exits bool
	code  int32
	runs  time.Duration
}

// processOf reads container c's process:
//   - a shell kept on an open standard input (stdin: true, as `kubectl run
//     -it` asks) waits for what is typed, so it runs until stopped;
//   - a command that loops (while, tail -f, sleep infinity, a server) never ends;
//   - `exit N` ends it with N;
//   - a script — a shell image, or a command that starts with a program that
//     ends (echo, sleep, perl, …) — ends with the code of its last command
//     (`false` is 1, anything else 0), after a second plus its sleeps,
//     unless that last command starts a server (`nginx`, `node app.js`);
//   - anything else (an application image's own entrypoint) runs until stopped.
func processOf(c *corev1.Container) process {
	cmd := strings.Join(append(append([]string{}, c.Command...), c.Args...), " ")
	if loops(cmd) || c.Stdin && readsStdin(c) {
		return process{}
	}
	p := process{exits: true, runs: commandRunTime + sleeps(cmd)}
	if m := exitCommand.FindStringSubmatch(cmd); m != nil {
		code, _ := strconv.ParseInt(m[1], 10, 32)
		p.code = int32(code)
		return p
	}
	last := lastCommand(cmd)
	if !isShell(repository(imageRef(c.Image))) && !finiteCommands[program(cmd)] {
		return process{}
	}
	if last != "" && !finiteCommands[program(last)] {
		return process{} // a script that ends by starting a server: the server runs
	}
	if program(last) == "false" || strings.Contains(strings.ReplaceAll(cmd, " ", ""), "false&&") {
		p.code = 1
	}
	return p
}

// program is the base name of the command's first word.
func program(cmd string) string {
	f := strings.Fields(cmd)
	if len(f) == 0 {
		return ""
	}
	return f[0][strings.LastIndex(f[0], "/")+1:]
}

// sleeps adds up the command's `sleep`s.
func sleeps(cmd string) time.Duration {
	var total time.Duration
	unit := map[string]time.Duration{"": time.Second, "s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}
	for _, m := range sleepCommand.FindAllStringSubmatch(cmd, -1) {
		n, _ := strconv.ParseFloat(m[1], 64)
		total += time.Duration(n * float64(unit[m[2]]))
	}
	return total
}

// lastCommand is the last command a script runs: of `sh -c "…"`, the last
// of the commands in the quotes.
func lastCommand(cmd string) string {
	if i := strings.Index(cmd, "-c "); i >= 0 && (program(cmd) == "sh" || program(cmd) == "bash" || program(cmd) == "ash") {
		cmd = cmd[i+3:]
	}
	parts := shellSplit.Split(strings.Trim(strings.TrimSpace(cmd), `"'`), -1)
	for i := len(parts) - 1; i >= 0; i-- {
		if w := strings.TrimSpace(parts[i]); w != "" {
			return w
		}
	}
	return ""
}

// loops reports whether a command keeps running.
func loops(cmd string) bool {
	for _, w := range []string{"while", "tail -f", "httpd", "nc -l", "for ", "sleep infinity", "http.server", "until "} {
		if strings.Contains(cmd, w) {
			return true
		}
	}
	return false
}

// exitReason is how the runtime names an exit: Completed for 0, Error otherwise.
func exitReason(code int32) string {
	if code == 0 {
		return "Completed"
	}
	return "Error"
}
