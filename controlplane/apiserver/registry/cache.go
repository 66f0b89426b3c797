package registry

// A watched copy of one resource, for the API server's own reads.
//
// kube-apiserver's admission plugins judge a request by other objects (the
// namespace it goes into, the namespace's quotas), and they read those from
// informers, not from etcd: a create should not pay an etcd read for a
// namespace that changes once a day. A Cache does the same. It lists its
// resource once, then watches it from the list's revision and applies every
// change as it arrives; when etcd has compacted that revision away (410
// Gone) it lists again.
//
// A watch runs a little behind etcd, and kube lives with that. A learner
// would not: `kubectl create quota`, then a create the quota should refuse,
// must be refused. So a Cache reads its own store's writes. Every write the
// Store makes under the cache's prefix (and a snapshot's restore, through
// NoteWrite) notes its revision with the cache, and a read first waits until
// the cache has applied that revision: usually a few hundred microseconds
// after the write, the time the watch takes to deliver it. The cache counts a
// revision as applied only at the end of the etcd response that brought it,
// since a restore changes many keys at one revision. Only a change written past
// the store (straight into etcd by another process) can be missed, for as
// long as the watch takes to bring it; where that matters the caller looks
// in etcd when the cache has nothing, as kube's NamespaceLifecycle does.
//
// Rules: objects a Cache returns are shared: read them, never change them.
// A read that waits longer than CacheWait for the watch returns ErrBehind,
// and the caller reads etcd instead; so do the reads after it, at once,
// until the watch moves again.

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
)

// CacheWait is how long a read waits for the watch to bring the store's own
// latest write before it gives up on the cache.
const CacheWait = time.Second

// cacheRetry is how long a failed list or an ended watch waits to try again.
const cacheRetry = 200 * time.Millisecond

// ErrBehind says a cache has not caught up with its store's writes in time
// (its watch is down, or etcd is slow): read etcd instead.
var ErrBehind = errors.New("the cache has not caught up with the store's writes")

// Cache keeps the objects of one resource, every namespace, current.
type Cache struct {
	store  *Store
	res    *Resource
	prefix string
	wrote  atomic.Int64 // the newest revision the store wrote under prefix

	mu       sync.Mutex
	objects  map[string]map[string]runtime.Object // namespace → name → object
	applied  int64                                // the revision objects are at
	advanced chan struct{}                        // closed, and replaced, when applied grows
	stuckAt  int64                                // applied when a read last gave up on the watch
}

// NewCache lists r from store and keeps the copy current until ctx ends.
func NewCache(ctx context.Context, store *Store, r *Resource) (*Cache, error) {
	c := &Cache{store: store, res: r, prefix: store.resourcePrefix(r, ""), advanced: make(chan struct{}), stuckAt: -1}
	// Noted before the list, so no write falls between the list and the
	// first read without the read waiting for it.
	store.addCache(c)
	rev, err := c.list(ctx)
	if err != nil {
		store.removeCache(c)
		return nil, err
	}
	go func() {
		defer store.removeCache(c)
		c.watch(ctx, rev)
	}()
	return c, nil
}

// Get returns the named object, or false when the cache has none.
func (c *Cache) Get(ctx context.Context, namespace, name string) (runtime.Object, bool, error) {
	if err := c.fresh(ctx); err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	obj, ok := c.objects[namespace][name]
	return obj, ok, nil
}

// List returns the objects in namespace, sorted by name.
func (c *Cache) List(ctx context.Context, namespace string) ([]runtime.Object, error) {
	if err := c.fresh(ctx); err != nil {
		return nil, err
	}
	c.mu.Lock()
	objs := make([]runtime.Object, 0, len(c.objects[namespace]))
	for _, o := range c.objects[namespace] {
		objs = append(objs, o)
	}
	c.mu.Unlock()
	sort.Slice(objs, func(i, j int) bool { return nameOf(objs[i]) < nameOf(objs[j]) })
	return objs, nil
}

// fresh waits until the cache holds every write its store has made. Once a
// read has given up on the watch, the next ones give up at once until the
// watch moves again, so a stalled watch costs one wait, not one per read.
func (c *Cache) fresh(ctx context.Context) error {
	want := c.wrote.Load()
	var timeout <-chan time.Time
	for {
		c.mu.Lock()
		applied, advanced, stuck := c.applied, c.advanced, c.stuckAt == c.applied
		c.mu.Unlock()
		if applied >= want {
			return nil
		}
		if stuck {
			return ErrBehind
		}
		if timeout == nil {
			t := time.NewTimer(CacheWait)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-advanced:
		case <-timeout:
			c.mu.Lock()
			c.stuckAt = c.applied
			c.mu.Unlock()
			return ErrBehind
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// noteWrite records that the store wrote under the cache's prefix at rev.
func (c *Cache) noteWrite(rev int64) {
	for {
		cur := c.wrote.Load()
		if rev <= cur || c.wrote.CompareAndSwap(cur, rev) {
			return
		}
	}
}

// list replaces the objects with the stored ones and returns the revision
// they were read at.
func (c *Cache) list(ctx context.Context) (int64, error) {
	list, err := c.store.List(ctx, c.res, Selection{}, 0)
	if err != nil {
		return 0, err
	}
	lm, _ := meta.ListAccessor(list)
	rev, _ := strconv.ParseInt(lm.GetResourceVersion(), 10, 64)
	items, _ := meta.ExtractList(list)
	objects := map[string]map[string]runtime.Object{}
	for _, o := range items {
		m := accessor(o)
		if objects[m.GetNamespace()] == nil {
			objects[m.GetNamespace()] = map[string]runtime.Object{}
		}
		objects[m.GetNamespace()][m.GetName()] = o
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.objects = objects
	c.advance(rev)
	return rev, nil
}

// watch applies the changes after rev until ctx ends.
func (c *Cache) watch(ctx context.Context, rev int64) {
	for ctx.Err() == nil {
		gone := false
		for ev := range c.store.watch(ctx, c.res, Selection{}, rev, false, true) {
			switch ev.Type {
			case watch.Error:
				st, _ := ev.Object.(*metav1.Status)
				gone = st != nil && st.Code == 410
			case watch.Bookmark: // every change up to it has been applied
				rev = c.advanceTo(ev.Object)
			default:
				c.apply(ev)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(cacheRetry):
		}
		if gone {
			// A failed list watches again from rev, is told 410 again, and
			// comes back here after another pause.
			if r, err := c.list(ctx); err == nil {
				rev = r
			}
		}
	}
}

// apply changes the objects by one watch event. The cache does not count
// as having reached the event's revision until the bookmark that ends its
// batch: other keys may have changed at the same revision.
func (c *Cache) apply(ev watch.Event) {
	m := accessor(ev.Object)
	c.mu.Lock()
	defer c.mu.Unlock()
	ns, name := m.GetNamespace(), m.GetName()
	switch ev.Type {
	case watch.Added, watch.Modified:
		if c.objects[ns] == nil {
			c.objects[ns] = map[string]runtime.Object{}
		}
		c.objects[ns][name] = ev.Object
	case watch.Deleted:
		delete(c.objects[ns], name)
		if len(c.objects[ns]) == 0 {
			delete(c.objects, ns)
		}
	}
}

// advanceTo moves the cache to the revision of a batch's bookmark and
// returns it.
func (c *Cache) advanceTo(bookmark runtime.Object) int64 {
	rev, _ := strconv.ParseInt(accessor(bookmark).GetResourceVersion(), 10, 64)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance(rev)
	return rev
}

// advance moves applied to rev and wakes the readers waiting for it. The
// caller holds mu.
func (c *Cache) advance(rev int64) {
	if rev <= c.applied {
		return
	}
	c.applied = rev
	close(c.advanced)
	c.advanced = make(chan struct{})
}

func nameOf(obj runtime.Object) string { return accessor(obj).GetName() }

// caches are the store's caches, read on every write without a lock.
type caches = atomic.Pointer[[]*Cache]

func (s *Store) addCache(c *Cache) {
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	list := []*Cache{c}
	if cur := s.caches.Load(); cur != nil {
		list = append(list, *cur...)
	}
	s.caches.Store(&list)
}

func (s *Store) removeCache(c *Cache) {
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	var list []*Cache
	if cur := s.caches.Load(); cur != nil {
		for _, o := range *cur {
			if o != c {
				list = append(list, o)
			}
		}
	}
	s.caches.Store(&list)
}

// NoteWrite tells the caches that key was written (or deleted) at rev by a
// write that did not go through the store's own Create, Update or Delete —
// a snapshot's restore — so their next reads wait for it.
func (s *Store) NoteWrite(key string, rev int64) {
	cur := s.caches.Load()
	if cur == nil {
		return
	}
	for _, c := range *cur {
		if strings.HasPrefix(key, c.prefix) {
			c.noteWrite(rev)
		}
	}
}
