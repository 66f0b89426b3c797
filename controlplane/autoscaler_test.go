package controlplane_test

// The HorizontalPodAutoscaler, made with `kubectl autoscale` by both real
// kubectls: busy pods make it scale a Deployment up to its maximum; once
// the pods go idle it scales back down to its minimum after the
// (accelerated) stabilization window, with kube's Events, and `kubectl get
// hpa` shows the TARGETS column as kube prints it.

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/kubernetes"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

func TestHorizontalPodAutoscalerScalesADeploymentUpUnderLoadAndBackDownWithBothKubectls(t *testing.T) {
	t.Parallel()
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := testcluster.StartCascade(t)
			cs := c.Client("admin")
			ctx := context.Background()
			must := kubectlRunner(t, c, bin)
			replicas := func() int32 {
				d, err := cs.AppsV1().Deployments("default").Get(ctx, "web", metav1.GetOptions{})
				if err != nil || d.Spec.Replicas == nil {
					return -1
				}
				return *d.Spec.Replicas
			}

			// A Deployment whose pods spin: each uses its 200m limit, 200%
			// of its 100m request.
			must("", "create", "deployment", "web", "--image=busybox", "--", "sh", "-c", "while true; do :; done")
			must("", "set", "resources", "deployment", "web", "--requests=cpu=100m", "--limits=cpu=200m")
			out := must("", "autoscale", "deployment", "web", "--cpu-percent=50", "--min=1", "--max=5")
			if !strings.Contains(out, "horizontalpodautoscaler.autoscaling/web autoscaled") {
				t.Errorf("kubectl autoscale printed %q", out)
			}
			hpa, err := cs.AutoscalingV2().HorizontalPodAutoscalers("default").Get(ctx, "web", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if m := hpa.Spec.Metrics; len(m) != 1 || m[0].Resource == nil || m[0].Resource.Target.AverageUtilization == nil ||
				*m[0].Resource.Target.AverageUtilization != 50 || *hpa.Spec.MinReplicas != 1 || hpa.Spec.MaxReplicas != 5 ||
				*hpa.Spec.Behavior.ScaleDown.StabilizationWindowSeconds != 300 {
				t.Errorf("kubectl autoscale made %+v", hpa.Spec)
			}

			waitFor(t, "the autoscaler to scale web up to its maximum of 5", func() (bool, string) {
				n := replicas()
				return n == 5, fmt.Sprint("replicas ", n)
			})
			targets := regexp.MustCompile(`web\s+Deployment/web\s+cpu: (\d+)%/50%\s+1\s+5\s+\d\s+\d+s`)
			waitFor(t, "kubectl get hpa to show the utilization", func() (bool, string) {
				out, _ = c.Kubectl(bin, "admin", "", "get", "hpa")
				return targets.MatchString(out), out
			})
			if !regexp.MustCompile(`NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE`).MatchString(out) {
				t.Errorf("kubectl get hpa printed\n%s", out)
			}
			if u, _ := strconv.Atoi(targets.FindStringSubmatch(out)[1]); u < 150 || u > 200 {
				t.Errorf("busy pods limited to twice their request show cpu %d%%:\n%s", u, out)
			}
			waitEvent(t, cs, "SuccessfulRescale", "reason: cpu resource utilization (percentage of request) above target")
			hpa, _ = cs.AutoscalingV2().HorizontalPodAutoscalers("default").Get(ctx, "web", metav1.GetOptions{})
			if !hasCondition(hpa, autoscalingv2.ScalingLimited, "TooManyReplicas") || !hasCondition(hpa, autoscalingv2.ScalingActive, "ValidMetricFound") {
				t.Errorf("at its maximum, the autoscaler's conditions are %+v", hpa.Status.Conditions)
			}

			// The load stops: the pods now sleep. After the scale-down
			// window the autoscaler goes back to its minimum.
			must("", "patch", "deployment", "web", "--type=json", "-p",
				`[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["sleep","3600"]}]`)
			waitFor(t, "the autoscaler to scale web back down to 1", func() (bool, string) {
				n := replicas()
				return n == 1, fmt.Sprint("replicas ", n)
			})
			waitEvent(t, cs, "SuccessfulRescale", "New size: 1; reason: All metrics below target")
		})
	}
}

func hasCondition(hpa *autoscalingv2.HorizontalPodAutoscaler, t autoscalingv2.HorizontalPodAutoscalerConditionType, reason string) bool {
	for _, c := range hpa.Status.Conditions {
		if c.Type == t && c.Reason == reason {
			return true
		}
	}
	return false
}

// waitEvent waits for an Event about the autoscaler web with reason and a
// message containing text.
func waitEvent(t *testing.T, cs kubernetes.Interface, reason, text string) {
	t.Helper()
	sel := fields.Set{"involvedObject.kind": "HorizontalPodAutoscaler", "involvedObject.name": "web", "reason": reason}.AsSelector().String()
	waitFor(t, "event "+reason+" "+text, func() (bool, string) {
		list, err := cs.CoreV1().Events("default").List(context.Background(), metav1.ListOptions{FieldSelector: sel})
		if err != nil {
			return false, err.Error()
		}
		var seen []string
		for _, e := range list.Items {
			if strings.Contains(e.Message, text) && e.Source.Component == "horizontal-pod-autoscaler" {
				return true, ""
			}
			seen = append(seen, e.Message)
		}
		return false, strings.Join(seen, " | ")
	})
}
