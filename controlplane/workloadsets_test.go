package controlplane_test

// DaemonSets and StatefulSets as kubectl sees them, before any controller
// acts: created from manifests (apps/v1 and the old apps/v1beta2), listed
// with kube's columns and short names, defaulted as kube defaults them, and
// a StatefulSet scaled through its scale subresource.

import (
	"regexp"
	"strings"
	"testing"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

const logsDaemonSet = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: logs
spec:
  selector:
    matchLabels: {app: logs}
  template:
    metadata:
      labels: {app: logs}
    spec:
      nodeSelector: {disk: ssd}
      containers:
      - name: agent
        image: fluentd
`

const webStatefulSet = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 0
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx
`

func TestKubectlServesDaemonSetsAndStatefulSetsWithKubesColumnsAndDefaults(t *testing.T) {
	t.Parallel()
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.Start(t)
			run := func(stdin string, args ...string) string {
				t.Helper()
				out, err := c.Kubectl(bin, "admin", stdin, args...)
				if err != nil {
					t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return out
			}
			if out := run(logsDaemonSet, "apply", "-f", "-"); !strings.Contains(out, "daemonset.apps/logs created") {
				t.Errorf("apply daemonset printed %q", out)
			}
			if out := run(webStatefulSet, "apply", "-f", "-"); !strings.Contains(out, "statefulset.apps/web created") {
				t.Errorf("apply statefulset printed %q", out)
			}
			out := run("", "get", "ds")
			if !regexp.MustCompile(`NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE`).MatchString(out) ||
				!regexp.MustCompile(`logs\s+0\s+0\s+0\s+0\s+0\s+disk=ssd\s+\d+s`).MatchString(out) {
				t.Errorf("get ds printed\n%s", out)
			}
			out = run("", "get", "sts")
			if !regexp.MustCompile(`NAME\s+READY\s+AGE`).MatchString(out) || !regexp.MustCompile(`web\s+0/0\s+\d+s`).MatchString(out) {
				t.Errorf("get sts printed\n%s", out)
			}
			out = run("", "get", "all")
			if !strings.Contains(out, "daemonset.apps/logs") || !strings.Contains(out, "statefulset.apps/web") {
				t.Errorf("get all lacks the daemonset or the statefulset:\n%s", out)
			}
			out = run("", "get", "ds", "logs", "-o", "yaml")
			for _, want := range []string{"type: RollingUpdate", "maxUnavailable: 1", "maxSurge: 0", "revisionHistoryLimit: 10"} {
				if !strings.Contains(out, want) {
					t.Errorf("daemonset lacks default %q:\n%s", want, out)
				}
			}
			out = run("", "get", "sts", "web", "-o", "yaml")
			for _, want := range []string{"podManagementPolicy: OrderedReady", "partition: 0", "revisionHistoryLimit: 10", "whenScaled: Retain"} {
				if !strings.Contains(out, want) {
					t.Errorf("statefulset lacks default %q:\n%s", want, out)
				}
			}
			if out := run("", "explain", "statefulset.spec.podManagementPolicy"); !strings.Contains(out, "OrderedReady") {
				t.Errorf("explain statefulset.spec.podManagementPolicy printed\n%s", out)
			}
			if out := run("", "explain", "ds.spec.updateStrategy"); !strings.Contains(out, "rollingUpdate") {
				t.Errorf("explain ds.spec.updateStrategy printed\n%s", out)
			}
			if out := run("", "describe", "sts", "web"); !strings.Contains(out, "Update Strategy:") || !strings.Contains(out, "Pods Status:") {
				t.Errorf("describe sts printed\n%s", out)
			}
			if out := run("", "describe", "ds", "logs"); !strings.Contains(out, "Desired Number of Nodes Scheduled: 0") {
				t.Errorf("describe ds printed\n%s", out)
			}
			if out := run("", "scale", "sts", "web", "--replicas=3"); !strings.Contains(out, "statefulset.apps/web scaled") {
				t.Errorf("scale printed %q", out)
			}
			if out := run("", "get", "sts", "web", "-o", "jsonpath={.spec.replicas}"); out != "3" {
				t.Errorf("replicas after scale = %q, want 3", out)
			}
			bad := strings.Replace(logsDaemonSet, "labels: {app: logs}", "labels: {app: other}", 1)
			bad = strings.Replace(bad, "name: logs", "name: bad", 1)
			if out, err := c.Kubectl(bin, "admin", bad, "create", "-f", "-"); err == nil ||
				!strings.Contains(out, "`selector` does not match template `labels`") {
				t.Errorf("a daemonset whose selector misses its template was created: %v\n%s", err, out)
			}
			old := strings.Replace(strings.Replace(webStatefulSet, "apps/v1", "apps/v1beta2", 1), "name: web", "name: db", 1)
			out = run(old, "create", "-f", "-")
			if !strings.Contains(out, "statefulset.apps/db created") || !strings.Contains(out, "apps/v1beta2 StatefulSet is deprecated") {
				t.Errorf("create apps/v1beta2 statefulset printed %q", out)
			}
			if out := run("", "get", "sts", "db", "-o", "jsonpath={.apiVersion} {.spec.podManagementPolicy}"); out != "apps/v1 OrderedReady" {
				t.Errorf("the apps/v1beta2 statefulset reads back as %q", out)
			}
		})
	}
}
