package registry

// A Kubernetes watch is an etcd watch on a resource's key prefix, translated:
//
//	etcd PUT of a new key            → ADDED
//	etcd PUT of an existing key      → MODIFIED (or ADDED / DELETED when the
//	                                   change moves the object into or out of
//	                                   the selection)
//	etcd DELETE                      → DELETED, with the last stored object
//	etcd progress notification       → BOOKMARK (only a resourceVersion)
//	etcd "revision compacted"        → ERROR 410 Gone: the client must list again
//
// A watch starts after a revision; everything written after it is delivered in
// order, so list-then-watch never misses a change.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
)

// Watch delivers changes to the selected objects made after revision rev on
// the returned channel, which is closed when ctx ends or an error is sent.
// Bookmarks are only sent when bookmarks is true.
func (s *Store) Watch(ctx context.Context, r *Resource, sel Selection, rev int64, bookmarks bool) <-chan watch.Event {
	return s.watch(ctx, r, sel, rev, bookmarks, false)
}

// watch is Watch; with batchEnds it also sends a bookmark after the events
// of each etcd response, at the newest revision among them. etcd never
// splits one revision's events between responses, so at such a bookmark
// every change of every revision up to it has been delivered — which a
// cache needs to know before it answers (cache.go), since one transaction
// (a snapshot's restore) may change many keys at one revision.
func (s *Store) watch(ctx context.Context, r *Resource, sel Selection, rev int64, bookmarks, batchEnds bool) <-chan watch.Event {
	out := make(chan watch.Event, 100)
	wctx, cancel := context.WithCancel(ownStream(clientv3.WithRequireLeader(ctx)))
	wch := s.client.Watch(wctx, s.resourcePrefix(r, sel.Namespace),
		clientv3.WithPrefix(), clientv3.WithRev(rev+1), clientv3.WithPrevKV(), clientv3.WithProgressNotify())
	go func() {
		defer close(out)
		defer cancel()
		// etcd's progress notifications become bookmarks, but etcd sends
		// none while its revision is still the one the watch started from
		// (a quiet cluster). So a watch that asked for bookmarks and has
		// sent nothing for a while says itself how far it has got: seen,
		// the newest revision it has delivered, or that etcd said it had.
		seen, quiet := rev, false
		tick := time.NewTicker(bookmarkEvery)
		defer tick.Stop()
		for {
			var resp clientv3.WatchResponse
			var ok bool
			select {
			case resp, ok = <-wch:
				if !ok {
					return
				}
			case <-tick.C:
				if bookmarks && quiet && !send(ctx, out, s.Bookmark(r, seen, nil)) {
					return
				}
				quiet = true
				continue
			}
			quiet = false
			if resp.IsProgressNotify() {
				seen = max(seen, resp.Header.Revision)
			}
			for _, e := range resp.Events {
				s.writes.wait(ctx, string(e.Kv.Key)) // until its step is recorded
				seen = max(seen, e.Kv.ModRevision)
			}
			events, err := s.translate(r, sel, resp, rev, bookmarks)
			if err != nil {
				send(ctx, out, watch.Event{Type: watch.Error, Object: statusOf(err)})
				return
			}
			for _, ev := range events {
				if !send(ctx, out, ev) {
					return
				}
			}
			if n := len(resp.Events); batchEnds && n > 0 && !send(ctx, out, s.Bookmark(r, resp.Events[n-1].Kv.ModRevision, nil)) {
				return
			}
		}
	}()
	return out
}

// bookmarkEvery is how long a watch that asked for bookmarks stays silent
// before it sends one of its own.
const bookmarkEvery = 5 * time.Second

func send(ctx context.Context, out chan<- watch.Event, ev watch.Event) bool {
	select {
	case out <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}

func statusOf(err error) runtime.Object {
	var st apierrors.APIStatus
	if !errors.As(err, &st) {
		st = apierrors.NewInternalError(err)
	}
	s := st.Status()
	s.Kind, s.APIVersion = "Status", "v1"
	return &s
}

func (s *Store) translate(r *Resource, sel Selection, resp clientv3.WatchResponse, from int64, bookmarks bool) ([]watch.Event, error) {
	if resp.CompactRevision != 0 {
		return nil, apierrors.NewResourceExpired(fmt.Sprintf("too old resource version: %d (%d)", from, resp.CompactRevision))
	}
	if err := resp.Err(); err != nil {
		return nil, s.etcdError(err)
	}
	if resp.IsProgressNotify() {
		if !bookmarks {
			return nil, nil
		}
		return []watch.Event{s.Bookmark(r, resp.Header.Revision, nil)}, nil
	}
	var events []watch.Event
	for _, e := range resp.Events {
		ev, ok, err := s.translateEvent(r, sel, e)
		if err != nil {
			return nil, err
		}
		if ok {
			events = append(events, ev)
		}
	}
	return events, nil
}

func (s *Store) translateEvent(r *Resource, sel Selection, e *clientv3.Event) (watch.Event, bool, error) {
	rev := e.Kv.ModRevision
	var cur, prev runtime.Object
	var err error
	if e.Type == clientv3.EventTypePut {
		if cur, err = s.decode(r, e.Kv.Value, rev); err != nil {
			return watch.Event{}, false, err
		}
	}
	if e.PrevKv != nil && cur != nil && sel.Everything() {
		// An update seen by a watch of everything: the old object is only
		// needed to know it existed, so it is not decoded (most watches are
		// informers' unfiltered ones, and this halves their decoding).
		return watch.Event{Type: watch.Modified, Object: cur}, true, nil
	}
	if e.PrevKv != nil {
		// The previous object, stamped with the revision of this change.
		if prev, err = s.decode(r, e.PrevKv.Value, rev); err != nil {
			return watch.Event{}, false, err
		}
	}
	curIn := cur != nil && sel.Matches(r, cur)
	prevIn := prev != nil && sel.Matches(r, prev)
	switch {
	case curIn && prevIn:
		return watch.Event{Type: watch.Modified, Object: cur}, true, nil
	case curIn:
		return watch.Event{Type: watch.Added, Object: cur}, true, nil
	case prevIn:
		return watch.Event{Type: watch.Deleted, Object: prev}, true, nil
	}
	return watch.Event{}, false, nil
}

// Bookmark is a watch event that only says "you have seen everything up to
// revision rev", with annotations (such as the end of initial events).
func (s *Store) Bookmark(r *Resource, rev int64, annotations map[string]string) watch.Event {
	obj := r.New()
	obj.GetObjectKind().SetGroupVersionKind(r.GroupVersionKind())
	m := accessor(obj)
	m.SetResourceVersion(strconv.FormatInt(rev, 10))
	m.SetAnnotations(annotations)
	return watch.Event{Type: watch.Bookmark, Object: obj}
}
