package admission

import (
	"context"
	"sync/atomic"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/etcd"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// countingKV counts the reads made through it.
type countingKV struct {
	clientv3.KV
	gets atomic.Int64
}

func (k *countingKV) Get(ctx context.Context, key string, opts ...clientv3.OpOption) (*clientv3.GetResponse, error) {
	k.gets.Add(1)
	return k.KV.Get(ctx, key, opts...)
}

// NamespaceLifecycle and ResourceQuota judge a create by the namespace and
// its quotas, read from the watched caches as kube's plugins read informers:
// no etcd read per create. Without the caches they read etcd, and still
// come to the same verdicts.
func TestNamespaceAndQuotaAdmissionReadTheCachesNotEtcd(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e, err := etcd.Start(ctx, etcd.Config{DataDir: t.TempDir(), Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	kv := &countingKV{KV: e.Client.KV}
	e.Client.KV = kv
	store := registry.NewStore(e.Client, "/registry", steps.NewRecorder(100))

	nsRes, _ := registry.Lookup("", "namespaces")
	quotaRes, _ := registry.Lookup("", "resourcequotas")
	podRes, _ := registry.Lookup("", "pods")
	if _, err := store.Create(ctx, nsRes, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team"}}); err != nil {
		t.Fatal(err)
	}
	caches, err := NewCaches(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	// Made after the caches, so they must have read it from their store.
	q := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "cpu"},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourceRequestsCPU: resource.MustParse("1")}}}
	if _, err := store.Create(ctx, quotaRes, q); err != nil {
		t.Fatal(err)
	}

	pod := func(namespace string) *corev1.Pod { // no CPU request: the quota refuses it
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "web"},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}}}
	}
	for _, c := range []struct {
		name   string
		caches Caches
		reads  bool
	}{{"with the caches", caches, false}, {"without them", Caches{}, true}} {
		kv.gets.Store(0)
		attrs := func(namespace string) *Attributes {
			return &Attributes{Operation: Create, Resource: podRes, Object: pod(namespace), Store: store, Caches: c.caches}
		}
		if err := (NamespaceLifecycle{}).Admit(ctx, attrs("team")); err != nil {
			t.Errorf("%s: a pod in team was refused: %v", c.name, err)
		}
		if err := (ResourceQuota{}).Admit(ctx, attrs("team")); err == nil {
			t.Errorf("%s: the quota on requests.cpu let a pod without a CPU request in", c.name)
		}
		if n := kv.gets.Load(); (n > 0) != c.reads {
			t.Errorf("%s: the plugins read etcd %d times", c.name, n)
		}
		// A namespace the cache has not got is looked up in etcd, as kube's
		// plugin does; it does not exist there either.
		if err := (NamespaceLifecycle{}).Admit(ctx, attrs("nowhere")); err == nil {
			t.Errorf("%s: a pod in a namespace that does not exist was let in", c.name)
		}
	}
}
