package controlplane

// The parts of the control plane other than the API server and etcd — the
// controller manager, the scheduler, each kubelet — are components: each
// runs in its own goroutine under its own context, so a learner can stop one
// (the scheduler, a node's kubelet) and start it again, and see what the
// cluster does without it. Stopping is for real: the component's informers
// and workers end, exactly as if its process had died.
//
// Rules: a component's Run blocks until its context ends. StopComponent
// cancels that context and waits for Run to return. Cluster.Close stops every
// component before the API server and etcd.

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/glassplane/glassplane/controlplane/apiserver"
	"github.com/glassplane/glassplane/controlplane/apiserver/authz"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Component is one part of the control plane that can be stopped and started.
type Component struct {
	Name string
	Run  func(ctx context.Context) error
}

// ComponentStatus says whether a component runs.
type ComponentStatus struct {
	Name    string `json:"name"`
	Running bool   `json:"running"`
	Error   string `json:"error,omitempty"` // why it last stopped, if it failed
	// An etcd member (etcdmembers.go) also says what Raft makes it: its
	// role (leader, follower or candidate), its term, the index of the last
	// log entry it applied, and the member it follows.
	Role         string `json:"role,omitempty"`
	Term         uint64 `json:"term,omitempty"`
	AppliedIndex uint64 `json:"appliedIndex,omitempty"`
	Leader       string `json:"leader,omitempty"`
}

type runningComponent struct {
	Component
	cancel context.CancelFunc // nil when stopped
	done   chan struct{}
	err    error
}

type components struct {
	mu   sync.Mutex // guards m and each entry's cancel, done and err
	m    map[string]*runningComponent
	base context.Context // components run under it; cancelled by Close
}

// AddComponent registers comp and starts it.
func (c *Cluster) AddComponent(comp Component) {
	c.comps.mu.Lock()
	defer c.comps.mu.Unlock()
	if c.comps.m == nil {
		c.comps.m = map[string]*runningComponent{}
	}
	rc := &runningComponent{Component: comp}
	c.comps.m[comp.Name] = rc
	c.comps.startLocked(rc)
}

func (cs *components) startLocked(rc *runningComponent) {
	ctx, cancel := context.WithCancel(cs.base)
	rc.cancel, rc.done, rc.err = cancel, make(chan struct{}), nil
	go func(done chan struct{}) {
		err := rc.Run(ctx)
		cs.mu.Lock()
		if err != nil && ctx.Err() == nil {
			rc.err = err
		}
		cs.mu.Unlock()
		close(done)
	}(rc.done)
}

// StartComponent starts a stopped component again. If it is still stopping,
// it waits for the old run to end first, so two never run at once. Like
// StopComponent it is recorded as a person's act.
func (c *Cluster) StartComponent(name string) error {
	if err := c.startComponent(name); err != nil {
		return err
	}
	c.recordBreak(name, steps.Start)
	return nil
}

func (c *Cluster) startComponent(name string) error {
	if c.etcdMember(name) {
		return c.stopOrStartEtcdMember(name, false)
	}
	c.comps.mu.Lock()
	rc, ok := c.comps.m[name]
	if !ok {
		c.comps.mu.Unlock()
		return fmt.Errorf("there is no component %q", name)
	}
	for rc.cancel == nil && rc.done != nil && !closed(rc.done) {
		done := rc.done
		c.comps.mu.Unlock()
		<-done
		c.comps.mu.Lock()
	}
	defer c.comps.mu.Unlock()
	if rc.cancel != nil && !closed(rc.done) {
		return nil // already running
	}
	c.comps.startLocked(rc)
	return nil
}

func closed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// StopComponent stops a component and waits until it has stopped. It is a
// person's act (the page's stop button, a lesson's action), so it is
// recorded as the first step of a trace of its own (breaks.go).
func (c *Cluster) StopComponent(name string) error {
	if err := c.stopComponent(name); err != nil {
		return err
	}
	c.recordBreak(name, steps.Stop)
	return nil
}

func (c *Cluster) stopComponent(name string) error {
	if c.etcdMember(name) {
		return c.stopOrStartEtcdMember(name, true)
	}
	c.comps.mu.Lock()
	rc, ok := c.comps.m[name]
	if !ok {
		c.comps.mu.Unlock()
		return fmt.Errorf("there is no component %q", name)
	}
	cancel, done := rc.cancel, rc.done
	rc.cancel = nil
	c.comps.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	return nil
}

// Components lists the components and whether each runs, by name, and
// etcd's members when there are several.
func (c *Cluster) Components() []ComponentStatus {
	members := c.etcdMemberStatuses()
	c.comps.mu.Lock()
	defer c.comps.mu.Unlock()
	out := make([]ComponentStatus, 0, len(c.comps.m)+len(members))
	out = append(out, members...)
	for _, rc := range c.comps.m {
		st := ComponentStatus{Name: rc.Name, Running: rc.running()}
		if rc.err != nil {
			st.Error = rc.err.Error()
		}
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// running reports whether rc runs (its Run has not returned); call with mu held.
func (rc *runningComponent) running() bool {
	if rc.cancel == nil {
		return false
	}
	select {
	case <-rc.done:
		return false
	default:
		return true
	}
}

// stopAll stops every component and waits for them.
func (c *Cluster) stopAll() {
	c.comps.mu.Lock()
	names := make([]string, 0, len(c.comps.m))
	for name := range c.comps.m {
		names = append(names, name)
	}
	c.comps.mu.Unlock()
	for _, name := range names {
		_ = c.stopComponent(name) // shutting down, not a person's act
	}
}

// readyChecks are the API server's /readyz checks beyond ping and etcd:
// informer-sync (the RBAC policy the server authorizes from has been read:
// NewRBAC lists it before it returns, so a server that has an authorizer has
// it) and components (no component has stopped on an error; one a learner
// stopped on purpose is not a failure).
func (c *Cluster) readyChecks() []apiserver.HealthCheck {
	return []apiserver.HealthCheck{
		{Name: "informer-sync", Check: func() error {
			if _, ok := c.API.Authorizer.(*authz.RBAC); !ok {
				return fmt.Errorf("the RBAC policy has not been read")
			}
			return nil
		}},
		{Name: "components", Check: func() error {
			for _, st := range c.Components() {
				if !st.Running && st.Error != "" {
					return fmt.Errorf("%s stopped: %s", st.Name, st.Error)
				}
			}
			return nil
		}},
	}
}
