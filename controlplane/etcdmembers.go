package controlplane

// etcd's members as components.
//
// When etcd runs as several members (etcd.Config.Members), each member is a
// component a learner can see and stop: etcd-1 … etcd-N, each with its Raft
// role, term and applied index as it reports them itself. Stopping one closes
// that member's server for real; its data stays, and starting it again makes
// it catch up from the leader.
//
// Rules: the members belong to the etcd, not to the cluster. Every cluster
// that uses the etcd lists them, but only a cluster that controls the etcd
// (it started it, or it is the local cluster of `glassplane serve`) may stop
// and start them: a classroom sandbox must not take down the etcd every
// other student's sandbox shares.

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// EtcdRequestTimeout bounds every etcd call of the API server when etcd has
// several members, so a lost quorum fails a request instead of hanging it.
const EtcdRequestTimeout = 5 * time.Second

// ErrEtcdShared is why a classroom sandbox may not stop etcd's members.
var ErrEtcdShared = errors.New("etcd's members are shared by every sandbox: only the local cluster can stop or start them")

// etcdMember reports whether name is one of etcd's members.
func (c *Cluster) etcdMember(name string) bool {
	if !strings.HasPrefix(name, "etcd-") {
		return false
	}
	for _, m := range c.Etcd.Members() {
		if m.Name == name {
			return true
		}
	}
	return false
}

// stopOrStartEtcdMember stops or starts a member, if this cluster may.
func (c *Cluster) stopOrStartEtcdMember(name string, stop bool) error {
	if !c.controlsEtcd {
		return fmt.Errorf("%s: %w", name, ErrEtcdShared)
	}
	if stop {
		return c.Etcd.StopMember(name)
	}
	return c.Etcd.StartMember(name)
}

// etcdMemberStatuses lists the members as components.
func (c *Cluster) etcdMemberStatuses() []ComponentStatus {
	members := c.Etcd.Members()
	out := make([]ComponentStatus, 0, len(members))
	for _, m := range members {
		out = append(out, ComponentStatus{Name: m.Name, Running: m.Running, Error: m.Error,
			Role: m.Role, Term: m.Term, AppliedIndex: m.Applied, Leader: m.Leader})
	}
	return out
}
