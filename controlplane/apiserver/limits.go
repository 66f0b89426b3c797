package apiserver

// Limits keep one sandbox from starving the others on a shared classroom
// server: a bound on stored objects, a request rate, and a request size.
// Exceeding them gives the error Kubernetes gives in the same spot — 429 Too
// Many Requests with Retry-After (as kube-apiserver's max-in-flight and API
// priority and fairness do), 403 Forbidden for the object count (as a
// ResourceQuota would), 413 for the size.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/util/flowcontrol"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Limits bound what one API server accepts. Zero values mean no limit.
type Limits struct {
	MaxObjects        int64   // objects stored in this cluster
	RequestsPerSecond float32 // sustained request rate
	Burst             int     // requests allowed at once above the rate
	MaxRequestBytes   int64   // request body size (kube-apiserver's is 3 MiB)
}

type limiter struct {
	Limits
	rate flowcontrol.RateLimiter // nil without a rate limit

	mu      sync.Mutex // guards pending, and makes count-and-reserve one step
	pending int64      // creates admitted whose write has not finished yet
}

func newLimiter(l Limits) *limiter {
	lim := &limiter{Limits: l}
	if l.RequestsPerSecond > 0 {
		burst := l.Burst
		if burst <= 0 {
			burst = int(l.RequestsPerSecond) * 2
		}
		lim.rate = flowcontrol.NewTokenBucketRateLimiter(l.RequestsPerSecond, burst)
	}
	return lim
}

// admitRequest refuses a request over the rate or size limit. The
// cluster's own components (users named system:…) are never limited, so a
// learner's burst cannot make the nodes look dead.
func (l *limiter) admitRequest(r *http.Request, user string) error {
	if l == nil || strings.HasPrefix(user, "system:") {
		return nil
	}
	if l.rate != nil && !l.rate.TryAccept() {
		return apierrors.NewTooManyRequests("this sandbox is sending requests too fast; try again in a moment", 1)
	}
	if l.MaxRequestBytes > 0 && r.ContentLength > l.MaxRequestBytes {
		return apierrors.NewRequestEntityTooLargeError(fmt.Sprintf("limit is %d", l.MaxRequestBytes))
	}
	return nil
}

// admitCreate refuses a create when the cluster already holds MaxObjects,
// counting creates admitted but not yet stored: so N objects fit and the
// N+1st is refused even when creates race. The count and the reservation
// are one step under the limiter's lock; the write itself (which may wait in
// the pacer) is not, so a paused create never holds up the others. The
// caller calls release when its write has finished, stored or not.
func (s *Server) admitCreate(ctx context.Context, resource string) (release func(), err error) {
	l := s.limits
	if resource == "events" || l == nil || l.MaxObjects <= 0 {
		return func() {}, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// Events are the components' diary, not the learner's objects: they do
	// not count, so a busy sandbox never locks itself out.
	root := strings.TrimSuffix(s.Store.Prefix(), "/")
	all, err := s.Store.Client().Get(ctx, root+"/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	events, err := s.Store.Client().Get(ctx, root+"/events/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	if n := all.Count - events.Count; n+l.pending >= l.MaxObjects {
		return nil, apierrors.NewForbidden(schema.GroupResource{}, "", fmt.Errorf("this sandbox already holds %d objects, its limit; delete some first", l.MaxObjects))
	}
	l.pending++
	return func() {
		l.mu.Lock()
		l.pending--
		l.mu.Unlock()
	}, nil
}
