package controlplane_test

// Optimistic concurrency: every update names the resourceVersion it read, and
// the API server writes it only if the object is still at that version (an
// etcd transaction comparing the key's mod revision). So of many clients
// updating one object at once, one wins each round and the rest get 409
// Conflict, read again and retry — and no update is ever lost. Counters in
// ConfigMaps make a lost update visible: the final count is short.
//
// A patch names no resourceVersion: the server reads, patches and writes with
// the same compare, retrying itself on a conflict, so concurrent patches of
// different keys all land. So does an unconditional update (a PUT without a
// resourceVersion): it never gets a 409.

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

func TestConcurrentUpdatesGetConflictsAndNeverLoseAnUpdate(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	cs := c.Client("admin")
	ctx := context.Background()
	const objects, clients, increments = 3, 6, 10
	for o := 0; o < objects; o++ {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("counter-%d", o)}, Data: map[string]string{"n": "0"}}
		if _, err := cs.CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var conflicts atomic.Int64
	var wg sync.WaitGroup
	for cl := 0; cl < clients; cl++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < increments; i++ {
				name := fmt.Sprintf("counter-%d", (cl+i)%objects)
				for {
					cm, err := cs.CoreV1().ConfigMaps("default").Get(ctx, name, metav1.GetOptions{})
					if err != nil {
						t.Error(err)
						return
					}
					n, _ := strconv.Atoi(cm.Data["n"])
					cm.Data["n"] = strconv.Itoa(n + 1)
					_, err = cs.CoreV1().ConfigMaps("default").Update(ctx, cm, metav1.UpdateOptions{})
					if err == nil {
						break
					}
					if !apierrors.IsConflict(err) {
						t.Errorf("updating %s: %v, want success or 409 Conflict", name, err)
						return
					}
					conflicts.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	total := 0
	for o := 0; o < objects; o++ {
		cm, err := cs.CoreV1().ConfigMaps("default").Get(ctx, fmt.Sprintf("counter-%d", o), metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(cm.Data["n"])
		total += n
	}
	t.Logf("%d updates by %d clients on %d objects met %d conflicts", clients*increments, clients, objects, conflicts.Load())
	if total != clients*increments {
		t.Errorf("the counters add up to %d, want %d: updates were lost", total, clients*increments)
	}
	if conflicts.Load() == 0 {
		t.Errorf("%d clients updating %d objects never met a 409 Conflict", clients, objects)
	}
}

func TestConcurrentPatchesOfDifferentKeysAllLand(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	cs := c.Client("admin")
	ctx := context.Background()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "patched"}}
	if _, err := cs.CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	const clients, patches = 8, 5
	var wg sync.WaitGroup
	for cl := 0; cl < clients; cl++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 1; i <= patches; i++ {
				patch := fmt.Sprintf(`{"data":{"client-%d":"%d"}}`, cl, i)
				if _, err := cs.CoreV1().ConfigMaps("default").Patch(ctx, "patched", types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
					t.Errorf("patch %s: %v", patch, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	got, err := cs.CoreV1().ConfigMaps("default").Get(ctx, "patched", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for cl := 0; cl < clients; cl++ {
		if v := got.Data[fmt.Sprintf("client-%d", cl)]; v != strconv.Itoa(patches) {
			t.Errorf("client-%d is %q after %d patches, want %q: a patch was lost", cl, v, patches, strconv.Itoa(patches))
		}
	}
}

func TestConcurrentUnconditionalUpdatesNeverConflict(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	cs := c.Client("admin")
	ctx := context.Background()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "replaced"}}
	if _, err := cs.CoreV1().ConfigMaps("default").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	const clients, updates = 8, 5
	var wg sync.WaitGroup
	for cl := 0; cl < clients; cl++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 1; i <= updates; i++ {
				cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "replaced"}, Data: map[string]string{"by": fmt.Sprint(cl, "-", i)}}
				if _, err := cs.CoreV1().ConfigMaps("default").Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
					t.Errorf("unconditional update %d by client %d: %v", i, cl, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
