package etcd

import (
	"context"
	"fmt"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// waitMembers polls e's member statuses until ok accepts them.
func waitMembers(t *testing.T, e *Etcd, what string, ok func([]MemberStatus) bool) []MemberStatus {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ms := e.Members()
		if ok(ms) {
			return ms
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: members are %+v", what, ms)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// leader returns the leader's name and term, if every running member follows it.
func leader(ms []MemberStatus) (string, uint64) {
	name, term := "", uint64(0)
	for _, m := range ms {
		if m.Role == Leader {
			name, term = m.Name, m.Term
		}
	}
	for _, m := range ms {
		if m.Running && (m.Leader != name || m.Term != term) {
			return "", 0
		}
	}
	return name, term
}

func put(e *Etcd, key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := e.Client.Put(ctx, key, "v")
	return err
}

func TestThreeMembersElectANewLeaderWhenTheLeaderStopsAndRefuseWritesWithoutQuorum(t *testing.T) {
	e := startTestEtcd(t, Config{Members: 3})
	ms := waitMembers(t, e, "a leader", func(ms []MemberStatus) bool { n, _ := leader(ms); return n != "" })
	first, term := leader(ms)
	if err := put(e, "/a"); err != nil {
		t.Fatal(err)
	}
	if err := e.StopMember(first); err != nil {
		t.Fatal(err)
	}
	ms = waitMembers(t, e, "a new leader", func(ms []MemberStatus) bool { n, _ := leader(ms); return n != "" && n != first })
	second, newTerm := leader(ms)
	if newTerm <= term {
		t.Fatalf("the new leader %s has term %d, not more than %d", second, newTerm, term)
	}
	if err := put(e, "/b"); err != nil {
		t.Fatalf("a write with 2 of 3 members failed: %v", err)
	}
	if err := e.StopMember(second); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := put(e, "/c"); err == nil {
		t.Fatal("a write with 1 of 3 members succeeded")
	} else {
		t.Logf("a write with 1 of 3 members failed after %v: %v", time.Since(start), err)
	}
	for _, name := range []string{first, second} {
		if err := e.StartMember(name); err != nil {
			t.Fatal(err)
		}
	}
	waitMembers(t, e, "a leader again", func(ms []MemberStatus) bool { n, _ := leader(ms); return n != "" })
	deadline := time.Now().Add(30 * time.Second)
	for put(e, "/d") != nil {
		if time.Now().After(deadline) {
			t.Fatal("writes did not resume after the members came back")
		}
	}
	resp, err := e.Client.Get(context.Background(), "/", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, kv := range resp.Kvs {
		got[string(kv.Key)] = true
	}
	for _, k := range []string{"/a", "/b", "/d"} {
		if !got[k] {
			t.Errorf("the acknowledged write %s is gone: %v", k, got)
		}
	}
}

func TestThreeMembersComeBackWithTheirDataAfterARestart(t *testing.T) {
	dir := t.TempDir()
	e, err := Start(context.Background(), Config{DataDir: dir, Members: 3, Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := put(e, fmt.Sprintf("/k%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	_ = e.Close()
	e, err = Start(context.Background(), Config{DataDir: dir, Members: 3, Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	resp, err := e.Client.Get(context.Background(), "/k", clientv3.WithPrefix())
	if err != nil || len(resp.Kvs) != 10 {
		t.Fatalf("after a restart: %v keys, err %v", len(resp.Kvs), err)
	}
	if ms := e.Members(); len(ms) != 3 {
		t.Fatalf("after a restart %d members, want 3", len(ms))
	}
	for _, n := range []int{1, 5} {
		if _, err := Start(context.Background(), Config{DataDir: dir, Members: n, Fast: true}); err == nil {
			t.Fatalf("a 3-member data directory started as %d members", n)
		}
	}
}
