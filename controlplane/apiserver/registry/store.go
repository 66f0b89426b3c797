package registry

// The store turns API verbs into etcd transactions, as Kubernetes' etcd3
// storage does:
//
//	create  txn: if the key has never been written (CreateRevision == 0), put
//	update  txn: if the key's ModRevision is still the resourceVersion the
//	        client read, put — otherwise 409 Conflict (optimistic concurrency)
//	delete  txn: if the ModRevision is unchanged, delete
//
// A store with a fence (fence.go) adds one condition to each: the key that
// makes this server the cluster's owner is still its own.
//
// Objects are stored as JSON in their storage version with resourceVersion
// cleared: the resourceVersion a client sees is the etcd ModRevision of the key.
// Every write is recorded as an etcd "store" step with the key, the revision
// and the stored value.

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/glassplane/glassplane/controlplane/metrics"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Store keeps objects in etcd under Prefix (for example "/registry").
type Store struct {
	client *clientv3.Client
	prefix string
	steps  *steps.Recorder
	lease  clientv3.LeaseID // when set, every key is written under it
	fence  *Fence           // when set, every write requires it (fence.go)
	writes inflight         // keys being written (inflight.go)
	// quorum and timeout are set when etcd has several members (quorum.go).
	quorum  Quorum
	timeout time.Duration
	// caches are the watched copies that read this store's writes (cache.go).
	caches  caches
	cacheMu sync.Mutex // orders changes to caches
}

// SetLease makes every later write carry lease id, so all of the store's
// keys vanish together when the lease expires (an idle sandbox).
func (s *Store) SetLease(id clientv3.LeaseID) { s.lease = id }

func (s *Store) putOp(key string, value []byte) clientv3.Op {
	if s.lease != 0 {
		return clientv3.OpPut(key, string(value), clientv3.WithLease(s.lease))
	}
	return clientv3.OpPut(key, string(value))
}

// NewStore returns a store writing under prefix and recording its writes to rec.
func NewStore(client *clientv3.Client, prefix string, rec *steps.Recorder) *Store {
	return &Store{client: client, prefix: prefix, steps: rec}
}

// Client is the etcd client the store writes through.
func (s *Store) Client() *clientv3.Client { return s.client }

// Prefix is the etcd path all keys of this store begin with.
func (s *Store) Prefix() string { return s.prefix }

// Key is the etcd key of one object: /registry/deployments/default/web.
func (s *Store) Key(r *Resource, namespace, name string) string {
	return path.Join(s.resourcePrefix(r, namespace), name)
}

// resourcePrefix is the key prefix of a resource, or of one namespace of it.
// It ends in "/" so "default" does not also match "default-2".
func (s *Store) resourcePrefix(r *Resource, namespace string) string {
	p := r.StoragePath
	if p == "" {
		p = r.Resource
	}
	if r.Namespaced && namespace != "" {
		return path.Join(s.prefix, p, namespace) + "/"
	}
	return path.Join(s.prefix, p) + "/"
}

func accessor(obj runtime.Object) metav1.Object {
	m, err := meta.Accessor(obj)
	if err != nil {
		panic(fmt.Sprintf("registry: %T has no ObjectMeta: %v", obj, err))
	}
	return m
}

// encode serializes obj for etcd: storage apiVersion and kind, no resourceVersion.
func (s *Store) encode(r *Resource, obj runtime.Object) ([]byte, error) {
	obj.GetObjectKind().SetGroupVersionKind(r.GroupVersionKind())
	m := accessor(obj)
	rv := m.GetResourceVersion()
	m.SetResourceVersion("")
	defer m.SetResourceVersion(rv)
	return json.Marshal(obj)
}

// decode reads a stored value and stamps it with the revision it was read at.
func (s *Store) decode(r *Resource, value []byte, revision int64) (runtime.Object, error) {
	obj := r.New()
	if err := json.Unmarshal(value, obj); err != nil {
		return nil, apierrors.NewInternalError(fmt.Errorf("stored %s is not valid JSON: %w", r.Kind, err))
	}
	obj.GetObjectKind().SetGroupVersionKind(r.GroupVersionKind())
	accessor(obj).SetResourceVersion(strconv.FormatInt(revision, 10))
	return obj, nil
}

// Create stores a new object; it fails with 409 AlreadyExists if the key exists.
func (s *Store) Create(ctx context.Context, r *Resource, obj runtime.Object) (runtime.Object, error) {
	m := accessor(obj)
	key := s.Key(r, m.GetNamespace(), m.GetName())
	value, err := s.encode(r, obj)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	if err := s.pace(ctx, r, obj, "put", key); err != nil {
		return nil, err
	}
	defer s.writes.begin(key)()
	resp, err := s.commit(ctx, obj, "put", key, func(ctx context.Context) (*clientv3.TxnResponse, error) {
		defer metrics.EtcdRequest("create", r.GroupResource().String())()
		conds, orElse := s.guarded([]clientv3.Cmp{clientv3.Compare(clientv3.CreateRevision(key), "=", 0)})
		return s.client.Txn(ctx).If(conds...).Then(s.putOp(key, value)).Else(orElse...).Commit()
	})
	if err != nil {
		return nil, err
	}
	if err := s.fencedOut(resp); err != nil {
		return nil, err
	}
	if !resp.Succeeded {
		return nil, apierrors.NewAlreadyExists(r.GroupResource(), m.GetName())
	}
	rev := resp.Header.Revision
	s.recordWrite(ctx, obj, "put", key, resp.Header, value)
	out := obj.DeepCopyObject()
	accessor(out).SetResourceVersion(strconv.FormatInt(rev, 10))
	return out, nil
}

// Get reads one object.
func (s *Store) Get(ctx context.Context, r *Resource, namespace, name string) (runtime.Object, error) {
	observed := metrics.EtcdRequest("get", r.GroupResource().String())
	resp, err := s.read(ctx, s.Key(r, namespace, name))
	observed()
	if err != nil {
		return nil, s.etcdError(err)
	}
	if len(resp.Kvs) == 0 {
		return nil, apierrors.NewNotFound(r.GroupResource(), name)
	}
	kv := resp.Kvs[0]
	return s.decode(r, kv.Value, kv.ModRevision)
}

// Update replaces an object. If obj carries a resourceVersion, the write only
// happens if the stored object still has it (otherwise 409 Conflict).
func (s *Store) Update(ctx context.Context, r *Resource, obj runtime.Object) (runtime.Object, error) {
	m := accessor(obj)
	key := s.Key(r, m.GetNamespace(), m.GetName())
	value, err := s.encode(r, obj)
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	cond := clientv3.Compare(clientv3.CreateRevision(key), ">", 0)
	if rv := m.GetResourceVersion(); rv != "" {
		want, err := strconv.ParseInt(rv, 10, 64)
		if err != nil {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid resourceVersion %q", rv))
		}
		cond = clientv3.Compare(clientv3.ModRevision(key), "=", want)
	}
	if err := s.pace(ctx, r, obj, "put", key); err != nil {
		return nil, err
	}
	defer s.writes.begin(key)()
	resp, err := s.commit(ctx, obj, "put", key, func(ctx context.Context) (*clientv3.TxnResponse, error) {
		defer metrics.EtcdRequest("update", r.GroupResource().String())()
		conds, orElse := s.guarded([]clientv3.Cmp{cond}, clientv3.OpGet(key))
		return s.client.Txn(ctx).If(conds...).Then(s.putOp(key, value)).Else(orElse...).Commit()
	})
	if err != nil {
		return nil, err
	}
	if err := s.fencedOut(resp); err != nil {
		return nil, err
	}
	if !resp.Succeeded {
		if len(resp.Responses) == 0 || len(resp.Responses[0].GetResponseRange().Kvs) == 0 {
			return nil, apierrors.NewNotFound(r.GroupResource(), m.GetName())
		}
		return nil, apierrors.NewConflict(r.GroupResource(), m.GetName(),
			fmt.Errorf("the object has been modified; please apply your changes to the latest version and try again"))
	}
	rev := resp.Header.Revision
	s.recordWrite(ctx, obj, "put", key, resp.Header, value)
	out := obj.DeepCopyObject()
	accessor(out).SetResourceVersion(strconv.FormatInt(rev, 10))
	return out, nil
}

// Delete removes an object if it still has the resourceVersion of obj (or any
// version when obj has none) and returns it stamped with the deletion's revision.
func (s *Store) Delete(ctx context.Context, r *Resource, obj runtime.Object) (runtime.Object, error) {
	m := accessor(obj)
	key := s.Key(r, m.GetNamespace(), m.GetName())
	cond := clientv3.Compare(clientv3.CreateRevision(key), ">", 0)
	if rv := m.GetResourceVersion(); rv != "" {
		want, _ := strconv.ParseInt(rv, 10, 64)
		cond = clientv3.Compare(clientv3.ModRevision(key), "=", want)
	}
	if err := s.pace(ctx, r, obj, "delete", key); err != nil {
		return nil, err
	}
	defer s.writes.begin(key)()
	resp, err := s.commit(ctx, obj, "delete", key, func(ctx context.Context) (*clientv3.TxnResponse, error) {
		defer metrics.EtcdRequest("delete", r.GroupResource().String())()
		conds, orElse := s.guarded([]clientv3.Cmp{cond}, clientv3.OpGet(key))
		return s.client.Txn(ctx).If(conds...).Then(clientv3.OpDelete(key)).Else(orElse...).Commit()
	})
	if err != nil {
		return nil, err
	}
	if err := s.fencedOut(resp); err != nil {
		return nil, err
	}
	if !resp.Succeeded {
		if len(resp.Responses) == 0 || len(resp.Responses[0].GetResponseRange().Kvs) == 0 {
			return nil, apierrors.NewNotFound(r.GroupResource(), m.GetName())
		}
		return nil, apierrors.NewConflict(r.GroupResource(), m.GetName(),
			fmt.Errorf("the object has been modified; please apply your changes to the latest version and try again"))
	}
	rev := resp.Header.Revision
	s.recordWrite(ctx, obj, "delete", key, resp.Header, nil)
	out := obj.DeepCopyObject()
	accessor(out).SetResourceVersion(strconv.FormatInt(rev, 10))
	return out, nil
}

// EtcdWrite is the detail of an etcd store step.
type EtcdWrite struct {
	Op       string `json:"op"` // put or delete
	Key      string `json:"key"`
	Revision int64  `json:"revision"`
	Value    string `json:"value,omitempty"`
	// With several members: the leader that took the write, its Raft term,
	// and how many of how many members had it before etcd answered.
	Leader   string `json:"leader,omitempty"`
	Term     uint64 `json:"term,omitempty"`
	Majority int    `json:"majority,omitempty"`
	Members  int    `json:"members,omitempty"`
}

func (s *Store) recordWrite(ctx context.Context, obj runtime.Object, op, key string, h *etcdserverpb.ResponseHeader, value []byte) {
	rev := h.Revision
	s.NoteWrite(key, rev)
	w := EtcdWrite{Op: op, Key: key, Revision: rev, Value: string(value)}
	msg := steps.Msg("etcd."+op, "key", key, "revision", strconv.FormatInt(rev, 10))
	if s.quorum != nil {
		w.Leader, w.Term = s.quorum.LeaderOf(ctx, h.RaftTerm), h.RaftTerm
		w.Members = s.quorum.Size()
		w.Majority = majority(w.Members)
		msg = steps.Msg("etcd."+op+".quorum", "key", key, "revision", strconv.FormatInt(rev, 10), "leader", w.Leader,
			"term", strconv.FormatUint(w.Term, 10), "majority", strconv.Itoa(w.Majority), "members", strconv.Itoa(w.Members))
	}
	st := s.steps.Record(ctx, steps.Step{
		Component: steps.Etcd,
		Stage:     steps.Store,
		Object:    stepObject(obj, strconv.FormatInt(rev, 10)),
		Message:   msg,
		Detail:    w,
	})
	s.steps.Remember(string(accessor(obj).GetUID()), strconv.FormatInt(rev, 10), steps.Cause{Trace: st.Trace, Parent: st.Seq})
}

// stepObject names obj in a step, at resourceVersion rv ("" before it has one).
func stepObject(obj runtime.Object, rv string) steps.Object {
	m := accessor(obj)
	gvk := obj.GetObjectKind().GroupVersionKind()
	return steps.Object{
		APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind,
		Namespace: m.GetNamespace(), Name: m.GetName(), UID: string(m.GetUID()),
		ResourceVersion: rv,
	}
}

// Paced reports whether writes of a resource wait for the learner's pacer.
// Heartbeats (node Leases and node status) and Events never do: holding them
// would make every node look dead whenever the learner pauses to read.
func Paced(resource string) bool {
	switch resource {
	case "leases", "events", "nodes":
		return false
	}
	return true
}

// pace asks the sandbox's pacer before a write, so a learner can stop
// "before etcd stores a Pod".
func (s *Store) pace(ctx context.Context, r *Resource, obj runtime.Object, op, key string) error {
	if !Paced(r.Resource) {
		return nil
	}
	m := accessor(obj)
	err := s.steps.Pace(ctx, steps.Step{Component: steps.Etcd, Stage: steps.Store,
		Object:  steps.Object{APIVersion: r.GroupVersion.String(), Kind: r.Kind, Namespace: m.GetNamespace(), Name: m.GetName(), UID: string(m.GetUID())},
		Message: steps.Msg("etcd.wait", "key", key, "op", op)})
	if err != nil {
		return apierrors.NewTimeoutError("the request ended while the write was held by the pacer", 0)
	}
	return nil
}

// etcdError reports a failure of etcd itself: a lost quorum as 503 when etcd
// has several members (quorum.go), otherwise as 500 (or 504 on timeout). It
// is never the user's fault.
func (s *Store) etcdError(err error) error {
	if s.quorum != nil {
		if st, ok := s.quorumError(err); ok {
			return st
		}
	}
	return etcdError(err)
}

func etcdError(err error) error {
	if err == context.DeadlineExceeded {
		return apierrors.NewTimeoutError("etcd did not answer in time", 1)
	}
	if err == context.Canceled {
		return apierrors.NewTimeoutError("request was canceled", 0)
	}
	return apierrors.NewInternalError(fmt.Errorf("etcd: %w", err))
}
