package server

// Which replicas wait in a sandbox's line. If every replica campaigned for
// every sandbox, etcd would hold sandboxes × replicas election keys, and
// as many watches of the key ahead: 200,000 of each for ten thousand
// learners on twenty replicas. So only a few replicas are a sandbox's
// candidates, chosen by rendezvous hashing: each listed replica (its key
// under replicaPrefix) is ranked for the sandbox by a hash of the two, and
// the candidateCount highest campaign. Every replica computes the same
// ranking from the same list, with nothing to agree on.
//
// The list changes as replicas start and die. Then each replica joins the
// lines it has come to belong in. It stays in the lines it joined before
// (a line is left only when its sandbox goes, or with the whole session),
// so the owner keeps its sandbox whatever its rank, and a line never has
// one session's key written twice. The replica that creates a sandbox is
// first in its line regardless of rank. A sandbox whose candidates all die
// is picked up as soon as their keys expire, by the replicas that rank
// next. A line therefore holds the candidates and, at most, the replicas
// that were candidates before a later one outranked them.

import (
	"context"
	"hash/fnv"
	"strings"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

// candidateCount is how many replicas campaign for each sandbox: the owner
// and two to take over at once if it dies.
const candidateCount = 3

// rank is replica's place for sandbox id: the higher, the more a candidate.
func rank(id, replica string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	h.Write([]byte{0})
	h.Write([]byte(replica))
	return h.Sum64()
}

// candidateLocked reports whether this replica is among sandbox id's
// candidates in the list it has.
func (r *replica) candidateLocked(id string) bool {
	mine, above := rank(id, r.selfKey), 0
	for key := range r.peers {
		if key == r.selfKey {
			continue
		}
		if theirs := rank(id, key); theirs > mine || theirs == mine && key > r.selfKey {
			above++
		}
	}
	return above < r.candidates
}

// peersListed replaces the list of replicas with the one etcd has.
func (s *Sandboxes) peersListed(ctx context.Context, sess *concurrency.Session, kvs []*mvccpb.KeyValue) {
	peers := map[string]bool{}
	for _, kv := range kvs {
		peers[strings.TrimPrefix(string(kv.Key), replicaPrefix)] = true
	}
	s.replica.mu.Lock()
	s.replica.peers = peers
	s.replica.mu.Unlock()
	s.rebalance(ctx, sess)
}

// peerChanged adds a replica that started to the list, or takes out one
// that stopped.
func (s *Sandboxes) peerChanged(ctx context.Context, sess *concurrency.Session, ev *clientv3.Event) {
	key := strings.TrimPrefix(string(ev.Kv.Key), replicaPrefix)
	r := s.replica
	r.mu.Lock()
	_, had := r.peers[key]
	gone := ev.Type == clientv3.EventTypeDelete
	if gone {
		delete(r.peers, key)
	} else {
		r.peers[key] = true
	}
	r.mu.Unlock()
	if had == gone { // a replica's key written again changes nothing
		s.rebalance(ctx, sess)
	}
}

// rebalance joins the line of every known sandbox this replica is now a
// candidate for.
func (s *Sandboxes) rebalance(ctx context.Context, sess *concurrency.Session) {
	r := s.replica
	type start struct {
		cl  *claim
		id  string
		rec record
	}
	var starts []start
	r.mu.Lock()
	for id, rec := range r.known {
		if _, claimed := r.claims[id]; !claimed && r.candidateLocked(id) {
			starts = append(starts, start{r.newClaimLocked(ctx, sess, id), id, rec})
		}
	}
	r.mu.Unlock()
	for _, st := range starts {
		go s.campaign(st.cl, st.id, st.rec)
	}
}
