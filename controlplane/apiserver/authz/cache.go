package authz

// The RBAC authorizer answers every request, so it must not read etcd each
// time. Like kube-apiserver's RBAC informers, it keeps the four RBAC kinds in
// memory: it lists each once, then watches it from the revision of the list,
// applying every change as it arrives, so a RoleBinding created a moment ago
// already counts. If the watch ends it is resumed from the last revision seen;
// if etcd has compacted that revision away (410 Gone), the kind is listed
// again. After every change a new Policy snapshot is published; requests read
// the current snapshot without a lock.

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
)

// rbacResources are the kinds the policy is made of.
var rbacResources = []string{"clusterroles", "roles", "clusterrolebindings", "rolebindings"}

// retryDelay is how long a failed list or watch waits before trying again.
const retryDelay = 200 * time.Millisecond

// policyCache keeps a Policy current from the store.
type policyCache struct {
	store   *registry.Store
	current atomic.Pointer[Policy]

	mu      sync.Mutex                           // guards objects and the order of publishing
	objects map[string]map[string]runtime.Object // resource → "namespace/name" → object
}

// NewRBAC lists the RBAC objects in store, and returns an authorizer over
// them that stays current until ctx ends: its watches stop then.
func NewRBAC(ctx context.Context, store *registry.Store) (*RBAC, error) {
	c := &policyCache{store: store, objects: map[string]map[string]runtime.Object{}}
	revs := map[string]int64{}
	for _, name := range rbacResources {
		res, _ := registry.Lookup("rbac.authorization.k8s.io", name)
		rev, err := c.list(ctx, res)
		if err != nil {
			return nil, err
		}
		revs[name] = rev
	}
	c.publish()
	for _, name := range rbacResources {
		res, _ := registry.Lookup("rbac.authorization.k8s.io", name)
		go c.watch(ctx, res, revs[name])
	}
	return &RBAC{policy: c.current.Load}, nil
}

// list replaces the cached objects of res with the stored ones and returns
// the revision they were read at.
func (c *policyCache) list(ctx context.Context, res *registry.Resource) (int64, error) {
	list, err := c.store.List(ctx, res, registry.Selection{}, 0)
	if err != nil {
		return 0, err
	}
	items, _ := meta.ExtractList(list)
	objs := make(map[string]runtime.Object, len(items))
	for _, o := range items {
		objs[keyOf(o)] = o
	}
	c.mu.Lock()
	c.objects[res.Resource] = objs
	c.mu.Unlock()
	lm, _ := meta.ListAccessor(list)
	return strconv.ParseInt(lm.GetResourceVersion(), 10, 64)
}

// watch applies the changes to res after revision rev until ctx ends.
func (c *policyCache) watch(ctx context.Context, res *registry.Resource, rev int64) {
	for ctx.Err() == nil {
		gone := false
		for ev := range c.store.Watch(ctx, res, registry.Selection{}, rev, false) {
			if ev.Type == watch.Error {
				st, _ := ev.Object.(*metav1.Status)
				gone = st != nil && st.Code == 410
				break
			}
			rev = c.apply(res, ev)
			c.publish()
		}
		if !pause(ctx) {
			return
		}
		if gone {
			if r, err := c.list(ctx, res); err == nil {
				rev = r
				c.publish()
			} else if !apierrors.IsResourceExpired(err) {
				continue // try the list again after a pause
			}
		}
	}
}

// apply changes the cache by one watch event and returns its revision.
func (c *policyCache) apply(res *registry.Resource, ev watch.Event) int64 {
	m, _ := meta.Accessor(ev.Object)
	rev, _ := strconv.ParseInt(m.GetResourceVersion(), 10, 64)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch ev.Type {
	case watch.Added, watch.Modified:
		c.objects[res.Resource][keyOf(ev.Object)] = ev.Object
	case watch.Deleted:
		delete(c.objects[res.Resource], keyOf(ev.Object))
	}
	return rev
}

// publish builds a new snapshot from the cached objects. It holds the lock
// while storing, so a slower publisher never replaces a newer snapshot.
func (c *policyCache) publish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	var all []any
	for _, objs := range c.objects {
		for _, o := range objs {
			all = append(all, o)
		}
	}
	c.current.Store(NewPolicy(all...))
}

func keyOf(obj runtime.Object) string {
	m, _ := meta.Accessor(obj)
	return m.GetNamespace() + "/" + m.GetName()
}

// pause waits a little before a retry; it reports false when ctx has ended.
func pause(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(retryDelay):
		return true
	}
}
