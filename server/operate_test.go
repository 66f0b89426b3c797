package server_test

// What an operator scrapes from the web port: /metrics in Prometheus' text
// format and the local cluster's /livez and /readyz, with no token.

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestWebPortServesMetricsAndTheLocalClustersHealthChecks(t *testing.T) {
	t.Parallel()
	h := start(t)
	for path, wants := range map[string][]string{
		"/metrics":        {"glassplane_sandboxes", "glassplane_steps_emitted_total", "etcd_request_duration_seconds"},
		"/readyz?verbose": {"[+]etcd ok", "[+]informer-sync ok", "[+]components ok", "readyz check passed"},
		"/livez?verbose":  {"[+]ping ok", "[+]etcd ok", "livez check passed"},
		"/readyz/etcd":    {"ok"},
	} {
		resp, err := http.Get("http://" + h.web.Addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s answered %d:\n%s", path, resp.StatusCode, body)
		}
		for _, want := range wants {
			if !strings.Contains(string(body), want) {
				t.Errorf("GET %s lacks %q:\n%.2000s", path, want, body)
			}
		}
	}
}
