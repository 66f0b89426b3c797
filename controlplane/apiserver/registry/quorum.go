package registry

// Writes to an etcd of several members.
//
// With several members a write is done when the Raft leader has it in its
// log and a majority of members (the quorum: 2 of 3, 3 of 5) have written it
// to disk; only then does etcd answer, and only then does the API server
// answer the client. If a majority is gone, no leader can be elected and
// etcd does not answer at all: its client keeps retrying. kube-apiserver
// bounds every etcd call with a request timeout for that reason; so does the
// store here, and it turns the timeout into a 503 Status that says the
// quorum is lost, so `kubectl create` fails in seconds instead of hanging.
//
// Reads: a read is linearizable — etcd confirms with a quorum that it has
// the latest revision — and fails at once when the member asked has no
// leader. The store then reads that member's own copy (a serializable read,
// `etcdctl get --consistency=s`), which may be out of date, and says so in
// a Warning that kubectl prints. So the API server can still admit a write
// (its admission reads the namespace) and the write itself meets the lost
// quorum, as a learner should see.
//
// Each write records what Raft did: the leader that took it (the leader of
// the Raft term in etcd's answer), the revision, and the majority that had
// it. A write that is slow to commit records a waiting step after a second,
// and a write that fails records a failed step, so the learner sees the
// write wait for a quorum that never comes.
//
// Rules: with no Quorum set (one member) nothing here changes a call: no
// timeout, no extra step, the errors of etcdError.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// Quorum is what the store knows of an etcd cluster of several members.
type Quorum interface {
	// Size is how many members the cluster has.
	Size() int
	// Answering is how many members run and answer.
	Answering() int
	// LeaderOf names the member that led a Raft term.
	LeaderOf(ctx context.Context, term uint64) string
}

// waitingAfter is how long a write goes before the store records that it
// is still waiting for etcd.
const waitingAfter = time.Second

// readLeaderTimeout bounds a read's wait for a leader; then it answers from
// one member's own copy, with a warning.
const readLeaderTimeout = 2 * time.Second

// SetQuorum tells the store that etcd has several members: every etcd call
// then ends after timeout, and each write's step names its leader and majority.
func (s *Store) SetQuorum(q Quorum, timeout time.Duration) {
	s.quorum, s.timeout = q, timeout
}

// HasQuorum reports whether etcd has several members (SetQuorum was called).
func (s *Store) HasQuorum() bool { return s.quorum != nil }

// etcdContext bounds one etcd call by the request timeout, if one is set.
func (s *Store) etcdContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout == 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.timeout)
}

// read is one etcd Get: linearizable, or with several members and no
// leader, one member's own copy with a warning to the client.
func (s *Store) read(ctx context.Context, key string, opts ...clientv3.OpOption) (*clientv3.GetResponse, error) {
	if s.quorum == nil {
		return s.client.Get(ctx, key, opts...)
	}
	var resp *clientv3.GetResponse
	err := error(rpctypes.ErrNoLeader) // unless a leader answers: the members say a majority is gone
	if size := s.quorum.Size(); s.quorum.Answering() >= majority(size) {
		// A linearizable read, bounded more tightly than a write: a create
		// makes several reads before its write, and each would otherwise
		// wait the whole timeout for a leader that is gone.
		cctx, cancel := context.WithTimeout(clientv3.WithRequireLeader(ctx), min(s.timeout, readLeaderTimeout))
		resp, err = s.client.Get(cctx, key, opts...)
		cancel()
		if err == nil || !lostQuorum(err) || ctx.Err() != nil {
			return resp, err
		}
	}
	cctx, cancel := s.etcdContext(ctx)
	defer cancel()
	resp, serr := s.client.Get(cctx, key, append(opts, clientv3.WithSerializable())...)
	if serr != nil {
		return nil, err
	}
	size := s.quorum.Size()
	warnClient(ctx, fmt.Sprintf("etcd has lost its quorum (%d of %d members answer, %d needed): this answer is one member's own copy at revision %d and may be out of date",
		s.quorum.Answering(), size, majority(size), resp.Header.Revision))
	return resp, nil
}

type warningsKey struct{}

// WithWarnings returns ctx carrying warn, which the store calls with what
// the client should be told about an answer (the API server's Warning header).
func WithWarnings(ctx context.Context, warn func(string)) context.Context {
	return context.WithValue(ctx, warningsKey{}, warn)
}

func warnClient(ctx context.Context, text string) {
	if warn, ok := ctx.Value(warningsKey{}).(func(string)); ok {
		warn(text)
	}
}

// majority is how many members must have a write: more than half.
func majority(size int) int { return size/2 + 1 }

// commit runs one write transaction, bounded by the request timeout, and
// records its waiting and its failure when etcd has several members.
func (s *Store) commit(ctx context.Context, obj runtime.Object, op, key string,
	txn func(context.Context) (*clientv3.TxnResponse, error)) (*clientv3.TxnResponse, error) {
	if s.quorum == nil {
		resp, err := txn(ctx)
		if err != nil {
			return nil, s.etcdError(err)
		}
		return resp, nil
	}
	cctx, cancel := s.etcdContext(ctx)
	defer cancel()
	var resp *clientv3.TxnResponse
	var err error
	done := make(chan struct{})
	go func() { // ends with the transaction, which the timeout bounds
		defer close(done)
		resp, err = txn(cctx)
	}()
	select {
	case <-done:
	case <-time.After(waitingAfter):
		size := s.quorum.Size()
		s.steps.Record(ctx, steps.Step{Component: steps.Etcd, Stage: steps.Store, Outcome: steps.Waiting,
			Object: stepObject(obj, ""),
			Message: steps.Msg("etcd.waiting", "key", key, "op", op, "majority", strconv.Itoa(majority(size)),
				"members", strconv.Itoa(size), "answering", strconv.Itoa(s.quorum.Answering()))})
		<-done
	}
	if err != nil {
		err = s.etcdError(err)
		s.steps.Record(ctx, steps.Step{Component: steps.Etcd, Stage: steps.Store, Outcome: steps.Failed,
			Object:  stepObject(obj, ""),
			Message: steps.Msg("etcd.failed", "key", key, "op", op, "error", err.Error())})
		return nil, err
	}
	return resp, nil
}

// quorumError turns an etcd failure into a Status that says what a learner
// needs to know: whether a majority of the members is there.
func (s *Store) quorumError(err error) (error, bool) {
	if !lostQuorum(err) {
		return nil, false
	}
	size, answering := s.quorum.Size(), s.quorum.Answering()
	if answering < majority(size) {
		return apierrors.NewServiceUnavailable(fmt.Sprintf(
			"etcd has lost its quorum: %d of %d members answer, and etcd needs a majority (%d of %d) to elect a leader and commit a write or a consistent read; this request was not acknowledged (a write a member took into its log may still be committed once a majority is back) (%v)",
			answering, size, majority(size), size, err)), true
	}
	return apierrors.NewServiceUnavailable(fmt.Sprintf(
		"etcd did not commit in time: %d of %d members answer, a quorum (%d) is there but had no leader or did not answer within %v; try again (%v)",
		answering, size, majority(size), s.timeout, err)), true
}

// lostQuorum reports whether err is etcd failing to reach agreement, as
// opposed to refusing the request.
func lostQuorum(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	switch rpctypes.ErrorDesc(err) {
	case rpctypes.ErrNoLeader.Error(), rpctypes.ErrTimeout.Error(), rpctypes.ErrTimeoutDueToLeaderFail.Error(),
		rpctypes.ErrTimeoutDueToConnectionLost.Error(), rpctypes.ErrLeaderChanged.Error(), rpctypes.ErrTimeoutWaitAppliedIndex.Error():
		return true
	}
	return strings.Contains(err.Error(), "raft proposal dropped")
}
