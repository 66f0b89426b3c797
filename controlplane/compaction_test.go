package controlplane_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/etcd"
	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

func TestAfterCompactionReadsFromBeforeItAreGoneAndReadsFromTheFutureTimeOut(t *testing.T) {
	t.Parallel()
	c := testcluster.StartWith(t, controlplane.Config{Nodes: -1})
	ctx := context.Background()
	cms := c.Client("admin").CoreV1().ConfigMaps("default")
	old, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	last := old
	for i := 0; i < 3; i++ {
		last.Data = map[string]string{"n": strconv.Itoa(i)}
		if last, err = cms.Update(ctx, last, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	rev, _ := strconv.ParseInt(last.ResourceVersion, 10, 64)
	if _, err := c.Etcd.Client.Compact(ctx, rev, clientv3.WithCompactPhysical()); err != nil {
		t.Fatal(err)
	}

	t.Run("a watch from before the compaction gets 410 Expired", func(t *testing.T) {
		w, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: old.ResourceVersion})
		if err != nil {
			t.Fatalf("watch: %v", err)
		}
		defer w.Stop()
		select {
		case ev := <-w.ResultChan():
			st, ok := ev.Object.(*metav1.Status)
			want := fmt.Sprintf("too old resource version: %s (%d)", old.ResourceVersion, rev)
			if !ok || st.Code != http.StatusGone || st.Reason != metav1.StatusReasonExpired || st.Message != want {
				t.Fatalf("got %s %#v, want an ERROR 410 Expired %q", ev.Type, ev.Object, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("no event from a watch on a compacted revision")
		}
	})

	t.Run("an exact list from before the compaction gets 410 Expired", func(t *testing.T) {
		_, err := cms.List(ctx, metav1.ListOptions{ResourceVersion: old.ResourceVersion, ResourceVersionMatch: metav1.ResourceVersionMatchExact})
		if !apierrors.IsResourceExpired(err) || apierrors.ReasonForError(err) != metav1.StatusReasonExpired {
			t.Fatalf("got %v, want 410 Expired", err)
		}
	})

	t.Run("an exact list at the compaction still works", func(t *testing.T) {
		list, err := cms.List(ctx, metav1.ListOptions{ResourceVersion: last.ResourceVersion, ResourceVersionMatch: metav1.ResourceVersionMatchExact})
		if err != nil || list.ResourceVersion != last.ResourceVersion || len(list.Items) != 1 {
			t.Fatalf("got %v (rv %s), want the one ConfigMap at %s", err, list.ResourceVersion, last.ResourceVersion)
		}
	})

	for _, match := range []metav1.ResourceVersionMatch{"", metav1.ResourceVersionMatchExact} {
		t.Run("a list from the future gets 504 Too large resource version, match="+string(match), func(t *testing.T) {
			future := strconv.FormatInt(rev+1000, 10)
			start := time.Now()
			// The 504 carries Retry-After, as kube-apiserver's does, so
			// client-go would quietly try ten times; ask once.
			err := c.Client("admin").CoreV1().RESTClient().Get().Namespace("default").Resource("configmaps").
				VersionedParams(&metav1.ListOptions{ResourceVersion: future, ResourceVersionMatch: match}, scheme.ParameterCodec).
				MaxRetries(0).Do(ctx).Error()
			took := time.Since(start)
			if !storage.IsTooLargeResourceVersion(err) || !strings.Contains(err.Error(), "Too large resource version: "+future+", current: ") {
				t.Fatalf("got %v, want 504 Too large resource version", err)
			}
			if secs, ok := apierrors.SuggestsClientDelay(err); !ok || secs != 1 {
				t.Errorf("retry after %d (%v), want 1 second", secs, ok)
			}
			if took < registry.FreshnessWait || took > 30*time.Second {
				t.Errorf("answered after %v; want a wait of %v first", took, registry.FreshnessWait)
			}
		})
	}

	t.Run("a list a little in the future waits for etcd to get there", func(t *testing.T) {
		cur, err := cms.List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.ParseInt(cur.ResourceVersion, 10, 64)
		next := strconv.FormatInt(n+1, 10)
		done := make(chan error, 1)
		go func() {
			_, err := cms.List(ctx, metav1.ListOptions{ResourceVersion: next})
			done <- err
		}()
		time.Sleep(100 * time.Millisecond) // the list is waiting (and would wait 3s)
		if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "b"}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("a list at the next revision after a write: %v", err)
		}
	})
}

func TestEtcdCompactionIsAStepOfTheSandbox(t *testing.T) {
	t.Parallel()
	c := testcluster.StartWith(t, controlplane.Config{Nodes: -1, EtcdCompactionInterval: 100 * time.Millisecond})
	ctx := context.Background()
	cms := c.Client("admin").CoreV1().ConfigMaps("default")
	if _, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, s := range c.Steps.Since(0, 0) {
			if s.Stage != steps.Compact {
				continue
			}
			cp, ok := s.Detail.(etcd.Compaction)
			if s.Component != steps.Etcd || s.Message.Key != "etcd.compact" || !ok || cp.Revision == 0 || cp.DBSizeAfter == 0 {
				t.Fatalf("compaction step: %+v", s)
			}
			if s.Message.Args["revision"] != strconv.FormatInt(cp.Revision, 10) {
				t.Errorf("the step's message names revision %s, the compaction was at %d", s.Message.Args["revision"], cp.Revision)
			}
			_, err := c.Etcd.Client.Get(ctx, "/registry/configmaps/default/a", clientv3.WithRev(cp.Revision-1))
			if err == nil || !strings.Contains(err.Error(), "compacted") {
				t.Errorf("the step says etcd compacted to %d, but a read before it gives %v", cp.Revision, err)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no etcd compaction step within 30s")
}
