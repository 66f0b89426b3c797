package steps

import (
	"net/http"
	"strconv"
)

// Transport carries the cause in a request's context into the Trace and
// Parent headers, so the API server files the request under the same trace.
// Components wrap their client-go transport with it.
type Transport struct {
	Base http.RoundTripper
}

func (t Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if c, ok := CauseFrom(req.Context()); ok && c.Trace != "" {
		req = req.Clone(req.Context())
		req.Header.Set(TraceHeader, c.Trace)
		req.Header.Set(ParentHeader, strconv.FormatUint(c.Parent, 10))
	}
	return t.Base.RoundTrip(req)
}
