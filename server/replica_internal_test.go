package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// A replica whose watch of the records is behind (here: never delivers)
// still finds a sandbox another replica created a moment ago, by reading
// the records on the miss: a student who joined on one replica and whose
// page asks another is not sent back to the join form. It does not claim
// the sandbox from that read: only the watch joins elections.
func TestAReplicaBehindItsWatchFindsANewSandboxInEtcd(t *testing.T) {
	c := testcluster.Start(t)
	a := NewSandboxes(c.Etcd, t.TempDir(), "127.0.0.1", time.Hour, startAPIOnly, WithReplica(time.Second))
	b := NewSandboxes(c.Etcd, t.TempDir(), "127.0.0.1", time.Hour, startAPIOnly, WithReplica(time.Second))
	b.watch = func(ctx context.Context, _ string, _ ...clientv3.OpOption) clientv3.WatchChan {
		stalled := make(chan clientv3.WatchResponse)
		go func() { <-ctx.Done(); close(stalled) }()
		return stalled
	}
	for i, s := range []*Sandboxes{a, b} {
		if err := s.StartReplica(context.Background(), Owner{Web: []string{"a:1", "b:1"}[i]}); err != nil {
			t.Fatal(err)
		}
		defer s.Close()
	}
	sb, err := a.CreateNamed(context.Background(), "Ada")
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := b.SessionID(sb.Token); !ok || id != sb.ID {
		t.Fatalf("replica B does not find the new sandbox's session: %q %v", id, ok)
	}
	if name, ok := b.nameOf(sb.ID); !ok || name != "Ada" {
		t.Errorf("replica B does not find the new sandbox by id: %q %v", name, ok)
	}
	owner, exists, err := b.Owner(context.Background(), sb.ID)
	if err != nil || !exists || owner.Web != "a:1" {
		t.Errorf("replica B sees the owner as %+v (exists %v, %v), want a:1", owner, exists, err)
	}
	if _, ok := b.SessionID("no-such-token"); ok {
		t.Error("a made-up session opens a sandbox")
	}
}

// A replica that lost its etcd session while its sandbox still runs (it
// stalled past the TTL, and etcd expired its lease) can no longer change
// the sandbox: the sandbox's writes are fenced by the replica's place in
// the election, so a write made before the replica notices answers 503 and
// lands nowhere. Once the replica has a new session and is elected again,
// the sandbox it starts writes as before.
func TestAReplicaThatLostItsSessionCannotWriteToItsSandbox(t *testing.T) {
	c := testcluster.Start(t)
	a := NewSandboxes(c.Etcd, t.TempDir(), "127.0.0.1", time.Hour, startAPIOnly, WithReplica(9*time.Second))
	if err := a.StartReplica(context.Background(), Owner{Web: "a:1"}); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	sb, err := a.CreateNamed(context.Background(), "Ada")
	if err != nil {
		t.Fatal(err)
	}
	configMap := func(name string) *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}
	}
	create := func(sb *Sandbox, name string) error {
		_, err := kubernetes.NewForConfigOrDie(mustClientConfig(t, sb)).CoreV1().ConfigMaps("default").Create(context.Background(), configMap(name), metav1.CreateOptions{})
		return err
	}
	if err := create(sb, "before"); err != nil {
		t.Fatalf("a write while the replica owns the sandbox: %v", err)
	}

	// What etcd does when the session expires, in two steps: the replica's
	// key in the line goes first, while its session lives on (it has not
	// noticed, however long the write below takes) ...
	a.replica.mu.Lock()
	lease := a.replica.session.Lease()
	a.replica.mu.Unlock()
	if _, err := c.Etcd.Client.Delete(context.Background(), fmt.Sprintf("%s%s/%x", ownerPrefix, sb.ID, lease)); err != nil {
		t.Fatal(err)
	}
	if err := create(sb, "stale"); !apierrors.IsServiceUnavailable(err) {
		t.Fatalf("a write after the replica lost its place in the line answered %v, want 503", err)
	}
	if _, err := sb.Cluster.SaveSnapshot(context.Background()); !errors.Is(err, registry.ErrFencedOut) {
		t.Errorf("a snapshot saved after the replica lost its place answered %v, want ErrFencedOut", err)
	}
	// ... then the lease, which the replica notices: it runs the sandbox
	// again in a new session.
	if _, err := c.Etcd.Client.Revoke(context.Background(), lease); err != nil {
		t.Fatal(err)
	}

	var again *Sandbox
	waitFor(t, "the replica to run the sandbox again in a new session", func() bool {
		again, _ = a.Get(sb.ID)
		return again != nil && again != sb
	})
	if err := create(again, "after"); err != nil {
		t.Fatalf("a write once the replica is elected again: %v", err)
	}
	got, err := kubernetes.NewForConfigOrDie(mustClientConfig(t, again)).CoreV1().ConfigMaps("default").List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, cm := range got.Items {
		if cm.Name != "kube-root-ca.crt" {
			names = append(names, cm.Name)
		}
	}
	if strings.Join(names, ",") != "after,before" {
		t.Errorf("the sandbox holds ConfigMaps %v, want [after before]", names)
	}
}

func mustClientConfig(t *testing.T, sb *Sandbox) *rest.Config {
	t.Helper()
	cfg, err := sb.Cluster.ClientConfig("admin", "system:masters")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Only a sandbox's candidates wait in its line: with four replicas and two
// candidates, the line holds the creator and the two replicas that rank
// highest, not all four. When every replica in the line is gone, the ones
// left, which were no candidates before, become candidates and one of them
// runs the sandbox.
func TestOnlyASandboxsCandidatesWaitInItsLine(t *testing.T) {
	c := testcluster.Start(t)
	ctx := context.Background()
	replicas := make([]*Sandboxes, 4)
	for i := range replicas {
		replicas[i] = NewSandboxes(c.Etcd, t.TempDir(), "127.0.0.1", time.Hour, startAPIOnly, WithReplica(time.Second))
		replicas[i].replica.candidates = 2
		if err := replicas[i].StartReplica(ctx, Owner{Web: fmt.Sprintf("r%d:1", i)}); err != nil {
			t.Fatal(err)
		}
		defer replicas[i].Close()
	}
	keyOf := func(s *Sandboxes) string {
		s.replica.mu.Lock()
		defer s.replica.mu.Unlock()
		return s.replica.selfKey
	}
	waitFor(t, "every replica to list all four", func() bool {
		for _, s := range replicas {
			s.replica.mu.Lock()
			n := len(s.replica.peers)
			s.replica.mu.Unlock()
			if n != 4 {
				return false
			}
		}
		return true
	})
	sb, err := replicas[0].CreateNamed(ctx, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	// The creator, and the two that rank highest for the sandbox.
	ranked := slices.Clone(replicas)
	slices.SortFunc(ranked, func(a, b *Sandboxes) int { return cmp.Compare(rank(sb.ID, keyOf(b)), rank(sb.ID, keyOf(a))) })
	inLine := map[*Sandboxes]bool{replicas[0]: true, ranked[0]: true, ranked[1]: true}
	line := func() int {
		resp, err := c.Etcd.Client.Get(ctx, ownerPrefix+sb.ID+"/", clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err != nil {
			t.Fatal(err)
		}
		return int(resp.Count)
	}
	waitFor(t, fmt.Sprintf("the line to hold its %d candidates", len(inLine)), func() bool { return line() == len(inLine) })
	time.Sleep(500 * time.Millisecond)
	if n := line(); n != len(inLine) {
		t.Fatalf("%d replicas wait in the sandbox's line, want its %d candidates", n, len(inLine))
	}

	var left []*Sandboxes
	for _, s := range replicas {
		if inLine[s] {
			s.Close()
		} else {
			left = append(left, s)
		}
	}
	waitFor(t, "a replica that was no candidate to run the sandbox", func() bool {
		for _, s := range left {
			if _, ok := s.Get(sb.ID); ok {
				return true
			}
		}
		return false
	})
}
