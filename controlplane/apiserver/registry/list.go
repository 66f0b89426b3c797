package registry

// A list is one etcd range read over a resource's key prefix, filtered by the
// label and field selectors. Its resourceVersion is the etcd revision the
// range was read at, so a client can watch from exactly there and miss nothing.

import (
	"context"
	"strconv"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/glassplane/glassplane/controlplane/metrics"
)

// Selection is what a list or watch asks for.
type Selection struct {
	Namespace string // "" for all namespaces
	Labels    labels.Selector
	Fields    fields.Selector
}

// Everything reports whether the selection takes every object of its
// namespace (or of all namespaces): no label or field selector.
func (sel Selection) Everything() bool {
	return (sel.Labels == nil || sel.Labels.Empty()) && (sel.Fields == nil || sel.Fields.Empty())
}

// Matches reports whether obj is selected.
func (sel Selection) Matches(r *Resource, obj runtime.Object) bool {
	if sel.Labels != nil && !sel.Labels.Empty() && !sel.Labels.Matches(labels.Set(accessor(obj).GetLabels())) {
		return false
	}
	if sel.Fields != nil && !sel.Fields.Empty() && !sel.Fields.Matches(r.SelectableFields(obj)) {
		return false
	}
	return true
}

// List reads every selected object at the latest revision, or at revision rev
// when rev > 0 (410 Gone if etcd has compacted it away, with the message of
// kube-apiserver's etcd3 storage).
func (s *Store) List(ctx context.Context, r *Resource, sel Selection, rev int64) (runtime.Object, error) {
	opts := []clientv3.OpOption{clientv3.WithPrefix()}
	if rev > 0 {
		opts = append(opts, clientv3.WithRev(rev))
	}
	observed := metrics.EtcdRequest("list", r.GroupResource().String())
	resp, err := s.read(ctx, s.resourcePrefix(r, sel.Namespace), opts...)
	observed()
	if err == rpctypes.ErrCompacted {
		return nil, apierrors.NewResourceExpired("The resourceVersion for the provided list is too old.")
	}
	if err != nil {
		return nil, s.etcdError(err)
	}
	items := make([]runtime.Object, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		obj, err := s.decode(r, kv.Value, kv.ModRevision)
		if err != nil {
			return nil, err
		}
		if sel.Matches(r, obj) {
			items = append(items, obj)
		}
	}
	list := r.NewList()
	if err := meta.SetList(list, items); err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	listRev := resp.Header.Revision
	if rev > 0 {
		listRev = rev
	}
	lm, _ := meta.ListAccessor(list)
	lm.SetResourceVersion(strconv.FormatInt(listRev, 10))
	list.GetObjectKind().SetGroupVersionKind(r.GroupVersion.WithKind(r.Kind + "List"))
	return list, nil
}

// Count returns how many objects of r the store holds, without reading them.
func (s *Store) Count(ctx context.Context, r *Resource) (int64, error) {
	resp, err := s.read(ctx, s.resourcePrefix(r, ""), clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return 0, s.etcdError(err)
	}
	return resp.Count, nil
}
