package apiserver

// /healthz, /livez and /readyz answer like kube-apiserver's: "ok" with 200
// when healthy; ?verbose lists each check; an unhealthy check gives 500 and
// names it. Load balancers and `kubectl get --raw /readyz` use them.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request, ready func() error) {
	checks := []struct {
		name string
		fn   func() error
	}{{"ping", func() error { return nil }}, {"etcd", s.etcdHealthy}}
	if ready != nil {
		checks = append(checks, struct {
			name string
			fn   func() error
		}{"controlplane-ready", ready})
	}
	var b strings.Builder
	failed := false
	for _, c := range checks {
		if err := c.fn(); err != nil {
			failed = true
			fmt.Fprintf(&b, "[-]%s failed: %v\n", c.name, err)
		} else {
			fmt.Fprintf(&b, "[+]%s ok\n", c.name)
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	name := strings.Trim(r.URL.Path, "/")
	if failed {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "%s%s check failed\n", b.String(), name)
		return
	}
	if _, verbose := r.URL.Query()["verbose"]; verbose {
		fmt.Fprintf(w, "%s%s check passed\n", b.String(), name)
		return
	}
	fmt.Fprint(w, "ok")
}

func (s *Server) etcdHealthy() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := s.Store.Client().Get(ctx, "health")
	return err
}
