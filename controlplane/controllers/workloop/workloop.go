// Package workloop is the loop every controller runs, written once: wait
// until the informers' caches are filled, then let workers take keys off a
// rate-limited queue and sync them — a key whose sync failed goes back on
// the queue with back-off, a key that synced is forgotten — until the
// context ends. It is the shape of kubernetes/sample-controller's Run,
// runWorker and processNextWorkItem; what stays in each controller is its
// own sync.
//
// Shutdown protocol: Run returns when ctx has ended and every worker has
// finished the key it held; the queue is shut down on the way out.
package workloop

import (
	"context"
	"fmt"
	"sync"
	"time"

	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// Sync brings the world in line for one key.
type Sync func(ctx context.Context, key string) error

// Run runs workers that sync the keys of queue with syncKey, once every
// synced reports true, until ctx ends.
func Run(ctx context.Context, name string, queue workqueue.TypedRateLimitingInterface[string], synced []cache.InformerSynced, workers int, syncKey Sync) {
	defer utilruntime.HandleCrash()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer queue.ShutDown()
	if !cache.WaitForNamedCacheSync(name, ctx.Done(), synced...) {
		return
	}
	for range workers {
		wg.Go(func() {
			wait.UntilWithContext(ctx, func(ctx context.Context) {
				for next(ctx, name, queue, syncKey) {
				}
			}, time.Second)
		})
	}
	<-ctx.Done()
}

// next syncs one key; it returns false once the queue is shut down.
func next(ctx context.Context, name string, queue workqueue.TypedRateLimitingInterface[string], syncKey Sync) bool {
	key, quit := queue.Get()
	if quit {
		return false
	}
	defer queue.Done(key)
	if err := syncKey(ctx, key); err != nil {
		utilruntime.HandleError(fmt.Errorf("%s: syncing %q: %w", name, key, err))
		queue.AddRateLimited(key)
		return true
	}
	queue.Forget(key)
	return true
}
