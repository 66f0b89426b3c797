// Package kubelet simulates the node agent of Kubernetes.
//
// In Kubernetes a kubelet runs on every node. It registers its Node with the
// API server, proves it is alive by renewing a Lease in kube-node-lease,
// watches the pods the scheduler bound to its node, asks the container
// runtime to pull their images and start their containers, and reports back
// through pods/status: Pending, ContainerCreating, Running with a pod IP. It
// is the last component of the flow a `kubectl create` sets off.
//
// A Glassplane kubelet does all of that through client-go, exactly as the
// real one does, but its container runtime is a simulation: pulling an image
// is a pause, a container is a record in memory and its log is written by
// logs.go. One Kubelet is one node; a Pool holds the nodes of a cluster and
// answers `kubectl logs` for them.
//
// The files of the package follow the kubelet's duties:
//
//	registration.go  create the Node with its capacity, addresses and conditions
//	heartbeat.go     renew the node Lease; report node status
//	podworker.go     watch bound pods; one worker per pod syncs it
//	containers.go    pull, create, start; restartPolicy and back-off
//	termination.go   graceful deletion: stop the containers, delete the pod
//	runtime.go       the simulated container runtime: images, containers, exits
//	status.go        turn what the runtime knows into a PodStatus
//	podcidr.go       hand out pod IPs from the node's podCIDR
//	logs.go          the containers' logs (`kubectl logs`)
//	pool.go          the cluster's kubelets; the API server's PodLogs
//	events.go        Events (Pulling, Pulled, Created, Started …) in the trace
//
// Shutdown protocol: Run owns every goroutine it starts and returns once ctx
// ends and they have stopped. A stopped kubelet no longer renews its Lease;
// that is how a lesson shows a node failing. The containers it ran stay in
// its memory (a real node's runtime keeps them too), so Run may be called
// again to bring the node back.
package kubelet

import (
	"context"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// Version is the kubelet version every simulated node reports.
const Version = "v1.37.2"

// Options describe one node and how fast its kubelet works.
type Options struct {
	NodeName   string
	PodCIDR    string // e.g. "10.244.1.0/24"
	InternalIP string // e.g. "192.168.49.11"
	CPU        resource.Quantity
	Memory     resource.Quantity
	Pods       int64
	Labels     map[string]string // added to the well-known kubernetes.io/* labels

	// LeaseInterval is how often the Lease is renewed (kubelet: 10s).
	LeaseInterval time.Duration
	// StatusInterval is how often node status is reported even when nothing
	// changed. The real kubelet checks every nodeStatusUpdateFrequency (10s)
	// and reports unchanged status every nodeStatusReportFrequency (5m);
	// Glassplane checks on every lease renewal and reports every minute, so
	// a learner sees lastHeartbeatTime move without a flood of writes.
	StatusInterval time.Duration
	// PullDelay is how long pulling an image takes; StartDelay how long a
	// container takes to start. Zero in tests and benchmarks.
	PullDelay  time.Duration
	StartDelay time.Duration
	// BackOff is the first restart (and image pull) back-off; it doubles
	// after each failure up to MaxBackOff, as kubelet's 10s…5m.
	BackOff    time.Duration
	MaxBackOff time.Duration
}

// NodeOptions returns the options of the default node node-<i> (i from 1):
// 4 CPUs, 8Gi of memory, 110 pods, podCIDR 10.244.<i>.0/24 and InternalIP
// 192.168.49.1<i>, with the kubelet's default timings.
func NodeOptions(i int) Options {
	return Options{
		NodeName:       fmt.Sprintf("node-%d", i),
		PodCIDR:        fmt.Sprintf("10.244.%d.0/24", i),
		InternalIP:     fmt.Sprintf("192.168.49.%d", 10+i),
		CPU:            resource.MustParse("4"),
		Memory:         resource.MustParse("8Gi"),
		Pods:           110,
		LeaseInterval:  10 * time.Second,
		StatusInterval: time.Minute,
		PullDelay:      1200 * time.Millisecond,
		StartDelay:     300 * time.Millisecond,
		BackOff:        10 * time.Second,
		MaxBackOff:     5 * time.Minute,
	}
}

func (o *Options) setDefaults() {
	d := NodeOptions(1)
	if o.LeaseInterval <= 0 {
		o.LeaseInterval = d.LeaseInterval
	}
	if o.StatusInterval <= 0 {
		o.StatusInterval = d.StatusInterval
	}
	if o.BackOff <= 0 {
		o.BackOff = d.BackOff
	}
	if o.MaxBackOff < o.BackOff {
		o.MaxBackOff = max(d.MaxBackOff, o.BackOff)
	}
	if o.CPU.IsZero() {
		o.CPU = d.CPU
	}
	if o.Memory.IsZero() {
		o.Memory = d.Memory
	}
	if o.Pods == 0 {
		o.Pods = d.Pods
	}
}

// Kubelet is the agent of one simulated node.
type Kubelet struct {
	opts      Options
	cfg       *rest.Config
	rec       *steps.Recorder
	component string // "kubelet/<node>", as steps name it
	ips       *podCIDR
	runtime   *containerRuntime

	mu           sync.Mutex // guards running and apiServiceIP
	running      bool
	apiServiceIP string // the kubernetes Service's cluster IP, once read (exec.go)
}

// New returns the kubelet of the node opts describe. cfg should authenticate
// as system:node:<name> in group system:nodes.
func New(cfg *rest.Config, rec *steps.Recorder, opts Options) *Kubelet {
	opts.setDefaults()
	ips, err := newPodCIDR(opts.PodCIDR)
	if err != nil {
		panic(fmt.Sprintf("kubelet %s: %v", opts.NodeName, err)) // a wiring mistake
	}
	return &Kubelet{
		opts: opts, cfg: cfg, rec: rec, component: "kubelet/" + opts.NodeName,
		ips: ips, runtime: newRuntime(),
	}
}

// NewNodes returns the kubelets of the default nodes node-1 … node-n, each
// with its own identity system:node:<name> from config (the cluster's
// ClientConfig). tune, if not nil, adjusts each node's options (tests set
// short intervals and no delays).
func NewNodes(n int, config func(user string, groups ...string) (*rest.Config, error), rec *steps.Recorder, tune func(*Options)) ([]*Kubelet, error) {
	var out []*Kubelet
	for i := 1; i <= n; i++ {
		opts := NodeOptions(i)
		if tune != nil {
			tune(&opts)
		}
		cfg, err := config("system:node:"+opts.NodeName, "system:nodes")
		if err != nil {
			return nil, err
		}
		out = append(out, New(cfg, rec, opts))
	}
	return out, nil
}

// Component is the kubelet's name in the step stream: "kubelet/<node>".
func (k *Kubelet) Component() string { return k.component }

// NodeName is the name of the kubelet's node.
func (k *Kubelet) NodeName() string { return k.opts.NodeName }

// Running reports whether Run is running.
func (k *Kubelet) Running() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.running
}

// Run registers the node, then heartbeats and runs its pods until ctx ends.
// It returns nil when ctx ends, or an error if it cannot start.
func (k *Kubelet) Run(ctx context.Context) error {
	k.mu.Lock()
	if k.running {
		k.mu.Unlock()
		return fmt.Errorf("kubelet %s is already running", k.opts.NodeName)
	}
	k.running = true
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		k.running = false
		k.mu.Unlock()
	}()

	client, err := kubernetes.NewForConfig(k.cfg)
	if err != nil {
		return err
	}
	ev := newEventRecorder(client, k.opts.NodeName)
	defer ev.shutdown()
	if err := k.registerNode(ctx, client, ev); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}

	// The kubelet watches its own Node and the pods bound to it, each
	// through an informer narrowed by a field selector.
	nodeInformers := informers.NewSharedInformerFactoryWithOptions(client, 0,
		informers.WithTweakListOptions(selectField("metadata.name", k.opts.NodeName)))
	podInformers := informers.NewSharedInformerFactoryWithOptions(client, 0,
		informers.WithTweakListOptions(selectField("spec.nodeName", k.opts.NodeName)))
	nodes := nodeInformers.Core().V1().Nodes()
	workers := newPodWorkers(ctx, k, client, ev)
	if _, err := podInformers.Core().V1().Pods().Informer().AddEventHandler(workers.handler()); err != nil {
		return err
	}
	_ = nodes.Informer()
	nodeInformers.Start(ctx.Done())
	podInformers.Start(ctx.Done())

	var wg sync.WaitGroup
	wg.Go(func() { k.heartbeat(ctx, client, nodes.Lister(), ev) })
	<-ctx.Done()
	wg.Wait()
	// The informers first, so that no event hands a pod to a worker
	// while the workers are being waited for.
	podInformers.Shutdown()
	nodeInformers.Shutdown()
	workers.wait()
	return nil
}

func selectField(field, value string) func(*metav1.ListOptions) {
	return func(o *metav1.ListOptions) { o.FieldSelector = fields.OneTermEqualSelector(field, value).String() }
}

// Message keys of the kubelet's steps.
const (
	msgRegistered   = "kubelet.node.registered"
	msgNodeStatus   = "kubelet.node.status"
	msgWatch        = "kubelet.pod.watch"
	msgPulling      = "kubelet.pod.pulling"
	msgPulled       = "kubelet.pod.pulled"
	msgPullFailed   = "kubelet.pod.pullFailed"
	msgStarted      = "kubelet.pod.started"
	msgExited       = "kubelet.pod.exited"
	msgKilled       = "kubelet.pod.killed"
	msgPodStatus    = "kubelet.pod.status"
	msgRegisterFail = "kubelet.node.registerFailed"
)

// step records one step of this kubelet and returns ctx with the step as the
// cause of what the kubelet does next. Every step the kubelet takes passes
// here. Before a step about a pod, the kubelet asks the sandbox's pacer, so
// a learner can slow it, step it or pause it; node heartbeats are never
// held, since holding them would make the node fail.
func (k *Kubelet) step(ctx context.Context, s steps.Step) context.Context {
	s.Component = k.component
	if s.Object.Kind == "Pod" {
		_ = k.rec.Pace(ctx, s) // if ctx ends, the caller notices
	}
	s = k.rec.Record(ctx, s)
	if s.Trace == "" {
		return ctx
	}
	return steps.WithCause(ctx, steps.Cause{Trace: s.Trace, Parent: s.Seq})
}
