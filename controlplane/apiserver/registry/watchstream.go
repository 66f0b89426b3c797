package registry

// One etcd watch stream per watch.
//
// etcd's client carries every watch whose context has the same gRPC
// metadata on one bidirectional stream, and ending a watch sends a cancel
// request up that stream. Over a network connection HTTP/2's flow control
// keeps the two directions apart. Glassplane's embedded etcd is reached
// through etcd's in-process client (v3client), whose streams are plain Go
// channels: when many watches end together while events flow — informers
// restarting after a component stops, a sandbox deleted, a class's browsers
// reconnecting — the client waits to send a cancel while etcd waits to send
// it an event, and neither side ever reads again. Every watch on that stream
// stops, and no new one can start (etcd issues 18879 and 20716; the
// regression test is watchstream_test.go).
//
// So each watch gets a stream of its own: a distinct metadata value makes
// the client open a new stream, and when the watch ends its stream closes
// with it, without a cancel request that could wait on anything. A stream
// costs etcd two goroutines and a watch stream record; the informers of a
// sandbox hold a few dozen watches.

import (
	"context"
	"strconv"
	"sync/atomic"

	"google.golang.org/grpc/metadata"
)

// watchStreams numbers the watches, one stream each.
var watchStreams atomic.Uint64

// ownStream returns ctx with metadata that gives the etcd watch made with it
// a stream of its own.
func ownStream(ctx context.Context) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "glassplane-watch", strconv.FormatUint(watchStreams.Add(1), 10))
}
