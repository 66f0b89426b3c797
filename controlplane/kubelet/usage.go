package kubelet

// Usage: how much CPU and memory each container is using now — what
// `kubectl top` shows and what a HorizontalPodAutoscaler scales on. A real
// kubelet reads it from the kernel's cgroups (through cAdvisor or the CRI)
// and serves it at /metrics/resource; metrics-server scrapes every node
// about every 15 seconds and serves the figures as metrics.k8s.io.
//
// Glassplane's containers run no process, so the numbers are SIMULATED.
// They follow rules a learner can predict from the pod's spec:
//
//   - the command decides the CPU. A busy process uses whole cores:
//     `stress --cpu N` (or `stress-ng --cpu N`) uses N, and a loop that never
//     sleeps (`while true; do :; done`, `perl -e 'while(1){}'`), `yes`,
//     `md5sum /dev/zero` or `dd if=/dev/zero of=/dev/null` uses one. A
//     server (an application image's own entrypoint, such as nginx) idles
//     at a few millicores; a shell that sleeps uses almost none;
//   - memory is what such a program typically holds, plus `--vm-bytes`
//     for stress;
//   - the container's limits cap both, as the kernel does (a busy loop with
//     a 500m limit is throttled to 500m), and so does the node's capacity;
//   - the figures vary by a few percent from one 10-second window to the
//     next, as real ones do.
//
// A node's usage is the sum of its running containers plus what the node
// itself uses (its kubelet, its runtime, the operating system).

import (
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/types"
)

// UsageWindow is the window each usage figure is measured over: the
// figures change once per window.
const UsageWindow = 10 * time.Second

// What a node uses for itself, besides its pods.
const (
	nodeBaseMilliCPU = 60
	nodeBaseMemory   = 480 << 20
)

// ContainerUsage is one container's usage.
type ContainerUsage struct {
	Name  string
	Usage corev1.ResourceList // cpu, memory
}

// Usage is the usage of a pod's or a node's containers over one window.
type Usage struct {
	Timestamp  time.Time // the end of the window
	Window     time.Duration
	Containers []ContainerUsage
}

// Total adds up the containers' usage.
func (u Usage) Total() corev1.ResourceList {
	cpu, mem := resource.NewMilliQuantity(0, resource.DecimalSI), resource.NewQuantity(0, resource.BinarySI)
	for _, c := range u.Containers {
		cpu.Add(c.Usage[corev1.ResourceCPU])
		mem.Add(c.Usage[corev1.ResourceMemory])
	}
	return corev1.ResourceList{corev1.ResourceCPU: *cpu, corev1.ResourceMemory: *mem}
}

// PodUsage is the usage of pod's running containers, or false when this
// kubelet is stopped or runs none of them (metrics-server then has no
// figures for it either).
func (k *Kubelet) PodUsage(pod *corev1.Pod) (Usage, bool) {
	if !k.Running() {
		return Usage{}, false
	}
	now := time.Now()
	u := Usage{Timestamp: now.Truncate(UsageWindow), Window: UsageWindow}
	k.runtime.mu.Lock()
	defer k.runtime.mu.Unlock()
	sb, ok := k.runtime.sandboxes[pod.UID]
	if !ok {
		return Usage{}, false
	}
	u.Containers = k.sandboxUsage(sb, u.Timestamp)
	return u, len(u.Containers) > 0
}

// NodeUsage is the node's usage: every running container plus the node's
// own, or false when the kubelet is stopped.
func (k *Kubelet) NodeUsage() (corev1.ResourceList, time.Time, bool) {
	if !k.Running() {
		return nil, time.Time{}, false
	}
	at := time.Now().Truncate(UsageWindow)
	j := jitter(types.UID(k.opts.NodeName), "", at)
	u := Usage{Containers: []ContainerUsage{{Usage: corev1.ResourceList{
		corev1.ResourceCPU:    *resource.NewMilliQuantity(int64(nodeBaseMilliCPU*j), resource.DecimalSI),
		corev1.ResourceMemory: *resource.NewQuantity(int64(nodeBaseMemory*j), resource.BinarySI),
	}}}}
	k.runtime.mu.Lock()
	for _, sb := range k.runtime.sandboxes {
		u.Containers = append(u.Containers, k.sandboxUsage(sb, at)...)
	}
	k.runtime.mu.Unlock()
	return u.Total(), at, true
}

// sandboxUsage is the usage of sb's running containers; the runtime's lock
// is held.
func (k *Kubelet) sandboxUsage(sb *sandbox, at time.Time) []ContainerUsage {
	var out []ContainerUsage
	for i := range sb.specs {
		c := &sb.specs[i]
		if ctr := sb.containers[c.Name]; ctr == nil || !ctr.running() {
			continue
		}
		cpu, mem := demandOf(c)
		j := jitter(sb.uid, c.Name, at)
		if cpu >= 1000 {
			cpu = min(cpu*j, cpu) // a busy thread never uses more than its core
		} else {
			cpu *= j
		}
		cpu = capped(cpu, float64(c.Resources.Limits.Cpu().MilliValue()), float64(k.opts.CPU.MilliValue()))
		mem = capped(mem*j, float64(c.Resources.Limits.Memory().Value()), float64(k.opts.Memory.Value()))
		out = append(out, ContainerUsage{Name: c.Name, Usage: corev1.ResourceList{
			corev1.ResourceCPU:    *resource.NewMilliQuantity(int64(cpu), resource.DecimalSI),
			corev1.ResourceMemory: *resource.NewQuantity(int64(mem), resource.BinarySI),
		}})
	}
	return out
}

// capped keeps v (millicores or bytes) within the container's limit, when
// it has one (limit > 0), and within what the node has.
func capped(v, limit, node float64) float64 {
	if limit > 0 {
		v = min(v, limit)
	}
	return min(v, node)
}

var (
	stressCPU   = regexp.MustCompile(`(?:--cpu|-c)[ =](\d+)`)
	stressBytes = regexp.MustCompile(`--vm-bytes[ =](\d+)([KMG]?)`)
	// busyCommands keep one core busy however they are started.
	busyCommands = []string{"yes", "md5sum", "sha1sum", "sha256sum", "openssl speed", "dd if=/dev/zero", "cat /dev/urandom", "cat /dev/zero"}
)

// demandOf is what container c's process would use with nothing to stop it:
// millicores and bytes.
func demandOf(c *corev1.Container) (milliCPU, memory float64) {
	cmd := strings.Join(append(append([]string{}, c.Command...), c.Args...), " ")
	prog := program(cmd)
	switch {
	case prog == "stress" || prog == "stress-ng" || strings.Contains(cmd, "stress "):
		cores := 1.0
		if m := stressCPU.FindStringSubmatch(cmd); m != nil {
			n, _ := strconv.Atoi(m[1])
			cores = float64(max(n, 1))
		}
		mem := 2.0 * (1 << 20)
		if m := stressBytes.FindStringSubmatch(cmd); m != nil {
			n, _ := strconv.ParseFloat(m[1], 64)
			mem += n * map[string]float64{"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m[2]]
		}
		return 1000 * cores, mem
	case busy(cmd):
		return 1000, programMemory(prog)
	case cmd == "" || !processOf(c).exits && !loops(cmd):
		// An application image's own entrypoint or a server: idle, waiting
		// for requests.
		return 3, 6 << 20
	}
	return 0.2, programMemory(prog) // a shell that sleeps, or a script
}

// busy reports whether cmd keeps a core busy: a known busy program, or a
// loop with no sleep in it.
func busy(cmd string) bool {
	for _, b := range busyCommands {
		if strings.Contains(cmd, b) {
			return true
		}
	}
	return loops(cmd) && !strings.Contains(cmd, "sleep") && !strings.Contains(cmd, "tail -f") &&
		!strings.Contains(cmd, "nc -l") && !strings.Contains(cmd, "http")
}

// programMemory is about what the program holds once started.
func programMemory(prog string) float64 {
	switch prog {
	case "perl":
		return 4 << 20
	case "python", "python3":
		return 9 << 20
	case "ruby", "node":
		return 20 << 20
	}
	return 1 << 20
}

// jitter is a factor between 0.95 and 1.05, the same for one container all
// through one window.
func jitter(uid types.UID, name string, at time.Time) float64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(string(uid) + "/" + name + "/" + at.UTC().Format(time.RFC3339)))
	return 0.95 + float64(h.Sum32()%1001)/10000
}
