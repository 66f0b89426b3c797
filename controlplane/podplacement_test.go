package controlplane_test

// Inter-pod affinity and topology spread, as a user meets them: manifests
// applied with both kubectls to a cluster of three simulated nodes.

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// placement maps node → pods there, for the bound, undeleted pods selected.
func placement(t *testing.T, cs kubernetes.Interface, selector string) (map[string]int, []corev1.Pod) {
	t.Helper()
	l, err := cs.CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		t.Fatal(err)
	}
	nodes := map[string]int{}
	var pending []corev1.Pod
	for _, p := range l.Items {
		switch {
		case p.DeletionTimestamp != nil:
		case p.Spec.NodeName == "":
			pending = append(pending, p)
		default:
			nodes[p.Spec.NodeName]++
		}
	}
	return nodes, pending
}

const antiAffinityDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchLabels: {app: web}
            topologyKey: kubernetes.io/hostname
      containers:
      - name: web
        image: nginx
`

func TestPodAntiAffinitySpreadsReplicasOverNodesAndLeavesTheFourthPending(t *testing.T) {
	t.Parallel()
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.StartCascade(t)
			cs := c.Client("admin")
			run := kubectlRunner(t, c, bin)
			run(antiAffinityDeployment, "apply", "-f", "-")
			waitUntil(t, "three web pods, one on each node", func() bool {
				nodes, _ := placement(t, cs, "app=web")
				return len(nodes) == 3 && nodes["node-1"] == 1 && nodes["node-2"] == 1 && nodes["node-3"] == 1
			})

			run("", "scale", "deployment/web", "--replicas=4")
			want := "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. " +
				"preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."
			var pending string
			waitUntil(t, "the fourth pod marked unschedulable", func() bool {
				_, waiting := placement(t, cs, "app=web")
				if len(waiting) != 1 {
					return false
				}
				pending = waiting[0].Name
				for _, cond := range waiting[0].Status.Conditions {
					if cond.Type == corev1.PodScheduled && cond.Status == corev1.ConditionFalse && cond.Message == want {
						return true
					}
				}
				return false
			})
			waitUntil(t, "a FailedScheduling event with kube's message", func() bool {
				out, err := c.Kubectl(bin, "admin", "", "describe", "pod", pending)
				return err == nil && strings.Contains(out, "FailedScheduling") && strings.Contains(out, "didn't match pod anti-affinity rules")
			})
			if nodes, _ := placement(t, cs, "app=web"); len(nodes) != 3 {
				t.Errorf("the replicas share a node: %v", nodes)
			}
		})
	}
}

// The spread rule wins over a strong wish: every replica prefers node-1,
// yet with maxSkew 1 over hostnames six replicas land two on each node.
const spreadDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: spread
spec:
  replicas: 6
  selector:
    matchLabels: {app: spread}
  template:
    metadata:
      labels: {app: spread}
    spec:
      affinity:
        nodeAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            preference:
              matchExpressions:
              - {key: kubernetes.io/hostname, operator: In, values: [node-1]}
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: kubernetes.io/hostname
        whenUnsatisfiable: DoNotSchedule
        labelSelector:
          matchLabels: {app: spread}
      containers:
      - name: web
        image: nginx
`

func TestTopologySpreadWithMaxSkewOneBalancesReplicasOverNodes(t *testing.T) {
	t.Parallel()
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.StartCascade(t)
			cs := c.Client("admin")
			kubectlRunner(t, c, bin)(spreadDeployment, "apply", "-f", "-")
			var nodes map[string]int
			waitUntil(t, "six spread pods bound", func() bool {
				var pending []corev1.Pod
				nodes, pending = placement(t, cs, "app=spread")
				return len(pending) == 0 && total(nodes) == 6
			})
			if got := perNode(nodes); got != "node-1=2 node-2=2 node-3=2" {
				t.Errorf("replicas per node: %s, want two on each", got)
			}
		})
	}
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func perNode(m map[string]int) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

const cacheAndFriend = `apiVersion: v1
kind: Pod
metadata:
  name: cache
  labels: {app: cache}
spec:
  nodeSelector: {kubernetes.io/hostname: node-3}
  containers:
  - name: cache
    image: redis
---
apiVersion: v1
kind: Pod
metadata:
  name: friend
spec:
  affinity:
    podAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          labelSelector:
            matchLabels: {app: cache}
          topologyKey: kubernetes.io/hostname
  containers:
  - name: app
    image: nginx
`

// node-3 is the busiest node (it runs the cache) and the last by name, so
// only the preferred pod affinity can make the scheduler choose it.
func TestPreferredPodAffinityScoresTheNodeOfTheMatchingPodHighest(t *testing.T) {
	t.Parallel()
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.StartCascade(t)
			cs := c.Client("admin")
			run := kubectlRunner(t, c, bin)
			docs := strings.SplitN(cacheAndFriend, "---\n", 2)
			run(docs[0], "apply", "-f", "-")
			waitUntil(t, "the cache pod bound", func() bool {
				nodes, _ := placement(t, cs, "app=cache")
				return nodes["node-3"] == 1
			})
			run(docs[1], "apply", "-f", "-")
			var node string
			waitUntil(t, "the friend pod bound", func() bool {
				p, err := cs.CoreV1().Pods("default").Get(context.Background(), "friend", metav1.GetOptions{})
				node = ""
				if err == nil {
					node = p.Spec.NodeName
				}
				return node != ""
			})
			if node != "node-3" {
				t.Errorf("friend went to %s, want node-3 where the cache runs", node)
			}
		})
	}
}

func TestKubectlShowsWhyASpreadConstraintWithMaxSkewZeroIsInvalid(t *testing.T) {
	t.Parallel()
	manifest := strings.Replace(strings.Replace(spreadDeployment, "maxSkew: 1", "maxSkew: 0", 1), "replicas: 6", "replicas: 1", 1)
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.Start(t)
			out, err := c.Kubectl(bin, "admin", manifest, "apply", "-f", "-")
			want := `The Deployment "spread" is invalid: spec.template.spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero`
			if err == nil || !strings.Contains(out, want) {
				t.Errorf("kubectl apply printed %q (err %v), want %q", out, err, want)
			}
		})
	}
}
