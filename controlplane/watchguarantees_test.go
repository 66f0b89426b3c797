package controlplane_test

// Watch guarantees, checked against etcd's own history. A Kubernetes watch
// promises every change after its resourceVersion, in revision order, each
// once: ADDED for a create, MODIFIED for an update, DELETED for a delete,
// with the object's resourceVersion the etcd revision of the change. A watch
// started from any resourceVersion still in history resumes exactly there.
// (A watch from a compacted one gets 410 Gone: TestWatchFromCompactedRevisionIsGone.)
//
// The test runs a random mix of creates, updates and deletes from several
// clients, reads what etcd recorded under the ConfigMaps' keys (an etcd watch
// from the same revision), and compares it, change by change, with what the
// API's watch delivered — from the start and from random points in between.

import (
	"context"
	"fmt"
	"math/rand"
	"strconv"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// change is one change as a watcher sees it.
type change struct {
	Type watch.EventType
	Name string
	RV   int64
}

func TestWatchDeliversEtcdsHistoryInOrderOnceAndResumesAnywhere(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	cs := c.Client("admin")
	ctx := context.Background()
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)

	startCM, err := cs.CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "start"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	start := mustRV(t, startCM.ResourceVersion)
	w, err := cs.CoreV1().ConfigMaps("default").Watch(ctx, metav1.ListOptions{ResourceVersion: startCM.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	randomWorkload(t, cs, seed, 4, 40)
	// A last update marks the end: its revision is the last of the history.
	startCM.Data = map[string]string{"end": "true"}
	endCM, err := cs.CoreV1().ConfigMaps("default").Update(ctx, startCM, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	history := etcdHistory(t, c.Etcd.Client, "/registry/configmaps/default/", start+1, mustRV(t, endCM.ResourceVersion))
	if len(history) == 0 {
		t.Fatal("the workload left no history in etcd")
	}
	got := collect(t, w, history[len(history)-1].RV)
	compareChanges(t, "the watch from the start", got, history)

	rng := rand.New(rand.NewSource(seed))
	for i := 0; i < 3; i++ {
		from := history[rng.Intn(len(history))].RV
		w, err := cs.CoreV1().ConfigMaps("default").Watch(ctx, metav1.ListOptions{ResourceVersion: strconv.FormatInt(from, 10)})
		if err != nil {
			t.Fatal(err)
		}
		var want []change
		for _, ch := range history {
			if ch.RV > from {
				want = append(want, ch)
			}
		}
		if len(want) > 0 {
			compareChanges(t, fmt.Sprintf("the watch resumed from %d", from), collect(t, w, want[len(want)-1].RV), want)
		}
		w.Stop()
	}
	t.Logf("%d changes checked against etcd, from the start and from 3 resume points", len(history))
}

// randomWorkload runs clients goroutines, each doing ops random creates,
// updates and deletes of ten ConfigMaps; errors a racing client expects
// (409, 404, AlreadyExists) are part of the game.
func randomWorkload(t *testing.T, cs kubernetes.Interface, seed int64, clients, ops int) {
	t.Helper()
	ctx := context.Background()
	cms := cs.CoreV1().ConfigMaps("default")
	var wg sync.WaitGroup
	for cl := 0; cl < clients; cl++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed + int64(cl)))
			for i := 0; i < ops; i++ {
				name := fmt.Sprintf("cm-%d", rng.Intn(10))
				var err error
				switch rng.Intn(3) {
				case 0:
					_, err = cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
				case 1:
					var cm *corev1.ConfigMap
					if cm, err = cms.Get(ctx, name, metav1.GetOptions{}); err == nil {
						cm.Data = map[string]string{"i": strconv.Itoa(i)}
						_, err = cms.Update(ctx, cm, metav1.UpdateOptions{})
					}
				case 2:
					err = cms.Delete(ctx, name, metav1.DeleteOptions{})
				}
				if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) && !apierrors.IsAlreadyExists(err) {
					t.Errorf("%s: %v", name, err)
				}
			}
		}()
	}
	wg.Wait()
}

// etcdHistory is what etcd recorded under prefix from revision from to to,
// which must be the revision of a change under prefix.
func etcdHistory(t *testing.T, cli *clientv3.Client, prefix string, from, to int64) []change {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []change
	for resp := range cli.Watch(ctx, prefix, clientv3.WithPrefix(), clientv3.WithRev(from)) {
		if err := resp.Err(); err != nil {
			t.Fatal(err)
		}
		for _, ev := range resp.Events {
			ch := change{Name: string(ev.Kv.Key[len(prefix):]), RV: ev.Kv.ModRevision, Type: watch.Modified}
			switch {
			case ev.Type == clientv3.EventTypeDelete:
				ch.Type = watch.Deleted
			case ev.Kv.CreateRevision == ev.Kv.ModRevision:
				ch.Type = watch.Added
			}
			out = append(out, ch)
		}
		if len(out) > 0 && out[len(out)-1].RV >= to {
			return out
		}
	}
	t.Fatalf("etcd's watch ended before revision %d", to)
	return nil
}

// collect reads a watch until it has delivered revision last.
func collect(t *testing.T, w watch.Interface, last int64) []change {
	t.Helper()
	var out []change
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatalf("the watch ended after %d events, before revision %d", len(out), last)
			}
			cm, isCM := ev.Object.(*corev1.ConfigMap)
			if !isCM {
				t.Fatalf("unexpected %s event: %#v", ev.Type, ev.Object)
			}
			out = append(out, change{Type: ev.Type, Name: cm.Name, RV: mustRV(t, cm.ResourceVersion)})
			if out[len(out)-1].RV >= last {
				return out
			}
		case <-timeout:
			t.Fatalf("waited 30s for revision %d; got %d events", last, len(out))
		}
	}
}

func compareChanges(t *testing.T, what string, got, want []change) {
	t.Helper()
	for i := 1; i < len(got); i++ {
		if got[i].RV <= got[i-1].RV {
			t.Errorf("%s: event %d (%+v) is not after event %d (%+v)", what, i, got[i], i-1, got[i-1])
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d events, etcd recorded %d changes", what, len(got), len(want))
	}
	for i := 0; i < len(got) && i < len(want); i++ {
		if got[i] != want[i] {
			t.Fatalf("%s: event %d is %+v, etcd recorded %+v", what, i, got[i], want[i])
		}
	}
}

func mustRV(t *testing.T, rv string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(rv, 10, 64)
	if err != nil {
		t.Fatalf("resourceVersion %q: %v", rv, err)
	}
	return n
}

// TestAWatchThatAsksForBookmarksGetsThemAndResumesFromOne: a watch with
// allowWatchBookmarks hears, while nothing it watches changes, a BOOKMARK
// carrying the revision it has seen everything up to (etcd's progress
// notification, every 5 s here). Resuming from that resourceVersion gives
// the changes after it and none before. sendInitialEvents=true first lists
// the objects as ADDED, then a bookmark annotated
// k8s.io/initial-events-end, as client-go's streaming lists expect.
func TestAWatchThatAsksForBookmarksGetsThemAndResumesFromOne(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	cms := c.Client("admin").CoreV1().ConfigMaps("default")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	first, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "first"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: first.ResourceVersion, AllowWatchBookmarks: true})
	if err != nil {
		t.Fatal(err)
	}
	var mark string
	for mark == "" {
		select {
		case ev := <-w.ResultChan():
			if ev.Type != watch.Bookmark {
				t.Fatalf("a watch from first's version delivered %s before any bookmark", ev.Type)
			}
			mark = ev.Object.(*corev1.ConfigMap).ResourceVersion
		case <-ctx.Done():
			t.Fatal("no bookmark within a minute")
		}
	}
	w.Stop()
	if m, _ := strconv.ParseInt(mark, 10, 64); m < rvOf(t, first.ResourceVersion) {
		t.Errorf("the bookmark says %s, older than first's %s", mark, first.ResourceVersion)
	}

	second, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "second"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	resumed, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: mark, AllowWatchBookmarks: true})
	if err != nil {
		t.Fatal(err)
	}
	defer resumed.Stop()
	for ev := range resumed.ResultChan() {
		if ev.Type == watch.Bookmark {
			continue
		}
		cm := ev.Object.(*corev1.ConfigMap)
		if ev.Type != watch.Added || cm.Name != "second" || cm.ResourceVersion != second.ResourceVersion {
			t.Fatalf("resuming from the bookmark %s delivered %s %s@%s first; want ADDED second@%s", mark, ev.Type, cm.Name, cm.ResourceVersion, second.ResourceVersion)
		}
		break
	}

	streamed, err := cms.Watch(ctx, metav1.ListOptions{SendInitialEvents: ptrTo(true), ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan, AllowWatchBookmarks: true})
	if err != nil {
		t.Fatal(err)
	}
	defer streamed.Stop()
	var listed []string
	for ev := range streamed.ResultChan() {
		cm, _ := ev.Object.(*corev1.ConfigMap)
		if ev.Type == watch.Bookmark {
			if cm.Annotations[metav1.InitialEventsAnnotationKey] != "true" {
				continue // a progress bookmark before the end of the list
			}
			break
		}
		listed = append(listed, string(ev.Type)+" "+cm.Name)
	}
	if fmt.Sprint(listed) != "[ADDED first ADDED second]" && fmt.Sprint(listed) != "[ADDED second ADDED first]" {
		t.Errorf("the initial events were %v; want first and second ADDED, then the end bookmark", listed)
	}
}

func rvOf(t *testing.T, rv string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(rv, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func ptrTo[T any](v T) *T { return &v }
