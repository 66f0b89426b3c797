package registry

// A paged list reads a long list in chunks, as `kubectl get --chunk-size`
// and client-go's pager do. The client asks for at most `limit` objects; the
// answer carries a continue token when more remain, and the client sends it
// back to get the next chunk. Every chunk is read at the etcd revision of the
// first one, so the chunks together are one consistent snapshot, however
// the objects change in between.
//
// The token is Kubernetes' own (k8s.io/apiserver/pkg/storage): base64 of
// {"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key after the last one
// returned, relative to the resource's key prefix>"}. remainingItemCount
// tells how many objects are left, only when no selector filters them (the
// store cannot count matches without reading them).

import (
	"context"
	"fmt"
	"strconv"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/storage"
)

// Page asks for one chunk of a list.
type Page struct {
	Limit    int64  // at most this many objects; 0 for all that remain
	Continue string // the token of the previous chunk; "" for the first
}

// maxChunkRead caps how many keys one etcd read of a filtered chunk asks for.
const maxChunkRead = 10000

// inconsistentContinue is kube-apiserver's answer to a continue token whose
// revision etcd has compacted away.
const inconsistentContinue = "The provided continue parameter is too old to display a consistent list result. " +
	"You can start a new list without the continue parameter, or use the continue token in this response to " +
	"retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - " +
	"objects that were created, modified, or deleted between the time the first chunk was returned and now may " +
	"show up in the list."

// ListPage reads one chunk of the selected objects, at revision rev (the
// latest when 0) for a first chunk, or at the token's revision after that.
func (s *Store) ListPage(ctx context.Context, r *Resource, sel Selection, rev int64, page Page) (runtime.Object, error) {
	prefix := s.resourcePrefix(r, sel.Namespace)
	from := prefix
	if page.Continue != "" {
		key, tokenRV, err := storage.DecodeContinue(page.Continue, prefix)
		if err != nil {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid continue token: %v", err))
		}
		from, rev = key, max(tokenRV, 0) // a negative revision means "the latest"
	}
	var (
		items   []runtime.Object
		lastKey string
		more    bool
		resp    *clientv3.GetResponse
		err     error
	)
	for read := page.Limit; ; read = min(read*2, maxChunkRead) {
		opts := []clientv3.OpOption{clientv3.WithRange(clientv3.GetPrefixRangeEnd(prefix)), clientv3.WithLimit(read)}
		if rev > 0 {
			opts = append(opts, clientv3.WithRev(rev))
		}
		resp, err = s.read(ctx, from, opts...)
		if err == rpctypes.ErrCompacted {
			return nil, compactedPage(page, from, prefix, rev)
		}
		if err != nil {
			return nil, s.etcdError(err)
		}
		if rev == 0 {
			rev = resp.Header.Revision // later reads and chunks see this snapshot
		}
		more = resp.More
		for _, kv := range resp.Kvs {
			if page.Limit > 0 && int64(len(items)) >= page.Limit {
				more = true
				break
			}
			lastKey = string(kv.Key)
			obj, err := s.decode(r, kv.Value, kv.ModRevision)
			if err != nil {
				return nil, err
			}
			if sel.Matches(r, obj) {
				items = append(items, obj)
			}
		}
		if !more || page.Limit == 0 || int64(len(items)) >= page.Limit {
			break
		}
		from = lastKey + "\x00" // the selectors dropped some: read on
	}
	list := r.NewList()
	if err := meta.SetList(list, items); err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	lm, _ := meta.ListAccessor(list)
	lm.SetResourceVersion(strconv.FormatInt(rev, 10))
	if more {
		next, err := storage.EncodeContinue(lastKey+"\x00", prefix, rev)
		if err != nil {
			return nil, apierrors.NewInternalError(err)
		}
		lm.SetContinue(next)
		if sel.everything() {
			remaining := resp.Count - page.Limit
			lm.SetRemainingItemCount(&remaining)
		}
	}
	list.GetObjectKind().SetGroupVersionKind(r.GroupVersion.WithKind(r.Kind + "List"))
	return list, nil
}

// compactedPage is the 410 Gone for a chunk whose revision is compacted. A
// continued list gets a token to read the rest at the latest revision.
func compactedPage(page Page, from, prefix string, rev int64) error {
	if page.Continue == "" {
		return apierrors.NewResourceExpired(fmt.Sprintf("too old resource version: %d", rev))
	}
	status := apierrors.NewResourceExpired(inconsistentContinue)
	if token, err := storage.EncodeContinue(from, prefix, -1); err == nil {
		status.ErrStatus.ListMeta.Continue = token
	}
	return status
}

// everything reports a selection that keeps every object of its namespace.
func (sel Selection) everything() bool {
	return (sel.Labels == nil || sel.Labels.Empty()) && (sel.Fields == nil || sel.Fields.Empty())
}
