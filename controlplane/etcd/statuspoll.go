package etcd

// What each member says of itself.
//
// etcd's maintenance Status API (what `etcdctl endpoint status` prints)
// answers from the member asked, without going through Raft: its member ID,
// the leader it follows, its Raft term and the index of the last log entry it
// has applied. Asking every member is how an operator finds the leader, and
// how Glassplane draws the members: a member that follows nobody is a
// candidate, campaigning for votes it cannot get without a quorum.
//
// The poller asks every running member a few times a second through one
// client per member (so each answer is that member's own view), keeps the
// last answers, and closes its Changes channel whenever they change. Rules:
// the poller's goroutine is owned by the member set and ends in stop; its
// readers never block on a member.

import (
	"context"
	"slices"
	"sync"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// Member roles, as Raft names them.
const (
	Leader    = "leader"
	Follower  = "follower"
	Candidate = "candidate" // follows nobody: an election is under way
)

// MemberStatus is one member as it last described itself.
type MemberStatus struct {
	Name      string `json:"name"`
	ClientURL string `json:"clientURL"`
	Running   bool   `json:"running"`
	Role      string `json:"role,omitempty"`
	Term      uint64 `json:"term,omitempty"`
	Applied   uint64 `json:"appliedIndex,omitempty"`
	Revision  int64  `json:"revision,omitempty"`
	// Leader names the member it follows (its own name when it leads).
	Leader string `json:"leader,omitempty"`
	// Error says why the member did not answer.
	Error string `json:"error,omitempty"`
}

// statusTimeout bounds one member's answer: it answers from memory, so
// only a loaded machine makes it slow, and a slow answer is not an absent member.
const statusTimeout = 2 * time.Second

type statusPoller struct {
	ms       *memberSet
	clients  []*clientv3.Client // one per member
	interval time.Duration
	cancel   context.CancelFunc
	done     chan struct{}
	kick     chan struct{} // asks for a poll now

	mu      sync.Mutex // guards the fields below
	last    []MemberStatus
	names   map[uint64]string // member ID → name, learned from the answers
	changed chan struct{}     // closed and replaced when last changes
}

func startStatusPoller(ms *memberSet, fast bool) *statusPoller {
	ctx, cancel := context.WithCancel(context.Background())
	p := &statusPoller{ms: ms, interval: 250 * time.Millisecond, cancel: cancel, done: make(chan struct{}),
		kick: make(chan struct{}, 1), names: map[uint64]string{}, changed: make(chan struct{})}
	if fast {
		p.interval = 50 * time.Millisecond
	}
	for _, a := range ms.addrs {
		// Without DialTimeout New does not wait: a stopped member is
		// reached again when it comes back.
		c, err := clientv3.New(clientv3.Config{Endpoints: []string{a.ClientURL}, Logger: zap.NewNop()})
		if err != nil {
			panic("etcd: a client without dial timeout cannot fail: " + err.Error())
		}
		p.clients = append(p.clients, c)
	}
	p.poll(ctx)
	go p.run(ctx)
	return p
}

func (p *statusPoller) run(ctx context.Context) {
	defer close(p.done)
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p.kick:
		}
		p.poll(ctx)
	}
}

// refresh asks for a poll soon, without waiting for it.
func (p *statusPoller) refresh() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

func (p *statusPoller) poll(ctx context.Context) {
	out := make([]MemberStatus, len(p.ms.addrs))
	leaders := make([]uint64, len(out))
	ids := map[uint64]string{}
	for i, a := range p.ms.addrs {
		out[i] = MemberStatus{Name: a.Name, ClientURL: a.ClientURL, Running: p.ms.running(i)}
		if !out[i].Running {
			continue
		}
		sctx, cancel := context.WithTimeout(ctx, statusTimeout)
		m := clientv3.NewMaintenanceFromMaintenanceClient(pb.NewMaintenanceClient(p.clients[i].ActiveConnection()), p.clients[i])
		resp, err := m.Status(sctx, "")
		cancel()
		if err != nil {
			out[i].Error = err.Error()
			continue
		}
		ids[resp.Header.MemberId] = a.Name
		out[i].Term, out[i].Applied, out[i].Revision = resp.RaftTerm, resp.RaftAppliedIndex, resp.Header.Revision
		leaders[i] = resp.Leader
		switch resp.Leader {
		case 0:
			out[i].Role = Candidate
		case resp.Header.MemberId:
			out[i].Role = Leader
		default:
			out[i].Role = Follower
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, name := range ids {
		p.names[id] = name
	}
	for i := range out {
		out[i].Leader = p.names[leaders[i]]
	}
	if !slices.Equal(out, p.last) {
		p.last = out
		close(p.changed)
		p.changed = make(chan struct{})
	}
}

// members returns the last answers.
func (p *statusPoller) members() []MemberStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.last)
}

// changes returns a channel closed at the next change of the answers.
func (p *statusPoller) changes() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.changed
}

// leaderOf names the member that led term, polling once more if the last
// answers predate it (a write right after an election).
func (p *statusPoller) leaderOf(ctx context.Context, term uint64) string {
	for attempt := 0; attempt < 2; attempt++ {
		for _, m := range p.members() {
			if m.Term == term && m.Leader != "" {
				return m.Leader // the leader itself, or a member that follows it
			}
		}
		if attempt == 0 {
			p.poll(ctx)
		}
	}
	return ""
}

func (p *statusPoller) stop() {
	p.cancel()
	<-p.done
	for _, c := range p.clients {
		_ = c.Close()
	}
}
