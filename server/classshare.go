package server

// A class across replicas. Students and teachers behind a load balancer
// reach any replica from one request to the next, so what a class keeps
// beside its sandboxes must be the same on every replica:
//
//   - the join code and the teacher passcode (classCodesKey), made once
//     by the first replica to start unless given, so every replica prints
//     and accepts the same ones;
//   - the teachers' sessions, the teacher's own sandbox, the sandbox the
//     class follows and the lesson last pushed (classKey): one JSON value,
//     changed by compare-and-swap on its revision so two replicas changing
//     it at once lose neither change, and followed by every replica
//     through a watch, so reads need no etcd round trip. A teacher's
//     session begun on another replica a moment ago is looked up in etcd
//     once if the copy does not have it yet;
//   - the roster, which needs each sandbox's recorder: a replica asks
//     every other one (they list themselves under replicaPrefix, with their
//     session's lease) for its part and adds the sandboxes between owners
//     from their records.
//
// A pushed lesson is started in each student's sandbox by the replica
// that runs it, when its copy of the class shows a push it had not seen.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

const (
	classKey      = "/glassplane/classroom/state"
	classCodesKey = "/glassplane/classroom/codes"
	replicaPrefix = "/glassplane/replicas/"
)

// classShare keeps a class's state in etcd.
type classShare struct {
	cli *clientv3.Client
}

// read returns the class's state as etcd has it, and its revision.
func (cs *classShare) readRev(ctx context.Context) (classState, int64, error) {
	resp, err := cs.cli.Get(ctx, classKey)
	if err != nil {
		return classState{}, 0, err
	}
	var st classState
	if len(resp.Kvs) == 0 {
		return st, 0, nil
	}
	err = json.Unmarshal(resp.Kvs[0].Value, &st)
	return st, resp.Kvs[0].ModRevision, err
}

func (cs *classShare) read(ctx context.Context) (classState, error) {
	st, _, err := cs.readRev(ctx)
	return st, err
}

// update applies f to the state in etcd, again if another replica changed
// it meanwhile, and returns the state written.
func (cs *classShare) update(ctx context.Context, f func(*classState)) (classState, error) {
	for {
		st, rev, err := cs.readRev(ctx)
		if err != nil {
			return classState{}, err
		}
		f(&st)
		v, _ := json.Marshal(st)
		resp, err := cs.cli.Txn(ctx).If(clientv3.Compare(clientv3.ModRevision(classKey), "=", rev)).
			Then(clientv3.OpPut(classKey, string(v))).Commit()
		if err != nil {
			return classState{}, err
		}
		if resp.Succeeded {
			return st, nil
		}
	}
}

// followClass keeps the class's copy on this replica as etcd has it, until ctx
// ends, and starts a lesson pushed after it began.
func (w *Web) followClass(ctx context.Context) {
	cs := w.class.share
	first := true
	var seen time.Time // the last push started (or found at the start)
	for ctx.Err() == nil {
		resp, err := cs.cli.Get(ctx, classKey)
		if err == nil {
			w.classChanged(resp.Kvs, &seen, first)
			first = false
			for wr := range cs.cli.Watch(ctx, classKey, clientv3.WithRev(resp.Header.Revision+1)) {
				if wr.Err() != nil {
					break
				}
				for _, ev := range wr.Events {
					w.classChanged([]*mvccpb.KeyValue{ev.Kv}, &seen, false)
				}
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(reapMinBackoff):
		}
	}
}

func (w *Web) classChanged(kvs []*mvccpb.KeyValue, seen *time.Time, first bool) {
	var st classState
	if len(kvs) > 0 && kvs[0].Value != nil && json.Unmarshal(kvs[0].Value, &st) != nil {
		return
	}
	w.class.set(st)
	if st.Lesson == nil || !st.Lesson.At.After(*seen) {
		return
	}
	*seen = st.Lesson.At
	if !first {
		w.startPushed(st.Lesson)
	}
}

// SharedClassCodes returns the class's join code and teacher passcode as
// every replica must use them: those given (which replace what etcd held),
// else those etcd holds, else fresh ones, stored for the next replica.
func (s *Sandboxes) SharedClassCodes(ctx context.Context, join, passcode string) (string, string, error) {
	cli := s.etcd.Client
	for {
		resp, err := cli.Get(ctx, classCodesKey)
		if err != nil {
			return "", "", err
		}
		var codes struct{ Join, Passcode string }
		var rev int64
		if len(resp.Kvs) > 0 {
			rev = resp.Kvs[0].ModRevision
			_ = json.Unmarshal(resp.Kvs[0].Value, &codes)
		}
		was := codes
		codes.Join = firstOf(join, codes.Join, NewJoinCode())
		codes.Passcode = firstOf(passcode, codes.Passcode, NewJoinCode()+NewJoinCode())
		if codes == was {
			return codes.Join, codes.Passcode, nil
		}
		v, _ := json.Marshal(codes)
		txn, err := cli.Txn(ctx).If(clientv3.Compare(clientv3.ModRevision(classCodesKey), "=", rev)).
			Then(clientv3.OpPut(classCodesKey, string(v))).Commit()
		if err != nil {
			return "", "", err
		}
		if txn.Succeeded {
			return codes.Join, codes.Passcode, nil
		}
	}
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// peers lists the other replicas, as they listed themselves.
func (s *Sandboxes) peers(ctx context.Context) ([]Owner, error) {
	resp, err := s.etcd.Client.Get(ctx, replicaPrefix, clientv3.WithPrefix())
	if err != nil {
		return nil, err
	}
	var out []Owner
	for _, kv := range resp.Kvs {
		var o Owner
		if json.Unmarshal(kv.Value, &o) == nil && o != s.replica.self {
			out = append(out, o)
		}
	}
	return out, nil
}

// wholeRoster adds to this replica's roster every other replica's, and
// the sandboxes that no replica runs this moment.
func (s *Sandboxes) wholeRoster(ctx context.Context, here []RosterEntry) []RosterEntry {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	peers, err := s.peers(ctx)
	if err != nil {
		return here
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	all := here
	for _, p := range peers {
		wg.Go(func() {
			part, err := s.rosterOf(ctx, p)
			if err != nil {
				return // its sandboxes show as between owners below
			}
			mu.Lock()
			all = append(all, part...)
			mu.Unlock()
		})
	}
	wg.Wait()
	listed := map[string]bool{}
	out := all[:0]
	for _, e := range all {
		if !listed[e.Sandbox] {
			listed[e.Sandbox] = true
			out = append(out, e)
		}
	}
	s.replica.mu.Lock()
	for id, rec := range s.replica.known {
		if !listed[id] {
			out = append(out, RosterEntry{Sandbox: id, Name: rec.Name, Joined: rec.Joined})
		}
	}
	s.replica.mu.Unlock()
	return out
}

// rosterOf asks replica p for the roster of the sandboxes it runs.
func (s *Sandboxes) rosterOf(ctx context.Context, p Owner) ([]RosterEntry, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+p.Web+"/glassplane/v1/classroom/roster?here=1", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set(forwardedHeader, s.replica.secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New(strings.ToLower(resp.Status))
	}
	var part []RosterEntry
	return part, json.NewDecoder(resp.Body).Decode(&part)
}
