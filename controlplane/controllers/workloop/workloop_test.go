package workloop

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// A key whose sync fails goes back on the queue until it syncs; a key that
// synced is forgotten; Run returns once its context ends.
func TestAFailedKeyIsRetriedUntilItSyncsAndRunReturnsWhenTheContextEnds(t *testing.T) {
	queue := workqueue.NewTypedRateLimitingQueue(workqueue.NewTypedItemExponentialFailureRateLimiter[string](time.Millisecond, 10*time.Millisecond))
	var mu sync.Mutex
	tries := map[string]int{}
	var done atomic.Int32
	sync := func(_ context.Context, key string) error {
		mu.Lock()
		defer mu.Unlock()
		tries[key]++
		if key == "flaky" && tries[key] < 3 {
			return errors.New("not yet")
		}
		done.Add(1)
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		Run(ctx, "test", queue, []cache.InformerSynced{func() bool { return true }}, 2, sync)
	}()
	queue.Add("steady")
	queue.Add("flaky")
	deadline := time.Now().Add(10 * time.Second)
	for done.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the keys never synced: %v", tries)
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	if tries["flaky"] != 3 || tries["steady"] != 1 {
		t.Errorf("tries %v, want flaky 3 times and steady once", tries)
	}
	mu.Unlock()
	if n := queue.NumRequeues("flaky"); n != 0 {
		t.Errorf("a key that synced is still counted for back-off: %d requeues", n)
	}
	cancel()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}
