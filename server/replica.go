package server

// Several Glassplane replicas may share one etcd cluster, behind a plain
// load balancer. Everything a sandbox is lives in etcd already (its
// objects, its record, its lesson progress, its credentials and where its
// step numbers go on), so any replica can run it; what must not happen is
// two replicas running its controllers, scheduler and kubelets at once.
//
// So each sandbox has an owner, chosen as Kubernetes chooses the active
// controller manager, by an election in etcd (client/v3/concurrency):
//
//   - Every replica keeps one etcd session, a lease it renews every third of
//     its TTL. A few replicas, a sandbox's candidates (candidates.go),
//     campaign in their sessions for each sandbox whose record they see
//     under /glassplane/sandboxes/. The first in line for a sandbox owns it
//     and starts its cluster; the others wait.
//   - A replica that creates a sandbox campaigns before the record exists,
//     so it is first in line and owns what it creates.
//   - When a replica dies, its lease expires within the TTL, its places in
//     every line vanish, and the next replica in each line starts that
//     sandbox from etcd: its controllers list and converge, as Kubernetes'
//     do after a leader change.
//   - A replica whose session ends (it lost etcd for longer than the TTL)
//     stops every sandbox it ran before anyone else can be elected for it,
//     then opens a new session and joins every line again.
//   - When a record vanishes (deleted, or its idle lease expired) every
//     replica leaves that line, and its owner deletes what is left of it.
//   - Every write of a sandbox requires its owner's key in the line, as
//     etcd's election recipe expects of a leader (registry/fence.go). A
//     replica that stalled past its TTL may run a sandbox for a moment
//     after another was elected, until it notices; its writes in that
//     moment fail and change nothing.
//
// A request about a sandbox another replica owns is passed to the owner
// (forward.go), so a browser or a script may reach any replica.

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/metrics"
)

// ownerPrefix holds one election per sandbox: /glassplane/owners/ID/.
const ownerPrefix = "/glassplane/owners/"

// replicaSecretKey holds what replicas show one another when they pass a
// request on, so the owner may believe the client address it carries.
const replicaSecretKey = "/glassplane/replica-secret"

// DefaultReplicaTTL is how long a replica's etcd session outlives it: the
// longest a sandbox waits for a new owner after its owner dies.
const DefaultReplicaTTL = 3 * time.Second

// replica is a Sandboxes' part in sharing its etcd with other replicas.
type replica struct {
	ttl    time.Duration
	self   Owner  // how other replicas reach this one (set by StartReplica)
	vote   string // self as the election's value
	secret string // shown on requests passed between replicas (set by StartReplica)

	mu      sync.Mutex
	session *concurrency.Session
	known   map[string]record // every sandbox's record, whoever owns it
	claims  map[string]*claim // the sandboxes this session campaigns for or owns
	// peers are the listed replicas' keys, selfKey this one's, and
	// candidates how many of them campaign for each sandbox (candidates.go).
	peers      map[string]bool
	selfKey    string
	candidates int
	// holding counts the claims still campaigning or running a sandbox:
	// a session is revoked only after every one has stopped its sandbox.
	holding sync.WaitGroup
	// refresh serializes reads of the records made on a lookup's miss;
	// refreshed is when the last one was made, recent what it read (kept
	// apart from known, which only the watch changes, so a read that
	// crossed a delete leaves nothing behind for long).
	refresh   sync.Mutex
	refreshed time.Time
	recent    map[string]record // guarded by mu, as recentAt is
	recentAt  time.Time
}

// claim is one sandbox this replica campaigns for, then owns.
type claim struct {
	ctx    context.Context
	cancel context.CancelFunc // ends the campaign, or the ownership
	el     *concurrency.Election
	sess   *concurrency.Session
}

// fence is what the sandbox's writes require while cl owns it: its place
// at the head of the election (registry/fence.go).
func (cl *claim) fence() *registry.Fence {
	if cl == nil {
		return nil
	}
	return &registry.Fence{Key: cl.el.Key(), CreateRevision: cl.el.Rev()}
}

// WithReplica makes the Sandboxes one replica among several on a shared
// etcd: a sandbox runs here only while this replica is elected its owner.
func WithReplica(ttl time.Duration) Option {
	return func(s *Sandboxes) {
		s.replica = &replica{ttl: max(ttl, time.Second), known: map[string]record{}, claims: map[string]*claim{},
			peers: map[string]bool{}, candidates: candidateCount}
	}
}

// Owner is where the replica that runs a sandbox is reached: its web
// server, and its front door for the sandboxes' Kubernetes APIs (frontdoor.go).
type Owner struct {
	Web string `json:"web"`
	API string `json:"api,omitempty"`
}

// StartReplica joins the elections of every sandbox, as the replica
// reachable at self, until Close. It replaces Restore.
func (s *Sandboxes) StartReplica(ctx context.Context, self Owner) error {
	r := s.replica
	if r == nil {
		return errors.New("these sandboxes were not made WithReplica")
	}
	secret, err := sharedSecret(ctx, s.etcd.Client)
	if err != nil {
		return err
	}
	vote, _ := json.Marshal(self)
	r.self, r.vote, r.secret = self, string(vote), secret
	runCtx, cancel := context.WithCancel(context.Background())
	// The first session opens before StartReplica returns, so a sandbox
	// can be created at once.
	sess, err := r.newSession(runCtx, s.etcd.Client)
	if err != nil {
		cancel()
		return err
	}
	s.replicaCancel = cancel
	s.reaping.Go(func() { s.runReplica(runCtx, sess) })
	return nil
}

func (r *replica) newSession(ctx context.Context, cli *clientv3.Client) (*concurrency.Session, error) {
	sess, err := concurrency.NewSession(cli, concurrency.WithTTL(int(r.ttl/time.Second)), concurrency.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("opening this replica's etcd session: %w", err)
	}
	// The replica lists itself, for as long as the session lives, so the
	// others can ask it for its part of a class's roster (classshare.go).
	key := fmt.Sprintf("%x", sess.Lease())
	if _, err := cli.Put(ctx, replicaPrefix+key, r.vote, clientv3.WithLease(sess.Lease())); err != nil {
		sess.Close()
		return nil, fmt.Errorf("listing this replica in etcd: %w", err)
	}
	r.mu.Lock()
	r.session, r.selfKey = sess, key
	r.mu.Unlock()
	return sess, nil
}

// sharedSecret reads the replicas' secret, making it if this is the first.
func sharedSecret(ctx context.Context, cli *clientv3.Client) (string, error) {
	fresh := newSecret()
	resp, err := cli.Txn(ctx).If(clientv3.Compare(clientv3.CreateRevision(replicaSecretKey), "=", 0)).
		Then(clientv3.OpPut(replicaSecretKey, fresh)).Else(clientv3.OpGet(replicaSecretKey)).Commit()
	if err != nil {
		return "", fmt.Errorf("reading the replicas' shared secret: %w", err)
	}
	if resp.Succeeded {
		return fresh, nil
	}
	return string(resp.Responses[0].GetResponseRange().Kvs[0].Value), nil
}

// runReplica keeps a session, starting with sess, and this replica in every
// sandbox's election within it, until ctx ends.
func (s *Sandboxes) runReplica(ctx context.Context, sess *concurrency.Session) {
	r := s.replica
	backoff := reapMinBackoff
	for {
		s.followRecords(ctx, sess, func() { backoff = reapMinBackoff })
		// No create may claim in the ended session from here on: its claim
		// would be counted in holding while the replica waits for it.
		// Nor may the next session act on what this one knew: a sandbox
		// deleted meanwhile would be campaigned for before the records are
		// read again.
		r.mu.Lock()
		r.session, r.known = nil, map[string]record{}
		r.mu.Unlock()
		s.dropClaims()
		r.holding.Wait() // every sandbox of this session stopped here
		// Hand the sandboxes on at once rather than after the TTL. The
		// revoke is bounded: a replica that lost etcd lets it expire.
		sess.Orphan()
		rctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, _ = s.etcd.Client.Revoke(rctx, sess.Lease())
		cancel()
		if ctx.Err() != nil {
			return
		}
		slog.Warn("this replica's etcd session ended; joining the sandboxes' elections again")
		for {
			var err error
			if sess, err = r.newSession(ctx, s.etcd.Client); err == nil {
				break
			}
			slog.Warn("reopening this replica's etcd session", "err", err, "after", backoff)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, reapMaxBackoff)
		}
	}
}

// followRecords follows the listed replicas and the sandboxes' records,
// joining the election of every sandbox this replica is a candidate for
// and leaving those whose record vanishes, until the session or ctx ends.
// The replicas are listed first, so a replica that starts beside many
// sandboxes joins only the lines it belongs in.
func (s *Sandboxes) followRecords(ctx context.Context, sess *concurrency.Session, healthy func()) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-sess.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	listed := make(chan struct{})
	var once sync.Once
	peersDone := make(chan struct{})
	go func() {
		defer close(peersDone)
		s.keepFollowing(ctx, "the listed replicas", func() error {
			return s.follow(ctx, replicaPrefix, func(kvs []*mvccpb.KeyValue) {
				s.peersListed(ctx, sess, kvs)
				once.Do(func() { close(listed) })
			}, func(ev *clientv3.Event) { s.peerChanged(ctx, sess, ev) }, func() {})
		})
	}()
	select {
	case <-listed:
		s.keepFollowing(ctx, "the sandbox records", func() error {
			return s.follow(ctx, recordPrefix, func(kvs []*mvccpb.KeyValue) { s.recordsListed(ctx, sess, kvs) },
				func(ev *clientv3.Event) { s.recordChanged(ctx, sess, ev) }, healthy)
		})
	case <-ctx.Done():
	}
	cancel()
	<-peersDone
}

// keepFollowing runs follow again after a pause each time it fails, until
// ctx ends.
func (s *Sandboxes) keepFollowing(ctx context.Context, what string, follow func() error) {
	for ctx.Err() == nil {
		err := follow()
		if ctx.Err() != nil {
			return
		}
		slog.Warn("the replica's watch ended; watching again", "of", what, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(reapMinBackoff):
		}
	}
}

// follow lists the keys under prefix, then watches them from there, until
// the watch fails or ctx ends.
func (s *Sandboxes) follow(ctx context.Context, prefix string, listed func([]*mvccpb.KeyValue), changed func(*clientv3.Event), healthy func()) error {
	resp, err := s.etcd.Client.Get(ctx, prefix, clientv3.WithPrefix())
	if err != nil {
		return err
	}
	listed(resp.Kvs)
	for wr := range s.watch(ctx, prefix, clientv3.WithPrefix(), clientv3.WithRev(resp.Header.Revision+1)) {
		if err := wr.Err(); err != nil {
			return err
		}
		healthy()
		for _, ev := range wr.Events {
			changed(ev)
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return errors.New("the watch closed")
}

func (s *Sandboxes) recordsListed(ctx context.Context, sess *concurrency.Session, kvs []*mvccpb.KeyValue) {
	present := map[string]bool{}
	for _, kv := range kvs {
		id := strings.TrimPrefix(string(kv.Key), recordPrefix)
		present[id] = true
		s.recordSeen(ctx, sess, id, kv.Value)
	}
	for _, id := range s.replica.knownIDs() {
		if !present[id] {
			s.recordGone(id)
		}
	}
}

func (s *Sandboxes) recordChanged(ctx context.Context, sess *concurrency.Session, ev *clientv3.Event) {
	id := strings.TrimPrefix(string(ev.Kv.Key), recordPrefix)
	if ev.Type == clientv3.EventTypeDelete {
		s.recordGone(id)
	} else {
		s.recordSeen(ctx, sess, id, ev.Kv.Value)
	}
}

// recordSeen learns of sandbox id and joins its election if this replica
// is one of its candidates.
func (s *Sandboxes) recordSeen(ctx context.Context, sess *concurrency.Session, id string, value []byte) {
	var rec record
	if json.Unmarshal(value, &rec) != nil || rec.Token == "" || rec.Lease == 0 {
		return // an older server's record: it expires by itself
	}
	r := s.replica
	r.mu.Lock()
	r.known[id] = rec
	_, claimed := r.claims[id]
	var cl *claim
	if !claimed && r.candidateLocked(id) {
		cl = r.newClaimLocked(ctx, sess, id)
	}
	r.mu.Unlock()
	if cl != nil {
		go s.campaign(cl, id, rec)
	}
}

// recordGone deletes what is left of sandbox id here and leaves its election.
func (s *Sandboxes) recordGone(id string) {
	s.reap(id) // only the owner has anything to delete
	r := s.replica
	r.mu.Lock()
	delete(r.known, id)
	cl := r.claims[id]
	delete(r.claims, id)
	r.mu.Unlock()
	if cl != nil {
		cl.cancel()
	}
}

func (r *replica) newClaimLocked(ctx context.Context, sess *concurrency.Session, id string) *claim {
	cctx, cancel := context.WithCancel(ctx)
	cl := &claim{ctx: cctx, cancel: cancel, sess: sess, el: concurrency.NewElection(sess, ownerPrefix+id)}
	r.claims[id] = cl
	r.holding.Add(1) // done when the claim's campaign or hold ends (or dropClaim)
	return cl
}

func (r *replica) knownIDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]string, 0, len(r.known))
	for id := range r.known {
		ids = append(ids, id)
	}
	return ids
}

// dropClaims leaves every election of the session that ended: the
// sandboxes this replica owned stop (hold sees their claims end).
func (s *Sandboxes) dropClaims() {
	r := s.replica
	r.mu.Lock()
	claims := r.claims
	r.claims = map[string]*claim{}
	r.mu.Unlock()
	for _, cl := range claims {
		cl.cancel()
	}
}

// campaign waits in sandbox id's line and, once elected, runs the sandbox
// until the claim ends.
//
// A campaign that fails (etcd unreachable a moment) or a start that fails
// leaves the line and joins it again at its end after a pause, so a
// sandbox is never left without anyone trying to run it.
func (s *Sandboxes) campaign(cl *claim, id string, rec record) {
	defer s.replica.holding.Done()
	for pause := reapMinBackoff; ; pause = min(2*pause, reapMaxBackoff) {
		if err := cl.el.Campaign(cl.ctx, s.replica.vote); err == nil {
			sb, err := s.startRecorded(cl.ctx, id, rec, cl)
			if err == nil {
				s.hold(cl, sb)
				return
			}
			slog.Warn("starting a sandbox this replica was elected to run", "sandbox", id, "err", err)
			s.resign(cl)
		} else {
			// A campaign that failed may have left its key in the line,
			// where it would hold up the replicas behind it.
			s.leaveLine(cl)
		}
		select {
		case <-cl.ctx.Done():
			return // the claim ended
		case <-cl.sess.Done():
			return
		case <-time.After(pause):
		}
	}
}

// leaveLine takes cl's key out of its sandbox's line, whatever its campaign
// did before it failed (etcd's election leaves it there on some failures).
func (s *Sandboxes) leaveLine(cl *claim) {
	key, rev := cl.el.Key(), cl.el.Rev()
	if key == "" {
		return // it never wrote one
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, _ = s.etcd.Client.Txn(ctx).If(clientv3.Compare(clientv3.CreateRevision(key), "=", rev)).Then(clientv3.OpDelete(key)).Commit()
}

// hold keeps sb running until its claim or the session ends, then stops it
// before leaving the election, so two replicas never run it at once.
func (s *Sandboxes) hold(cl *claim, sb *Sandbox) {
	select {
	case <-cl.ctx.Done():
	case <-cl.sess.Done():
	}
	s.release(sb)
	s.resign(cl)
}

func (s *Sandboxes) resign(cl *claim) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = cl.el.Resign(ctx)
}

// release stops sb's cluster here, leaving its keys for the next owner,
// unless it was deleted (or released) already.
func (s *Sandboxes) release(sb *Sandbox) {
	s.mu.Lock()
	mine := s.m[sb.ID] == sb
	if mine {
		delete(s.m, sb.ID)
	}
	s.mu.Unlock()
	if mine {
		metrics.Sandboxes.Dec()
		sb.Cluster.Close()
	}
}

// claimNew campaigns for a sandbox being created here, before its record
// exists: this replica is first in line and is elected at once.
func (s *Sandboxes) claimNew(ctx context.Context, id string) (*claim, error) {
	r := s.replica
	r.mu.Lock()
	sess := r.session
	if sess == nil {
		r.mu.Unlock()
		return nil, errors.New("this replica has no etcd session yet; try again in a moment")
	}
	cl := r.newClaimLocked(context.WithoutCancel(ctx), sess, id)
	r.mu.Unlock()
	// A session that ended meanwhile would leave the claim out of the next
	// one; hold then stops the sandbox at once and the next session runs it
	// again from its record.
	electCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := cl.el.Campaign(electCtx, r.vote); err != nil {
		s.dropClaim(id, cl)
		return nil, fmt.Errorf("becoming the new sandbox's owner: %w", err)
	}
	return cl, nil
}

// dropClaim ends cl, which was sandbox id's claim.
func (s *Sandboxes) dropClaim(id string, cl *claim) {
	r := s.replica
	r.mu.Lock()
	if r.claims[id] == cl {
		delete(r.claims, id)
	}
	r.mu.Unlock()
	cl.cancel()
	s.resign(cl)
	s.leaveLine(cl) // a campaign that failed may have left its key
	r.holding.Done()
}

// Owner returns the replica elected to run sandbox id (zero while none
// is), and whether the sandbox exists at all.
func (s *Sandboxes) Owner(ctx context.Context, id string) (owner Owner, exists bool, err error) {
	r := s.replica
	if r == nil {
		_, ok := s.Get(id)
		return Owner{}, ok, nil
	}
	_, exists = s.recordOf(id)
	resp, err := s.etcd.Client.Get(ctx, ownerPrefix+id+"/", clientv3.WithFirstCreate()...)
	if err != nil || len(resp.Kvs) == 0 {
		return Owner{}, exists, err
	}
	err = json.Unmarshal(resp.Kvs[0].Value, &owner)
	return owner, exists, err
}

// secret is what replicas show one another ("" when not a replica).
func (s *Sandboxes) secret() string {
	if s.replica == nil {
		return ""
	}
	return s.replica.secret
}

// SessionID finds the sandbox a token opens, here or (on a replica) on
// another replica.
func (s *Sandboxes) SessionID(token string) (string, bool) {
	if sb, ok := s.ByToken(token); ok {
		return sb.ID, true
	}
	if s.replica == nil || token == "" {
		return "", false
	}
	find := func() (string, bool) {
		s.replica.mu.Lock()
		defer s.replica.mu.Unlock()
		for _, m := range []map[string]record{s.replica.known, s.replica.recentLocked()} {
			for id, rec := range m {
				if subtle.ConstantTimeCompare([]byte(rec.Token), []byte(token)) == 1 {
					return id, true
				}
			}
		}
		return "", false
	}
	if id, ok := find(); ok {
		return id, true
	}
	s.refreshKnown()
	return find()
}

// refreshKnown reads the records from etcd, for a lookup that missed: a
// sandbox created on another replica a moment ago (a join there, then the
// page asked of this one) may not have reached this one's watch yet. It
// reads at most once every refreshEvery, so a stranger's made-up sessions
// cannot turn into a stream of etcd reads.
func (s *Sandboxes) refreshKnown() {
	r := s.replica
	r.refresh.Lock()
	defer r.refresh.Unlock()
	if time.Since(r.refreshed) < refreshEvery {
		return
	}
	r.refreshed = time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	resp, err := s.etcd.Client.Get(ctx, recordPrefix, clientv3.WithPrefix())
	if err != nil {
		return
	}
	recent := map[string]record{}
	for _, kv := range resp.Kvs {
		var rec record
		if json.Unmarshal(kv.Value, &rec) == nil && rec.Token != "" && rec.Lease != 0 {
			recent[strings.TrimPrefix(string(kv.Key), recordPrefix)] = rec
		}
	}
	r.mu.Lock()
	r.recent, r.recentAt = recent, time.Now()
	r.mu.Unlock()
}

// recentLocked is what the last refresh read, while the watch may still
// be behind it.
func (r *replica) recentLocked() map[string]record {
	if time.Since(r.recentAt) > recentFor {
		return nil
	}
	return r.recent
}

const (
	refreshEvery = 100 * time.Millisecond // the most often a miss reads the records
	recentFor    = 5 * time.Second        // how long what it read stands in for the watch
)

// tokenOf returns the token of sandbox id, here or on another replica, and
// whether the sandbox exists.
func (s *Sandboxes) tokenOf(id string) (string, bool) {
	rec, ok := s.recordOf(id)
	return rec.Token, ok
}

// nameOf returns the display name of sandbox id.
func (s *Sandboxes) nameOf(id string) (string, bool) {
	rec, ok := s.recordOf(id)
	return rec.Name, ok
}

func (s *Sandboxes) recordOf(id string) (record, bool) {
	if sb, ok := s.Get(id); ok {
		return record{Token: sb.Token, Name: sb.Name, Joined: sb.Joined}, true
	}
	if s.replica == nil || id == "" {
		return record{}, false
	}
	find := func() (record, bool) {
		s.replica.mu.Lock()
		defer s.replica.mu.Unlock()
		if rec, ok := s.replica.known[id]; ok {
			return rec, true
		}
		rec, ok := s.replica.recentLocked()[id]
		return rec, ok
	}
	if rec, ok := find(); ok {
		return rec, true
	}
	s.refreshKnown()
	return find()
}
