package controlplane_test

// /metrics on the API port, as kube-apiserver serves it: cluster-admin may
// read it, a user who may only view may not, and the create a user just made
// is counted under kube's metric names and labels.

import (
	"strings"
	"testing"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

func TestAPIServerMetricsCountACreateWithKubesLabels(t *testing.T) {
	t.Parallel()
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.Start(t)
			if out, err := c.Kubectl(bin, "admin", "", "create", "configmap", "counted", "--from-literal=a=b"); err != nil {
				t.Fatalf("kubectl create configmap: %v\n%s", err, out)
			}
			out, err := c.Kubectl(bin, "admin", "", "get", "--raw", "/metrics")
			if err != nil {
				t.Fatalf("kubectl get --raw /metrics as admin: %v\n%s", err, out)
			}
			for _, want := range []string{
				`apiserver_request_total{code="201",component="apiserver",dry_run="",group="",resource="configmaps",scope="resource",subresource="",verb="POST",version="v1"}`,
				`apiserver_request_duration_seconds_count{component="apiserver",dry_run="",group="",resource="configmaps",scope="resource",subresource="",verb="POST",version="v1"}`,
				`etcd_request_duration_seconds_count{operation="create",type="configmaps"}`,
				`glassplane_steps_emitted_total`,
			} {
				if !strings.Contains(out, want) {
					t.Errorf("/metrics lacks %s", want)
				}
			}
			if out, err := c.Kubectl(bin, "bob", "", "get", "--raw", "/metrics"); err == nil || !strings.Contains(out, "Forbidden") {
				t.Errorf("bob (view) read /metrics: err %v\n%s", err, out)
			}
		})
	}
}
