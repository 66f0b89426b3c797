package controlplane

// startComponents wires the components around the API server, each with its
// own identity, as in a kubeadm cluster: the controller manager as
// system:kube-controller-manager, the scheduler as system:kube-scheduler, and
// one kubelet per node as system:node:<name>. Each is a Component, so it can
// be stopped and started on its own.

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/glassplane/glassplane/controlplane/controllers"
	"github.com/glassplane/glassplane/controlplane/controllers/cronjob"
	"github.com/glassplane/glassplane/controlplane/controllers/job"
	"github.com/glassplane/glassplane/controlplane/controllers/nodelifecycle"
	"github.com/glassplane/glassplane/controlplane/controllers/podautoscaler"
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
	JobBackOff            time.Duration // a Job's wait before replacing its first failed pod (0: kube's 10 s)
	CronJobClock          cronjob.Clock // the CronJob controller's time (nil: the wall clock)
	// AutoscalerSecond is how long one second of the horizontal pod
	// autoscaler lasts: its 15 s sync period and its 300 s scale-down
	// window are counted in them (0: a real second).
	AutoscalerSecond time.Duration
}

// LessonTiming is the default for `glassplane serve`: slow enough to watch a
// pod being pulled and started, fast enough that a dead node is noticed in
// seconds.
var LessonTiming = Timing{PullDelay: 1200 * time.Millisecond, StartDelay: 300 * time.Millisecond,
	LeaseInterval: 2 * time.Second, NodeGracePeriod: 10 * time.Second, EvictionTimeout: 10 * time.Second,
	AutoscalerSecond: 100 * time.Millisecond}

// TestTiming has no delays (tests and benchmarks).
var TestTiming = Timing{LeaseInterval: 200 * time.Millisecond, NodeGracePeriod: 2 * time.Second, EvictionTimeout: time.Second,
	JobBackOff: 200 * time.Millisecond, AutoscalerSecond: 20 * time.Millisecond}

func (c *Cluster) startComponents(nodes int, t Timing) error {
	cmCfg, err := c.ComponentConfig("system:kube-controller-manager")
	if err != nil {
		return err
	}
	newManager := func() (runner, error) {
		return controllers.NewManager(cmCfg, c.Steps, controllers.Options{
			NodeLifecycle: nodelifecycle.Options{GracePeriod: t.NodeGracePeriod, EvictionTimeout: t.EvictionTimeout},
			Job:           job.Options{BackOff: t.JobBackOff},
			CronJobClock:  t.CronJobClock,
			Autoscaler:    podautoscaler.Options{Second: t.AutoscalerSecond},
			RootCA:        c.CA.CertPEM,
		})
	}
	cmRun, err := restartable(newManager)
	if err != nil {
		return fmt.Errorf("controller manager: %w", err)
	}
	c.AddComponent(Component{Name: "controller-manager", Run: cmRun})

	schedCfg, err := c.ComponentConfig("system:kube-scheduler")
	if err != nil {
		return err
	}
	schedRun, err := restartable(func() (runner, error) { return scheduler.New(schedCfg, c.Steps, scheduler.Options{}) })
	if err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	c.AddComponent(Component{Name: "scheduler", Run: schedRun})

	kubelets, err := kubelet.NewNodes(nodes, c.ComponentConfig, c.Steps, func(o *kubelet.Options) {
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

type runner interface {
	Run(ctx context.Context) error
}

// restartable builds a component now (so a bad configuration fails Start)
// and again at every later start: a shut-down informer factory or event
// broadcaster cannot start again, so a restarted component gets new ones,
// as a restarted process would.
func restartable(build func() (runner, error)) (func(context.Context) error, error) {
	first, err := build()
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex // guards next
	next := first
	return func(ctx context.Context) error {
		mu.Lock()
		r := next
		next = nil
		mu.Unlock()
		if r == nil {
			var err error
			if r, err = build(); err != nil {
				return err
			}
		}
		return r.Run(ctx)
	}, nil
}
