package controlplane_test

import (
	"context"
	"regexp"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// A quota's status says what the namespace uses, kept current by the
// resource quota controller, and kubectl describe quota shows it.
func TestDescribeQuotaShowsWhatTheNamespaceUses(t *testing.T) {
	t.Parallel()
	c := testcluster.StartCascade(t)
	cs := c.Client("admin")
	ctx := context.Background()
	q := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "small", Namespace: "default"},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{
			"pods": resource.MustParse("5"), "configmaps": resource.MustParse("10"), "count/deployments.apps": resource.MustParse("2"),
		}}}
	if _, err := cs.CoreV1().ResourceQuotas("default").Create(ctx, q, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if out, err := c.Kubectl([]string{testcluster.GlassplaneBinary(t), "kubectl"}, "admin", string(readSeed(t)), "create", "-f", "-"); err != nil {
		t.Fatalf("creating the seed: %v\n%s", err, out)
	}
	createConfigMap := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "counted", Namespace: "default"}}
	if _, err := cs.CoreV1().ConfigMaps("default").Create(ctx, createConfigMap, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	used := func(name corev1.ResourceName) int64 {
		got, err := cs.CoreV1().ResourceQuotas("default").Get(ctx, "small", metav1.GetOptions{})
		if err != nil {
			return -1
		}
		v, ok := got.Status.Used[name]
		if !ok {
			return -1
		}
		return v.Value()
	}
	// kube-root-ca.crt and counted; the seed's Deployment and its pod.
	waitUntil(t, "the quota's status counting 2 configmaps, 1 Deployment and 1 pod", func() bool {
		return used("configmaps") == 2 && used("count/deployments.apps") == 1 && used("pods") == 1
	})
	for name, bin := range kubectls(t) {
		out, err := c.Kubectl(bin, "admin", "", "describe", "quota", "small")
		for _, row := range []string{`configmaps\s+2\s+10`, `count/deployments\.apps\s+1\s+2`, `pods\s+1\s+5`} {
			if err != nil || !regexp.MustCompile(row).MatchString(out) {
				t.Errorf("%s describe quota lacks %s: %v\n%s", name, row, err, out)
			}
		}
	}
	if err := cs.CoreV1().ConfigMaps("default").Delete(ctx, "counted", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the quota's status counting the deletion", func() bool { return used("configmaps") == 1 })
}
