package registry

import (
	"context"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A store fenced by an election's leader key writes while the key is its
// own, and once the key is gone (the owner's session expired) or belongs
// to a newer campaign, every create, update and delete answers 503 and
// leaves etcd as it was. A write that fails its own condition still gets
// its own answer (409 AlreadyExists, 404) while the fence holds.
func TestAFencedStoreWritesOnlyWhileItsOwnerKeyIsItsOwn(t *testing.T) {
	e, s := testStore(t)
	ctx := context.Background()
	res, _ := Lookup("", "configmaps")
	lease, err := e.Client.Grant(ctx, 60)
	if err != nil {
		t.Fatal(err)
	}
	const owner = "/glassplane/owners/sb1/694d71f6a1b2c3d4"
	put, err := e.Client.Put(ctx, owner, `{"web":"a:1"}`, clientv3.WithLease(lease.ID))
	if err != nil {
		t.Fatal(err)
	}
	s.SetFence(&Fence{Key: owner, CreateRevision: put.Header.Revision})
	cm := func(name, v string) *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name}, Data: map[string]string{"v": v}}
	}

	kept, err := s.Create(ctx, res, cm("kept", "1"))
	if err != nil {
		t.Fatalf("a create while the fence holds: %v", err)
	}
	if _, err := s.Create(ctx, res, cm("kept", "again")); !apierrors.IsAlreadyExists(err) {
		t.Errorf("a second create of one name while the fence holds answered %v, want AlreadyExists", err)
	}
	if _, err := s.Update(ctx, res, cm("missing", "1")); !apierrors.IsNotFound(err) {
		t.Errorf("an update of a missing object while the fence holds answered %v, want NotFound", err)
	}

	before := revision(t, e.Client)
	if _, err := e.Client.Revoke(ctx, lease.ID); err != nil { // the owner's session ends
		t.Fatal(err)
	}
	checkFencedOut(t, s, res, kept.(*corev1.ConfigMap), cm)
	// A newer campaign's key at the same place is not this owner's either.
	if _, err := e.Client.Put(ctx, owner, `{"web":"b:1"}`); err != nil {
		t.Fatal(err)
	}
	checkFencedOut(t, s, res, kept.(*corev1.ConfigMap), cm)

	resp, err := e.Client.Get(ctx, "/registry/", clientv3.WithPrefix(), clientv3.WithMinModRev(before+1))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) != 0 {
		t.Errorf("fenced writes changed %d keys, the first %s", len(resp.Kvs), resp.Kvs[0].Key)
	}
	got, err := s.Get(ctx, res, "default", "kept")
	if err != nil || got.(*corev1.ConfigMap).Data["v"] != "1" {
		t.Errorf("the object written while the fence held is %v (%v), want it unchanged", got, err)
	}
}

func checkFencedOut(t *testing.T, s *Store, res *Resource, kept *corev1.ConfigMap, cm func(string, string) *corev1.ConfigMap) {
	t.Helper()
	ctx := context.Background()
	changed := kept.DeepCopy()
	changed.Data["v"] = "2"
	for verb, err := range map[string]error{
		"create": second(s.Create(ctx, res, cm("after", "1"))),
		"update": second(s.Update(ctx, res, changed)),
		"delete": second(s.Delete(ctx, res, kept.DeepCopy())),
	} {
		if !apierrors.IsServiceUnavailable(err) {
			t.Errorf("a %s after the owner lost its key answered %v, want 503 ServiceUnavailable", verb, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func revision(t *testing.T, cli *clientv3.Client) int64 {
	t.Helper()
	resp, err := cli.Get(context.Background(), "/")
	if err != nil {
		t.Fatal(err)
	}
	return resp.Header.Revision
}
