package lessons

// Lessons about etcd's members (lesson 4): an action that stops whichever
// member leads, one that starts every stopped member, and a check of how
// many members run and whether one leads. They read the members from the
// sandbox's components, as the diagram does, and stop and start them
// through the same StopComponent and StartComponent as its buttons.

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/glassplane/glassplane/controlplane"
)

// leaderWait bounds how long stopEtcdLeader waits for an election to end.
const leaderWait = 15 * time.Second

// errOneMember is what a learner running a single member is told.
var errOneMember = errors.New("etcd runs one member here: start Glassplane with `glassplane serve --etcd-members 3` (and a new --data-dir) to have several")

var memberName = regexp.MustCompile(`^etcd-\d+$`)

func etcdMembers(sb *Sandbox) []controlplane.ComponentStatus {
	var out []controlplane.ComponentStatus
	for _, st := range sb.Cluster.Components() {
		if memberName.MatchString(st.Name) {
			out = append(out, st)
		}
	}
	return out
}

func leaderOf(members []controlplane.ComponentStatus) (controlplane.ComponentStatus, bool) {
	for _, m := range members {
		if m.Running && m.Role == "leader" {
			return m, true
		}
	}
	return controlplane.ComponentStatus{}, false
}

// stopEtcdLeader stops the member that leads now, waiting for an election
// under way to end first. A leader that stops hands its leadership to a
// follower; when too few members are left for a majority, that follower
// leads for one more election timeout before it finds no majority answers
// it and steps down. A write sent in that moment goes into its log and may
// be committed later, when the majority is back. A learner sees the ★ go
// before typing the next command; the action waits for the same.
func stopEtcdLeader(ctx context.Context, sb *Sandbox) error {
	deadline := time.Now().Add(leaderWait)
	for {
		members := etcdMembers(sb)
		if len(members) == 0 {
			return errOneMember
		}
		if l, ok := leaderOf(members); ok {
			if err := sb.Cluster.StopComponent(l.Name); err != nil {
				return err
			}
			if running(members)-1 >= len(members)/2+1 {
				return nil
			}
			return waitNoLeader(ctx, sb)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no etcd member has led for %v: fewer than a majority run", leaderWait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitNoLeader waits until no running member leads.
func waitNoLeader(ctx context.Context, sb *Sandbox) error {
	deadline := time.Now().Add(leaderWait)
	for {
		l, ok := leaderOf(etcdMembers(sb))
		if !ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s still leads %v after losing its majority", l.Name, leaderWait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// running counts the members that run.
func running(members []controlplane.ComponentStatus) int {
	n := 0
	for _, m := range members {
		if m.Running {
			n++
		}
	}
	return n
}

// startEtcdMembers starts every stopped member.
func startEtcdMembers(sb *Sandbox) error {
	members := etcdMembers(sb)
	if len(members) == 0 {
		return errOneMember
	}
	for _, m := range members {
		if !m.Running {
			if err := sb.Cluster.StartComponent(m.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkEtcd(ctx context.Context, sb *Sandbox, ec *EtcdCheck) (bool, Note) {
	if ec.Snapshots > 0 {
		all, err := sb.Cluster.Snapshots(ctx)
		if err != nil {
			return false, errorNote(err)
		}
		detail := note(fmt.Sprintf("%d snapshots saved", len(all)), "check.snapshots", "n", len(all))
		if len(all) < ec.Snapshots {
			return false, detail
		}
		if ec.Members == 0 && ec.Running == nil && ec.Leader == nil {
			return true, detail // a check of the snapshots alone
		}
	}
	members := etcdMembers(sb)
	if len(members) == 0 {
		return false, note(errOneMember.Error(), "check.oneMember")
	}
	up := running(members)
	l, leads := leaderOf(members)
	detail := note(fmt.Sprintf("%d etcd members, %d running, no leader", len(members), up), "check.etcdNoLeader",
		"members", len(members), "running", up)
	if leads {
		detail = note(fmt.Sprintf("%d etcd members, %d running, %s leads in term %d", len(members), up, l.Name, l.Term), "check.etcdLeader",
			"members", len(members), "running", up, "leader", l.Name, "term", l.Term)
	}
	ok := len(members) >= ec.Members &&
		(ec.Running == nil || up == *ec.Running) &&
		(ec.Leader == nil || leads == *ec.Leader)
	return ok, detail
}
