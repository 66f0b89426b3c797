package registry

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/glassplane/glassplane/controlplane/etcd"
)

// holdWatch keeps the store's watches from delivering key's next change
// for d (a watch event waits for its write to be recorded, inflight.go), so
// a test can tell a cache that waited for its store's write from one that
// answered from what its watch had brought so far.
func holdWatch(s *Store, key string, d time.Duration) {
	end := s.writes.begin(key)
	time.AfterFunc(d, end)
}

// testQuotaCache is a cache of the quotas in a test store, kept until the
// test ends.
func testQuotaCache(t *testing.T) (*etcd.Etcd, *Store, *Resource, *Cache) {
	t.Helper()
	e, s := testStore(t)
	res, _ := Lookup("", "resourcequotas")
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c, err := NewCache(ctx, s, res)
	if err != nil {
		t.Fatal(err)
	}
	return e, s, res, c
}

func quota(namespace, name string, pods int64) *corev1.ResourceQuota {
	return &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourcePods: *resource.NewQuantity(pods, resource.DecimalSI)}}}
}

func names(objs []runtime.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, accessor(o).GetName())
	}
	return out
}

// A quota created, changed or deleted through the store is in the cache for
// the very next read, though the watch brings it only later.
func TestACacheReadsItsStoresOwnWritesAtOnce(t *testing.T) {
	_, s, res, c := testQuotaCache(t)
	ctx := context.Background()
	key := s.Key(res, "team", "small")

	holdWatch(s, key, 300*time.Millisecond)
	created, err := s.Create(ctx, res, quota("team", "small", 2))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.List(ctx, "team")
	if err != nil || len(got) != 1 || accessor(got[0]).GetResourceVersion() != accessor(created).GetResourceVersion() {
		t.Fatalf("right after the create the cache lists %v (err %v), want the quota at %s", names(got), err, accessor(created).GetResourceVersion())
	}

	changed := created.DeepCopyObject().(*corev1.ResourceQuota)
	changed.Spec.Hard[corev1.ResourcePods] = *resource.NewQuantity(5, resource.DecimalSI)
	holdWatch(s, key, 300*time.Millisecond)
	if _, err := s.Update(ctx, res, changed); err != nil {
		t.Fatal(err)
	}
	obj, ok, err := c.Get(ctx, "team", "small")
	if err != nil || !ok {
		t.Fatalf("after the update: %v %v", ok, err)
	}
	if hard := obj.(*corev1.ResourceQuota).Spec.Hard[corev1.ResourcePods]; hard.Value() != 5 {
		t.Errorf("after the update the cache has pods=%s, want 5", hard.String())
	}

	holdWatch(s, key, 300*time.Millisecond)
	if _, err := s.Delete(ctx, res, obj); err != nil {
		t.Fatal(err)
	}
	if got, err := c.List(ctx, "team"); err != nil || len(got) != 0 {
		t.Errorf("after the delete the cache lists %v (err %v)", names(got), err)
	}
}

// A write made past the store (a snapshot's restore writes etcd itself)
// counts once NoteWrite names it; one nobody names arrives with the watch.
func TestACacheWaitsForANotedWriteAndSeesOthersThroughItsWatch(t *testing.T) {
	e, s, res, c := testQuotaCache(t)
	ctx := context.Background()
	value, _ := s.encode(res, quota("team", "restored", 1))
	key := s.Key(res, "team", "restored")
	holdWatch(s, key, 300*time.Millisecond)
	resp, err := e.Client.Put(ctx, key, string(value))
	if err != nil {
		t.Fatal(err)
	}
	s.NoteWrite(key, resp.Header.Revision)
	if got, err := c.List(ctx, "team"); err != nil || len(got) != 1 {
		t.Errorf("right after a noted write the cache lists %v (err %v)", names(got), err)
	}

	value, _ = s.encode(res, quota("team", "unannounced", 1))
	if _, err := e.Client.Put(ctx, s.Key(res, "team", "unannounced"), string(value)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, ok, _ := c.Get(ctx, "team", "unannounced"); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the watch never brought a write made straight into etcd")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A cache whose watch has stopped does not answer for a write it has not
// seen: after CacheWait it says it is behind, and the caller reads etcd.
func TestACacheThatFellBehindSaysSo(t *testing.T) {
	_, s := testStore(t)
	res, _ := Lookup("", "resourcequotas")
	cacheCtx, stop := context.WithCancel(context.Background())
	c, err := NewCache(cacheCtx, s, res)
	if err != nil {
		t.Fatal(err)
	}
	stop() // the watch ends; the cache keeps what it had
	ctx := context.Background()
	created, err := s.Create(ctx, res, quota("team", "late", 1))
	if err != nil {
		t.Fatal(err)
	}
	// Noted by hand too: the stopped cache may already have left the store.
	rev, _ := strconv.ParseInt(accessor(created).GetResourceVersion(), 10, 64)
	c.noteWrite(rev)
	start := time.Now()
	if _, err := c.List(ctx, "team"); !errors.Is(err, ErrBehind) {
		t.Errorf("List = %v, want ErrBehind", err)
	}
	if d := time.Since(start); d < CacheWait/2 {
		t.Errorf("the cache gave up after %v, before waiting for its watch", d)
	}
	// The watch has not moved since: the next read does not wait again.
	start = time.Now()
	if _, err := c.List(ctx, "team"); !errors.Is(err, ErrBehind) {
		t.Errorf("second List = %v, want ErrBehind", err)
	}
	if d := time.Since(start); d > CacheWait/2 {
		t.Errorf("the second read waited %v for a watch that had already failed a read", d)
	}
}

// A transaction that writes several quotas at one revision (a snapshot's
// restore) is seen whole or not at all, never one quota of it.
func TestACacheShowsATransactionWhole(t *testing.T) {
	e, s, res, c := testQuotaCache(t)
	ctx := context.Background()
	for i := range 100 {
		namespace := fmt.Sprintf("team-%d", i)
		var ops []clientv3.Op
		for _, name := range []string{"a", "b", "c"} {
			value, _ := s.encode(res, quota(namespace, name, 1))
			ops = append(ops, clientv3.OpPut(s.Key(res, namespace, name), string(value)))
		}
		resp, err := e.Client.Txn(ctx).Then(ops...).Commit()
		if err != nil {
			t.Fatal(err)
		}
		s.NoteWrite(s.Key(res, namespace, "a"), resp.Header.Revision)
		if got, err := c.List(ctx, namespace); err != nil || len(got) != 3 {
			t.Fatalf("after a transaction of three quotas the cache lists %v (err %v)", names(got), err)
		}
	}
}
