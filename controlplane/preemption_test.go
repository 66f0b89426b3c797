package controlplane_test

// Priority and preemption, through both real kubectls: PriorityClasses are
// served (with the two system classes every cluster has), the Priority
// admission plugin turns a pod's class into spec.priority and refuses a
// class that does not exist, and a pod that fits nowhere preempts a pod of
// lower priority, which is told why in an Event.

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

const priorityManifests = `apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: low
value: 100
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high
value: 1000000
description: for the pods that must run
`

// pinnedPod asks for 3 of node-1's 4 CPUs, so two cannot share it.
func pinnedPod(name, class string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata:
  name: %s
spec:
  priorityClassName: %s
  nodeSelector:
    kubernetes.io/hostname: node-1
  containers:
  - name: app
    image: nginx:1.27
    resources:
      requests: {cpu: "3"}
`, name, class)
}

func TestAHigherPriorityPodPreemptsALowerOneWithBothKubectls(t *testing.T) {
	t.Parallel()
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := testcluster.StartCascade(t)
			cs := c.Client("admin")
			ctx := context.Background()
			must := kubectlRunner(t, c, bin)
			if out := must("", "get", "priorityclasses"); !strings.Contains(out, "system-node-critical") || !strings.Contains(out, "2000001000") || !strings.Contains(out, "PREEMPTIONPOLICY") {
				t.Errorf("kubectl get priorityclasses:\n%s", out)
			}
			must(priorityManifests, "apply", "-f", "-")

			out, err := c.Kubectl(bin, "admin", pinnedPod("nobody", "missing"), "apply", "-f", "-")
			if err == nil || !strings.Contains(out, "no PriorityClass with name missing was found") {
				t.Errorf("a pod naming a missing class: %v\n%s", err, out)
			}
			out, err = c.Kubectl(bin, "admin", "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: huge\nvalue: 2000000000\n", "apply", "-f", "-")
			if err == nil || !strings.Contains(out, "maximum allowed value of a user defined priority is 1000000000") {
				t.Errorf("a class above the user maximum: %v\n%s", err, out)
			}

			must(pinnedPod("batch", "low"), "apply", "-f", "-")
			waitFor(t, "pod batch to run on node-1", func() (bool, string) {
				p, err := cs.CoreV1().Pods("default").Get(ctx, "batch", metav1.GetOptions{})
				if err != nil {
					return false, err.Error()
				}
				return p.Status.Phase == corev1.PodRunning, string(p.Status.Phase)
			})
			if p, _ := cs.CoreV1().Pods("default").Get(ctx, "batch", metav1.GetOptions{}); p.Spec.Priority == nil || *p.Spec.Priority != 100 {
				t.Errorf("pod batch has priority %v, want 100 from class low", p.Spec.Priority)
			}

			must(pinnedPod("important", "high"), "apply", "-f", "-")
			t.Cleanup(func() {
				if t.Failed() {
					out, _ := c.Kubectl(bin, "admin", "", "describe", "pods")
					ev, _ := c.Kubectl(bin, "admin", "", "get", "events")
					t.Logf("pods:\n%s\nevents:\n%s", out, ev)
				}
			})
			waitFor(t, "pod important to run on node-1 in batch's place", func() (bool, string) {
				p, err := cs.CoreV1().Pods("default").Get(ctx, "important", metav1.GetOptions{})
				if err != nil {
					return false, err.Error()
				}
				return p.Status.Phase == corev1.PodRunning && p.Spec.NodeName == "node-1", fmt.Sprintf("%s on %q", p.Status.Phase, p.Spec.NodeName)
			})
			if _, err := cs.CoreV1().Pods("default").Get(ctx, "batch", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				t.Errorf("the preempted pod batch is still there: %v", err)
			}
			important, _ := cs.CoreV1().Pods("default").Get(ctx, "important", metav1.GetOptions{})
			events, err := cs.CoreV1().Events("default").List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=batch,reason=Preempted"})
			if err != nil || len(events.Items) == 0 {
				t.Fatalf("no Preempted event for batch: %v", err)
			}
			if want := fmt.Sprintf("Preempted by pod %s on node node-1", important.UID); events.Items[0].Message != want {
				t.Errorf("Preempted event says %q, want %q", events.Items[0].Message, want)
			}
		})
	}
}
