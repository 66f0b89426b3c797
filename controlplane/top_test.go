package controlplane_test

// kubectl top, through both real kubectls, against the metrics.k8s.io API
// the API server serves from its simulated kubelets: a busy pod shows about
// the CPU its limit allows, an idle one almost none, and nodes add up their
// pods.

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// busyPod is a pod whose shell loop never sleeps, limited to cpuLimit.
func busyPod(name, cpuLimit string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"load": "busy"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "spin", Image: "busybox",
			Command: []string{"sh", "-c", "while true; do :; done"},
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("16Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpuLimit), corev1.ResourceMemory: resource.MustParse("32Mi")},
			}}}}}
}

// milli reads the millicores of a `kubectl top` CPU column ("498m").
func milli(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSuffix(s, "m"))
	if err != nil {
		t.Fatalf("CPU %q: %v", s, err)
	}
	return n
}

func TestKubectlTopShowsSimulatedUsageWithinLimitsWithBothKubectls(t *testing.T) {
	t.Parallel()
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := testcluster.StartCascade(t)
			cs := c.Client("admin")
			ctx := context.Background()
			if _, err := cs.CoreV1().Pods("default").Create(ctx, busyPod("spin", "500m"), metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			if out, err := c.Kubectl(bin, "admin", "", "run", "idle", "--image=busybox", "--", "sleep", "3600"); err != nil {
				t.Fatalf("kubectl run: %v\n%s", err, out)
			}
			var out string
			row := regexp.MustCompile(`(?m)^spin\s+(\d+m)\s+(\d+)Mi\s*$`)
			waitFor(t, "kubectl top pods to show both pods", func() (bool, string) {
				out, _ = c.Kubectl(bin, "admin", "", "top", "pods")
				return row.MatchString(out) && regexp.MustCompile(`(?m)^idle\s+\d+m\s+\d+Mi`).MatchString(out), out
			})
			if !regexp.MustCompile(`NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)`).MatchString(out) {
				t.Errorf("kubectl top pods printed\n%s", out)
			}
			m := row.FindStringSubmatch(out)
			if cpu := milli(t, m[1]); cpu < 450 || cpu > 500 {
				t.Errorf("the busy pod uses %dm, want about its 500m limit and never more:\n%s", cpu, out)
			}
			if mem, _ := strconv.Atoi(m[2]); mem > 32 {
				t.Errorf("the busy pod uses %dMi, above its 32Mi limit", mem)
			}
			idle := regexp.MustCompile(`(?m)^idle\s+(\d+m)`).FindStringSubmatch(out)
			if cpu := milli(t, idle[1]); cpu > 5 {
				t.Errorf("a pod that sleeps uses %dm:\n%s", cpu, out)
			}

			out, err := c.Kubectl(bin, "admin", "", "top", "pod", "spin", "--containers")
			if err != nil || !regexp.MustCompile(`POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)`).MatchString(out) ||
				!regexp.MustCompile(`spin\s+spin\s+\d+m`).MatchString(out) {
				t.Errorf("kubectl top pod spin --containers: %v\n%s", err, out)
			}
			out, err = c.Kubectl(bin, "admin", "", "top", "pods", "-A", "-l", "load=busy")
			if err != nil || !regexp.MustCompile(`NAMESPACE\s+NAME`).MatchString(out) || !strings.Contains(out, "spin") || strings.Contains(out, "idle") {
				t.Errorf("kubectl top pods -A -l load=busy: %v\n%s", err, out)
			}

			// Nodes: one of them carries the busy pod on top of its own use.
			out, err = c.Kubectl(bin, "admin", "", "top", "nodes")
			if err != nil || !regexp.MustCompile(`NAME\s+CPU\(cores\)\s+CPU\(?%\)?\s+MEMORY\(bytes\)\s+MEMORY\(?%\)?`).MatchString(out) {
				t.Fatalf("kubectl top nodes: %v\n%s", err, out)
			}
			busiest := 0
			for _, m := range regexp.MustCompile(`(?m)^node-\d\s+(\d+)m\s+\d+%`).FindAllStringSubmatch(out, -1) {
				busiest = max(busiest, milli(t, m[1]))
			}
			if busiest < 500 {
				t.Errorf("no node shows the busy pod's CPU:\n%s", out)
			}

			// bob may view, and view includes the metrics (as kube's
			// system:aggregated-metrics-reader aggregates into it).
			if out, err := c.Kubectl(bin, "bob", "", "top", "pods"); err != nil || !strings.Contains(out, "spin") {
				t.Errorf("bob's kubectl top pods: %v\n%s", err, out)
			}
		})
	}
}
