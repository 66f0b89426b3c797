package etcd

import (
	"context"
	"fmt"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func TestRestoringAPrefixPutsBackItsKeysInOneRevisionAndTouchesNothingElse(t *testing.T) {
	e := startTestEtcd(t, Config{})
	ctx := context.Background()
	put := func(k, v string) {
		t.Helper()
		if _, err := e.Client.Put(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	put("/a/kept", "1")
	put("/a/changed", "before")
	put("/a/deleted", "x")
	put("/b/neighbour", "n")
	s, err := SavePrefix(ctx, e.Client, "/a/")
	if err != nil || len(s.Keys) != 3 {
		t.Fatalf("saved %d keys (%v), want 3", len(s.Keys), err)
	}
	put("/a/changed", "after")
	put("/a/new", "made later")
	put("/b/neighbour", "changed too")
	if _, err := e.Client.Delete(ctx, "/a/deleted"); err != nil {
		t.Fatal(err)
	}

	r, err := RestorePrefix(ctx, e.Client, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Written) != 2 || len(r.Deleted) != 1 || r.Deleted[0].Key != "/a/new" {
		t.Errorf("the restore wrote %v and deleted %v, want /a/changed and /a/deleted back and /a/new gone", r.Written, r.Deleted)
	}
	got, err := e.Client.Get(ctx, "/a/", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"/a/kept": "1", "/a/changed": "before", "/a/deleted": "x"}
	if len(got.Kvs) != len(want) {
		t.Errorf("after the restore /a/ holds %d keys, want %d", len(got.Kvs), len(want))
	}
	for _, kv := range got.Kvs {
		if want[string(kv.Key)] != string(kv.Value) {
			t.Errorf("%s = %q after the restore", kv.Key, kv.Value)
		}
		if string(kv.Key) != "/a/kept" && kv.ModRevision != r.Revision {
			t.Errorf("%s was written at revision %d, not in the restore's %d", kv.Key, kv.ModRevision, r.Revision)
		}
	}
	if b, _ := e.Client.Get(ctx, "/b/neighbour"); string(b.Kvs[0].Value) != "changed too" {
		t.Errorf("the restore of /a/ changed /b/: %q", b.Kvs[0].Value)
	}
	again, err := RestorePrefix(ctx, e.Client, s)
	if err != nil || again.Revision != 0 || len(again.Written)+len(again.Deleted) != 0 {
		t.Errorf("restoring what is already there wrote %+v (%v), want nothing", again, err)
	}
}

// etcd takes 128 operations in a transaction unless told otherwise; a
// sandbox's restore is one transaction of many more.
func TestAPrefixOfHundredsOfKeysIsRestoredInOneTransaction(t *testing.T) {
	e := startTestEtcd(t, Config{})
	ctx := context.Background()
	for i := range 300 {
		if _, err := e.Client.Put(ctx, fmt.Sprintf("/big/k%03d", i), "v"); err != nil {
			t.Fatal(err)
		}
	}
	s, err := SavePrefix(ctx, e.Client, "/big/")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Client.Delete(ctx, "/big/", clientv3.WithPrefix()); err != nil {
		t.Fatal(err)
	}
	r, err := RestorePrefix(ctx, e.Client, s)
	if err != nil || len(r.Written) != 300 {
		t.Fatalf("restored %d keys (%v), want 300", len(r.Written), err)
	}
}

// A restore guarded by a key that is gone (its server lost the cluster)
// restores nothing and says why, rather than retrying as if the keys were
// busy; with the guard holding it restores.
func TestARestoreWhoseGuardFailsChangesNothing(t *testing.T) {
	e := startTestEtcd(t, Config{})
	ctx := context.Background()
	owner, err := e.Client.Put(ctx, "/owner", "me")
	if err != nil {
		t.Fatal(err)
	}
	guard := clientv3.Compare(clientv3.CreateRevision("/owner"), "=", owner.Header.Revision)
	if _, err := e.Client.Put(ctx, "/a/k", "saved"); err != nil {
		t.Fatal(err)
	}
	s, err := SavePrefix(ctx, e.Client, "/a/")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Client.Put(ctx, "/a/k", "later"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Client.Delete(ctx, "/owner"); err != nil {
		t.Fatal(err)
	}
	if _, err := RestorePrefix(ctx, e.Client, s, guard); err != ErrGuardFailed {
		t.Fatalf("a restore whose guard failed answered %v, want ErrGuardFailed", err)
	}
	if got, _ := e.Client.Get(ctx, "/a/k"); string(got.Kvs[0].Value) != "later" {
		t.Errorf("a restore whose guard failed changed /a/k to %q", got.Kvs[0].Value)
	}
	again, err := e.Client.Put(ctx, "/owner", "me")
	if err != nil {
		t.Fatal(err)
	}
	guard = clientv3.Compare(clientv3.CreateRevision("/owner"), "=", again.Header.Revision)
	if _, err := RestorePrefix(ctx, e.Client, s, guard); err != nil {
		t.Fatalf("a restore whose guard holds: %v", err)
	}
	if got, _ := e.Client.Get(ctx, "/a/k"); string(got.Kvs[0].Value) != "saved" {
		t.Errorf("a restore whose guard holds left /a/k at %q", got.Kvs[0].Value)
	}
}
