package server

// Slow clients. A web server gives every connection a goroutine and a buffer,
// so a client that opens a connection and then sends its request one byte a
// second (slowloris) holds them for as long as it likes, and a few thousand
// such clients hold the server. Go's http.Server waits forever unless told
// otherwise, so the web server is told:
//
//   - ReadHeaderTimeout (10 s): the request line and headers must arrive
//     within it, else the connection is closed.
//   - ReadTimeout (60 s): the whole request, body included, must arrive
//     within it. No handler reads a body for longer (Apply's YAML is at most
//     3 MiB, and kubectl in the terminal runs for at most 30 s); a websocket
//     step stream clears the deadline when it is upgraded and then has its
//     own ping deadline (stream.go).
//   - IdleTimeout (2 min): a kept-alive connection with no request closes.
//
// The API server's own limits are in controlplane (cluster.go's serve): a
// 10 s ReadHeaderTimeout, which also bounds the TLS handshake, and a 90 s
// IdleTimeout, as kube-apiserver's.

import (
	"net/http"
	"time"
)

// The web server's limits on slow clients.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	requestReadTimeout       = 60 * time.Second
	idleConnTimeout          = 2 * time.Minute
)

// limitSlowClients sets the limits on srv before it serves.
func limitSlowClients(srv *http.Server, readHeader time.Duration) {
	if readHeader <= 0 {
		readHeader = DefaultReadHeaderTimeout
	}
	srv.ReadHeaderTimeout = readHeader
	srv.ReadTimeout = max(requestReadTimeout, readHeader)
	srv.IdleTimeout = idleConnTimeout
}
