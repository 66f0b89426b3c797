package server

// Any replica answers for any sandbox. A request about a sandbox that
// another replica runs (replica.go) is passed to that replica as it came,
// websocket upgrades included, so a load balancer needs no sticky
// sessions. Which sandbox a request is about is read from its path
// (/glassplane/v1/sandboxes/ID/..., and a teacher's reset of one). The
// page, the join form and the class's views are answered by any replica:
// sessions, records and the class's state are in etcd.
//
// A passed request carries the replicas' shared secret, so its owner
// believes the client address the passer adds (X-Forwarded-For) and counts
// the browser's streams against the browser, not against the replica. A
// passed request never travels on: if the sandbox is not running where it
// arrived, the sandbox is between owners, and the client is told to try
// again in a moment (503, Retry-After).

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// forwardedHeader carries the replicas' secret on a passed request.
const forwardedHeader = "X-Glassplane-Replica"

// forwardToOwner passes a request about a sandbox another replica runs to
// that replica.
func (w *Web) forwardToOwner(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		s := w.sandboxes
		if s == nil || s.replica == nil {
			return next(c)
		}
		passed := w.fromReplica(r)
		if passed {
			// A peer vouches for the client's address.
			if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
				client := strings.TrimSpace(xff[strings.LastIndex(xff, ",")+1:])
				r.RemoteAddr = net.JoinHostPort(client, "0")
			}
		}
		id := w.sandboxOfRequest(r)
		if id == "" {
			return next(c)
		}
		if _, here := s.Get(id); here {
			return next(c)
		}
		owner, exists, err := s.Owner(r.Context(), id)
		if !exists {
			return next(c) // not a sandbox: the usual 401 or join page
		}
		if passed || err != nil || owner.Web == "" || owner == s.replica.self {
			c.Response().Header().Set("Retry-After", "1")
			return fail(c, http.StatusServiceUnavailable, "this sandbox is moving to another Glassplane replica; try again in a moment")
		}
		w.passTo(owner.Web).ServeHTTP(c.Response(), r)
		return nil
	}
}

// fromReplica reports whether r was passed on by another replica.
func (w *Web) fromReplica(r *http.Request) bool {
	got, secret := r.Header.Get(forwardedHeader), w.sandboxes.replica.secret
	return got != "" && secret != "" && subtle.ConstantTimeCompare([]byte(got), []byte(secret)) == 1
}

// sandboxOfRequest names the sandbox r is about, "" for none.
func (w *Web) sandboxOfRequest(r *http.Request) string {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/glassplane/v1/sandboxes/"); ok {
		id, _, _ := strings.Cut(rest, "/")
		return id
	}
	// A teacher's reset runs where the student's sandbox does.
	if rest, ok := strings.CutPrefix(r.URL.Path, "/glassplane/v1/classroom/sandboxes/"); ok {
		id, _, _ := strings.Cut(rest, "/")
		return id
	}
	return ""
}

// passTo is a proxy to the replica at addr. The Host header stays the
// client's, so the owner's same-origin checks see what the browser sent.
func (w *Web) passTo(addr string) *httputil.ReverseProxy {
	target := &url.URL{Scheme: "http", Host: addr}
	secret := w.sandboxes.replica.secret
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
			pr.SetXForwarded()
			pr.Out.Header.Set(forwardedHeader, secret)
		},
		FlushInterval: -1, // steps stream out as they come
		ErrorHandler: func(rw http.ResponseWriter, _ *http.Request, err error) {
			rw.Header().Set("Retry-After", "1")
			rw.Header().Set("Content-Type", "application/json")
			rw.WriteHeader(http.StatusServiceUnavailable)
			_, _ = rw.Write([]byte(`{"message":"the Glassplane replica running this sandbox did not answer; try again in a moment"}` + "\n"))
		},
	}
}
