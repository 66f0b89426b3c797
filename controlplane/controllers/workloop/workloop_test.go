package workloop

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
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

// object is a key that is not a string, like the garbage collector's.
type object struct {
	Resource, Namespace, Name string
}

// Any comparable key will do: a struct key that fails is retried and then
// forgotten like a string key.
func TestAStructKeyIsRetriedUntilItSyncs(t *testing.T) {
	queue := workqueue.NewTypedRateLimitingQueue(workqueue.NewTypedItemExponentialFailureRateLimiter[object](time.Millisecond, 10*time.Millisecond))
	key := object{Resource: "replicasets", Namespace: "default", Name: "web"}
	var tries atomic.Int32
	synced := make(chan object, 1)
	ctx, cancel := context.WithCancel(context.Background())
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		Run(ctx, "test", queue, nil, 1, func(_ context.Context, k object) error {
			if tries.Add(1) < 2 {
				return errors.New("not yet")
			}
			synced <- k
			return nil
		})
	}()
	queue.Add(key)
	select {
	case got := <-synced:
		if got != key {
			t.Errorf("synced %v, want %v", got, key)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the struct key never synced after %d tries", tries.Load())
	}
	cancel()
	<-returned
	if n := queue.NumRequeues(key); n != 0 {
		t.Errorf("a key that synced is still counted for back-off: %d requeues", n)
	}
}

// unfinished is an error that asks to be looked at again, as a namespace
// with content left does.
type unfinished struct{}

func (unfinished) Error() string               { return "content remains" }
func (unfinished) RequeueAfter() time.Duration { return 20 * time.Millisecond }

// A sync that is unfinished comes back after its delay without back-off:
// the rate limiter counts no failure for it.
func TestAnUnfinishedKeyComesBackAfterItsDelayWithoutBackOff(t *testing.T) {
	queue := workqueue.NewTypedRateLimitingQueue(workqueue.NewTypedItemExponentialFailureRateLimiter[string](time.Hour, time.Hour))
	var tries atomic.Int32
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		Run(ctx, "test", queue, nil, 1, func(_ context.Context, _ string) error {
			switch tries.Add(1) {
			case 1, 2:
				return unfinished{}
			case 3:
				close(done)
			}
			return nil
		})
	}()
	queue.Add("terminating")
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("an unfinished key did not come back (a failure would wait an hour): %d tries", tries.Load())
	}
	cancel()
	<-returned
}

// No controller keeps its own queue-draining loop: the only Get on a work
// queue under controlplane/controllers is workloop's.
func TestEveryControllerDrainsItsQueueThroughWorkloop(t *testing.T) {
	fset := token.NewFileSet()
	var found []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "workloop" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok && drainsQueue(call) {
				found = append(found, fset.Position(call.Pos()).String())
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Errorf("controllers take keys off their own queue instead of using workloop.Run:\n%s", strings.Join(found, "\n"))
	}
}

// drainsQueue reports whether call is x.Get() on something named like a
// queue (c.queue.Get(), queue.Get(), c.workQueue.Get()).
func drainsQueue(call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Get" || len(call.Args) != 0 {
		return false
	}
	var name string
	switch x := sel.X.(type) {
	case *ast.Ident:
		name = x.Name
	case *ast.SelectorExpr:
		name = x.Sel.Name
	default:
		return false
	}
	return strings.Contains(strings.ToLower(name), "queue")
}
