package apiserver

// /healthz, /livez and /readyz answer like kube-apiserver's: "ok" with 200
// when every check passes; ?verbose lists each check as "[+]name ok" and
// ends "livez check passed"; a failing check gives 500, is listed as
// "[-]name failed: reason withheld" (the reason goes to the log, not to a
// stranger) and the answer ends "readyz check failed". /readyz/<name> runs
// one check. Load balancers, container HEALTHCHECKs and
// `kubectl get --raw '/readyz?verbose'` use them.
//
// The checks, by name:
//
//	ping           the server answers at all
//	etcd           a quorum read of etcd answers within 2 s
//	informer-sync  the caches the server serves from (RBAC's policy) are filled
//	components     no control plane component has stopped on an error
//
// /livez has ping and etcd; /readyz has every check; /healthz is /livez.

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// HealthCheck is one named check of /livez or /readyz.
type HealthCheck struct {
	Name  string
	Check func() error
}

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request, ready bool) {
	endpoint, only, _ := strings.Cut(strings.Trim(r.URL.Path, "/"), "/")
	checks := []HealthCheck{{"ping", func() error { return nil }}, {"etcd", s.etcdHealthy}}
	if ready {
		checks = append(checks, s.ReadyChecks...)
		if s.Ready != nil {
			checks = append(checks, HealthCheck{"controlplane-ready", s.Ready})
		}
	}
	if only != "" {
		checks = onlyCheck(checks, only)
		if checks == nil {
			http.NotFound(w, r)
			return
		}
	}
	var b strings.Builder
	failed := false
	for _, c := range checks {
		if err := c.Check(); err != nil {
			failed = true
			slog.Warn(endpoint+" check failed", "check", c.Name, "err", err)
			fmt.Fprintf(&b, "[-]%s failed: reason withheld\n", c.Name)
		} else {
			fmt.Fprintf(&b, "[+]%s ok\n", c.Name)
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if failed {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "%s%s check failed\n", b.String(), endpoint)
		return
	}
	if _, verbose := r.URL.Query()["verbose"]; verbose {
		fmt.Fprintf(w, "%s%s check passed\n", b.String(), endpoint)
		return
	}
	fmt.Fprint(w, "ok")
}

func onlyCheck(checks []HealthCheck, name string) []HealthCheck {
	for _, c := range checks {
		if c.Name == name {
			return []HealthCheck{c}
		}
	}
	return nil
}

func (s *Server) etcdHealthy() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := s.Store.Client().Get(ctx, "health")
	return err
}
