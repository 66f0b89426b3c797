package etcd

// The in-process client's watches, counted so that Close can wait for them.
//
// A lone embedded member is reached through etcd's in-process client
// (v3client): its calls are function calls into the server, and each watch
// stream is a goroutine of the server's watch service fed through Go
// channels. Nothing in the server keeps track of those goroutines: a
// network client's streams belong to the gRPC server, which etcd's Close
// stops (waiting for their handlers) before it closes the database, but an
// in-process stream notices only later that its client has gone, and one
// that is still reading the database when Close closes it crashes the
// process with a nil pointer in bbolt. So the client's watch service here
// counts the streams it serves, and Close waits, after closing the client,
// until none is left before it stops the server.

import (
	"context"
	"sync/atomic"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/etcdserver"
	"go.etcd.io/etcd/server/v3/etcdserver/api/v3client"
	"go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc"
	"go.etcd.io/etcd/server/v3/proxy/grpcproxy/adapter"
)

// watchStreams is the server's watch service, counting the streams it runs.
type watchStreams struct {
	pb.WatchServer
	open atomic.Int64
}

func (w *watchStreams) Watch(stream pb.Watch_WatchServer) error {
	w.open.Add(1)
	defer w.open.Add(-1)
	return w.WatchServer.Watch(stream)
}

// drained waits until no stream runs, or until limit has passed.
func (w *watchStreams) drained(limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for w.open.Load() > 0 {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// inProcessClient is v3client.New with a watch service that counts its
// streams.
func inProcessClient(s *etcdserver.EtcdServer) (*clientv3.Client, *watchStreams) {
	c := v3client.New(s)
	w := &watchStreams{WatchServer: v3rpc.NewWatchServer(s)}
	c.Watcher = blankWatcher{clientv3.NewWatchFromWatchClient(adapter.WatchServerToWatchClient(w), c)}
	return c, w
}

// blankWatcher hides a watch's context values from the server's request
// tracing, as v3client's own watcher does (they may change concurrently).
type blankWatcher struct{ clientv3.Watcher }

func (b blankWatcher) Watch(ctx context.Context, key string, opts ...clientv3.OpOption) clientv3.WatchChan {
	return b.Watcher.Watch(blankContext{ctx}, key, opts...)
}

type blankContext struct{ context.Context }

func (blankContext) String() string { return "(blankCtx)" }
