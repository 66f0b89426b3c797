package server

// Cross-site requests. A web page on another site can make a student's
// browser send requests to this server: a form POST, a fetch, a websocket.
// Browsers mark every such request with an Origin header naming the page
// that made it, and a page's own requests carry its own origin. So a request
// that changes something (POST, PUT, PATCH, DELETE, or a websocket upgrade)
// is refused with 403 when it carries an Origin that is not this server's
// own scheme and host, before it can create a sandbox or touch one. Requests
// without an Origin come from scripts and kubectl-like tools, not from a
// page someone else controls, and pass.

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// sameOrigin accepts requests without an Origin and requests whose Origin is
// the scheme and host the request was sent to.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return strings.EqualFold(u.Scheme, scheme) && strings.EqualFold(u.Host, r.Host)
}

// changesState reports a request that acts rather than reads.
func changesState(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
	}
	return true
}

// requireSameOrigin refuses a state-changing request from another site.
func requireSameOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if r := c.Request(); changesState(r) && !sameOrigin(r) {
			return fail(c, http.StatusForbidden, "requests from another site ("+r.Header.Get("Origin")+") may not change this server; use Glassplane's own page")
		}
		return next(c)
	}
}
