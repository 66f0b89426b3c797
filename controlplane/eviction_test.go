package controlplane_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// kubectl drain evicts, and an eviction asks the pods' disruption budget:
// with none to spare the drain is refused with kube's message and keeps the
// pod; with one to spare it evicts the pod and the ReplicaSet replaces it
// elsewhere — with both kubectls.
func TestDrainEvictsWithinThePodDisruptionBudget(t *testing.T) {
	t.Parallel()
	c := testcluster.StartCascade(t)
	cs := c.Client("admin")
	ctx := context.Background()
	if out, err := c.Kubectl([]string{testcluster.GlassplaneBinary(t), "kubectl"}, "admin", string(readSeed(t)), "create", "-f", "-"); err != nil {
		t.Fatalf("creating the seed: %v\n%s", err, out)
	}
	if _, err := cs.AppsV1().Deployments("default").Patch(ctx, "helloworld-deployment", "application/merge-patch+json",
		[]byte(`{"spec":{"replicas":3}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	three := intstr.FromInt32(3)
	pdb := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "hello", Namespace: "default"},
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: &three,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "helloworld-pod"}}}}
	if _, err := cs.PolicyV1().PodDisruptionBudgets("default").Create(ctx, pdb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	budget := func(min int32) {
		t.Helper()
		// A patch: the disruption controller writes the budget's status
		// meanwhile, and an update of a stale copy would conflict.
		patch := fmt.Sprintf(`{"spec":{"minAvailable":%d}}`, min)
		if _, err := cs.PolicyV1().PodDisruptionBudgets("default").Patch(ctx, "hello", "application/merge-patch+json",
			[]byte(patch), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, fmt.Sprintf("the budget's status with minAvailable %d", min), func() bool {
			got, err := cs.PolicyV1().PodDisruptionBudgets("default").Get(ctx, "hello", metav1.GetOptions{})
			return err == nil && got.Status.ObservedGeneration == got.Generation && got.Status.CurrentHealthy == 3 &&
				got.Status.DisruptionsAllowed == 3-min
		})
	}
	for name, bin := range kubectls(t) {
		waitUntil(t, "three pods running", func() bool { return len(runningPods(t, cs, "app=helloworld-pod")) == 3 })
		budget(3)
		pod := runningPods(t, cs, "app=helloworld-pod")[0]
		node := pod.Spec.NodeName
		out, err := c.Kubectl(bin, "admin", "", "drain", node, "--ignore-daemonsets", "--timeout=3s")
		if err == nil || !strings.Contains(out, "Cannot evict pod as it would violate the pod's disruption budget") {
			t.Errorf("%s drain with no disruption to spare: %v\n%s", name, err, out)
		}
		if _, err := cs.CoreV1().Pods("default").Get(ctx, pod.Name, metav1.GetOptions{}); err != nil {
			t.Errorf("%s: the refused eviction lost the pod: %v", name, err)
		}
		budget(2)
		out, err = c.Kubectl(bin, "admin", "", "drain", node, "--ignore-daemonsets", "--timeout=60s")
		if err != nil || !strings.Contains(out, "evicting pod default/"+pod.Name) || !strings.Contains(out, "pod/"+pod.Name+" evicted") {
			t.Errorf("%s drain with a disruption to spare: %v\n%s", name, err, out)
		}
		waitUntil(t, "a replacement running on another node", func() bool {
			pods := runningPods(t, cs, "app=helloworld-pod")
			for _, p := range pods {
				if p.Spec.NodeName == node {
					return false
				}
			}
			return len(pods) == 3
		})
		if out, err := c.Kubectl(bin, "admin", "", "uncordon", node); err != nil {
			t.Fatalf("uncordon: %v\n%s", err, out)
		}
	}
}
