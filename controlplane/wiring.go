package controlplane

// startComponents wires the components around the API server, each with its
// own identity, as in a kubeadm cluster: the controller manager as
// system:kube-controller-manager, the scheduler as system:kube-scheduler, and
// one kubelet per node as system:node:<name>. Each is a Component, so it can
// be stopped and started on its own.

import (
	"fmt"
	"time"

	"github.com/glassplane/glassplane/controlplane/controllers"
	"github.com/glassplane/glassplane/controlplane/controllers/nodelifecycle"
	"github.com/glassplane/glassplane/controlplane/kubelet"
	"github.com/glassplane/glassplane/controlplane/scheduler"
)

// Timing sets how fast the simulated world moves. Kubernetes' own values
// make a node failure take minutes; a lesson wants it in seconds.
type Timing struct {
	PullDelay, StartDelay time.Duration // a kubelet's image pull and container start
	LeaseInterval         time.Duration // how often a kubelet renews its Lease
	NodeGracePeriod       time.Duration // how long a silent node stays Ready
	EvictionTimeout       time.Duration // caps how long pods stay on an unreachable node
}

// LessonTiming is the default for `glassplane serve`: slow enough to watch a
// pod being pulled and started, fast enough that a dead node is noticed in
// seconds.
var LessonTiming = Timing{PullDelay: 1200 * time.Millisecond, StartDelay: 300 * time.Millisecond,
	LeaseInterval: 2 * time.Second, NodeGracePeriod: 10 * time.Second, EvictionTimeout: 10 * time.Second}

// TestTiming has no delays (tests and benchmarks).
var TestTiming = Timing{LeaseInterval: 200 * time.Millisecond, NodeGracePeriod: 2 * time.Second, EvictionTimeout: time.Second}

func (c *Cluster) startComponents(nodes int, t Timing) error {
	cmCfg, err := c.ClientConfig("system:kube-controller-manager")
	if err != nil {
		return err
	}
	cm, err := controllers.NewManager(cmCfg, c.Steps, controllers.Options{
		NodeLifecycle: nodelifecycle.Options{GracePeriod: t.NodeGracePeriod, EvictionTimeout: t.EvictionTimeout},
	})
	if err != nil {
		return fmt.Errorf("controller manager: %w", err)
	}
	c.AddComponent(Component{Name: "controller-manager", Run: cm.Run})

	schedCfg, err := c.ClientConfig("system:kube-scheduler")
	if err != nil {
		return err
	}
	sched, err := scheduler.New(schedCfg, c.Steps, scheduler.Options{})
	if err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	c.AddComponent(Component{Name: "scheduler", Run: sched.Run})

	kubelets, err := kubelet.NewNodes(nodes, c.ClientConfig, c.Steps, func(o *kubelet.Options) {
		o.PullDelay, o.StartDelay, o.LeaseInterval = t.PullDelay, t.StartDelay, t.LeaseInterval
	})
	if err != nil {
		return fmt.Errorf("kubelets: %w", err)
	}
	for _, k := range kubelets {
		c.Kubelets.Add(k)
		c.AddComponent(Component{Name: k.Component(), Run: k.Run})
	}
	return nil
}
