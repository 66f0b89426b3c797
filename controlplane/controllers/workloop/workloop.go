// Package workloop is the loop every controller runs, written once: wait
// until the informers' caches are filled, then let workers take keys off a
// rate-limited queue and sync them — a key whose sync failed goes back on
// the queue with back-off, a key that synced is forgotten — until the
// context ends. It is the shape of kubernetes/sample-controller's Run,
// runWorker and processNextWorkItem; what stays in each controller is its
// own sync.
//
// A key is usually "namespace/name", but any comparable value will do: the
// garbage collector queues (resource, namespace, name, uid). A key that is
// a fmt.Stringer is logged by its String.
//
// A sync that is not failing but not finished either (a namespace whose
// content is still going) returns an error with a RequeueAfter method: its
// key comes back after that long, without back-off and without a log line,
// and it is not forgotten — as kube's namespace controller does with
// ResourcesRemainingError.
//
// Shutdown protocol: Run returns when ctx has ended and every worker has
// finished the key it held; the queue is shut down on the way out.
package workloop

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// Sync brings the world in line for one key.
type Sync[K comparable] func(ctx context.Context, key K) error

// Unfinished is an error that asks for its key to be looked at again after
// RequeueAfter, without counting as a failure.
type Unfinished interface {
	error
	RequeueAfter() time.Duration
}

// Run runs workers that sync the keys of queue with syncKey, once every
// synced reports true, until ctx ends.
func Run[K comparable](ctx context.Context, name string, queue workqueue.TypedRateLimitingInterface[K], synced []cache.InformerSynced, workers int, syncKey Sync[K]) {
	defer utilruntime.HandleCrash()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer queue.ShutDown() // runs first: ends the workers' Get
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
func next[K comparable](ctx context.Context, name string, queue workqueue.TypedRateLimitingInterface[K], syncKey Sync[K]) bool {
	key, quit := queue.Get()
	if quit {
		return false
	}
	defer queue.Done(key)
	err := syncKey(ctx, key)
	var unfinished Unfinished
	switch {
	case err == nil:
		queue.Forget(key)
	case errors.As(err, &unfinished):
		queue.AddAfter(key, unfinished.RequeueAfter())
	default:
		utilruntime.HandleError(fmt.Errorf("%s: syncing %q: %w", name, fmt.Sprint(key), err))
		queue.AddRateLimited(key)
	}
	return true
}
