package scheduler

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	corelisters "k8s.io/client-go/listers/core/v1"
	toolscache "k8s.io/client-go/tools/cache"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
	"github.com/glassplane/glassplane/controlplane/scheduler/plugins"
)

// fixtureNode is a Ready node with cpu and memory allocatable and 110 pods.
func fixtureNode(name, cpu, mem string) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid-" + name), Labels: map[string]string{"kubernetes.io/hostname": name}},
		Status: corev1.NodeStatus{
			Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu),
				corev1.ResourceMemory: resource.MustParse(mem), corev1.ResourcePods: resource.MustParse("110")},
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}},
		},
	}
}

// fixturePod requests cpu (and nothing else) at a priority.
func fixturePod(name, cpu string, priority int32) *corev1.Pod {
	p := pendingPod(name, priority)
	p.Spec.Containers = []corev1.Container{{Name: "app", Image: "nginx", Resources: corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}}}}
	return p
}

func boundTo(p *corev1.Pod, node string) *corev1.Pod { p.Spec.NodeName = node; return p }

func TestUnschedulableMessageIsKubernetesMessage(t *testing.T) {
	never := corev1.PreemptNever
	tainted := fixtureNode("node-1", "4", "8Gi")
	tainted.Spec.Taints = []corev1.Taint{{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule}}
	cordoned := fixtureNode("node-2", "4", "8Gi")
	cordoned.Spec.Unschedulable = true
	tests := []struct {
		name  string
		pod   *corev1.Pod
		nodes []*framework.NodeInfo
		want  string
	}{
		{"no nodes at all", fixturePod("p", "1", 0), nil, "no nodes available to schedule pods"},
		{"more cpu than any node has", fixturePod("p", "100", 0), []*framework.NodeInfo{
			framework.NewNodeInfo(fixtureNode("node-1", "4", "8Gi")),
			framework.NewNodeInfo(fixtureNode("node-2", "4", "8Gi")),
			framework.NewNodeInfo(fixtureNode("node-3", "4", "8Gi")),
		}, "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."},
		{"nodes full of pods of the same priority", fixturePod("p", "2", 0), []*framework.NodeInfo{
			framework.NewNodeInfo(fixtureNode("node-1", "2", "8Gi"), boundTo(fixturePod("a", "1", 0), "node-1")),
			framework.NewNodeInfo(fixtureNode("node-2", "2", "8Gi"), boundTo(fixturePod("b", "1", 0), "node-2")),
		}, "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."},
		{"a taint, a cordon and a full node", fixturePod("p", "2", 0), []*framework.NodeInfo{
			framework.NewNodeInfo(tainted),
			framework.NewNodeInfo(cordoned),
			framework.NewNodeInfo(fixtureNode("node-3", "2", "8Gi"), boundTo(fixturePod("a", "1", 0), "node-3")),
		}, "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint(s), 1 node(s) were unschedulable. " +
			"preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling."},
		{"evicting lower-priority pods would still not be enough", fixturePod("p", "3", 100), []*framework.NodeInfo{
			framework.NewNodeInfo(fixtureNode("node-1", "4", "8Gi"),
				boundTo(fixturePod("low", "1", 0), "node-1"), boundTo(fixturePod("peer", "2", 100), "node-1")),
		}, "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu."},
		{"evicting lower-priority pods would make room: no preemption verdict", fixturePod("p", "3", 100), []*framework.NodeInfo{
			framework.NewNodeInfo(fixtureNode("node-1", "4", "8Gi"), boundTo(fixturePod("low", "2", 0), "node-1")),
		}, "0/1 nodes are available: 1 Insufficient cpu."},
	}
	neverPod := fixturePod("p", "100", 0)
	neverPod.Spec.PreemptionPolicy = &never
	tests = append(tests, struct {
		name  string
		pod   *corev1.Pod
		nodes []*framework.NodeInfo
		want  string
	}{"preemptionPolicy Never", neverPod, []*framework.NodeInfo{framework.NewNodeInfo(fixtureNode("node-1", "4", "8Gi"))},
		"0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."})
	web := func(name string, priority int32) *corev1.Pod {
		p := fixturePod(name, "100m", priority)
		p.Labels = map[string]string{"app": "web"}
		p.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}, TopologyKey: "kubernetes.io/hostname"}}}}
		return p
	}
	replicas := func(priority int32) []*framework.NodeInfo {
		var out []*framework.NodeInfo
		for _, n := range []string{"node-1", "node-2", "node-3"} {
			out = append(out, framework.NewNodeInfo(fixtureNode(n, "4", "8Gi"), boundTo(web("web-"+n, priority), n)))
		}
		return out
	}
	tests = append(tests, []struct {
		name  string
		pod   *corev1.Pod
		nodes []*framework.NodeInfo
		want  string
	}{
		{"a replica that repels the replica on every node", web("web-4", 0), replicas(0),
			"0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. " +
				"preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."},
		{"evicting a lower-priority replica would make room: no preemption verdict", web("web-4", 100), replicas(0),
			"0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules."},
	}...)

	s := &Scheduler{profile: plugins.DefaultProfile()}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := s.decide(tt.pod, tt.nodes)
			if d.selected != "" {
				t.Fatalf("selected %s, want no node", d.selected)
			}
			if got := unschedulableMessage(tt.pod, tt.nodes, d, s.profile); got != tt.want {
				t.Fatalf("message\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func TestDecideSpreadsByLeastAllocatedAndBreaksTiesByName(t *testing.T) {
	s := &Scheduler{profile: plugins.DefaultProfile()}
	busy := framework.NewNodeInfo(fixtureNode("node-a", "4", "8Gi"), boundTo(fixturePod("x", "2", 0), "node-a"))
	idle1 := framework.NewNodeInfo(fixtureNode("node-b", "4", "8Gi"))
	idle2 := framework.NewNodeInfo(fixtureNode("node-c", "4", "8Gi"))
	d := s.decide(fixturePod("p", "1", 0), []*framework.NodeInfo{busy, idle1, idle2})
	if d.selected != "node-b" {
		t.Fatalf("selected %s, want node-b (emptier than node-a, tied with node-c and first by name)", d.selected)
	}
	if d.nodes[0].Total >= d.nodes[1].Total {
		t.Errorf("busy node total %d should be below the idle one's %d", d.nodes[0].Total, d.nodes[1].Total)
	}
	want := map[string]bool{"NodeResourcesFit": true, "NodeResourcesBalancedAllocation": true, "TaintToleration": true, "NodeAffinity": true}
	for plugin := range d.nodes[1].Scores {
		delete(want, plugin)
	}
	if len(want) != 0 {
		t.Errorf("scores lack %v: %v", want, d.nodes[1].Scores)
	}
	if got := d.nodes[1].Scores["TaintToleration"]; got != 300 {
		t.Errorf("TaintToleration weighted score = %d, want 100×3", got)
	}
}

// The new plugins have their own rows in the decision table the filter step
// carries: a filter verdict on every node, and a score where they score.
func TestDecideShowsTopologySpreadAndInterPodAffinityRows(t *testing.T) {
	s := &Scheduler{profile: plugins.DefaultProfile()}
	cache := boundTo(fixturePod("cache", "100m", 0), "node-b")
	cache.Labels = map[string]string{"app": "cache"}
	p := fixturePod("p", "100m", 0)
	p.Labels = map[string]string{"app": "web"}
	p.Spec.Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
		Weight: 50, PodAffinityTerm: corev1.PodAffinityTerm{LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "cache"}},
			TopologyKey: "kubernetes.io/hostname"}}}}}
	p.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: "kubernetes.io/hostname",
		WhenUnsatisfiable: corev1.ScheduleAnyway, LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}
	d := s.decide(p, []*framework.NodeInfo{
		framework.NewNodeInfo(fixtureNode("node-a", "4", "8Gi")),
		framework.NewNodeInfo(fixtureNode("node-b", "4", "8Gi"), cache),
	})
	if d.selected != "node-b" {
		t.Errorf("selected %s, want node-b where the preferred cache runs", d.selected)
	}
	for _, row := range d.nodes {
		verdicts := map[string]string{}
		for _, f := range row.Filters {
			verdicts[f.Plugin] = f.Status
		}
		for _, plugin := range []string{"PodTopologySpread", "InterPodAffinity"} {
			if verdicts[plugin] != "Success" {
				t.Errorf("%s: %s filter row = %q, want Success", row.Name, plugin, verdicts[plugin])
			}
			if _, ok := row.Scores[plugin]; !ok {
				t.Errorf("%s: no %s score in %v", row.Name, plugin, row.Scores)
			}
		}
	}
	if got := d.nodes[1].Scores["InterPodAffinity"]; got != 200 {
		t.Errorf("node-b InterPodAffinity weighted score = %d, want 100×2", got)
	}
}

func TestAPodWithAnUnboundClaimGetsKubesOneLineMessage(t *testing.T) {
	indexer := toolscache.NewIndexer(toolscache.MetaNamespaceKeyFunc, toolscache.Indexers{})
	_ = indexer.Add(&corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "data", Namespace: "default"}})
	s := &Scheduler{profile: plugins.WithVolumeBinding(plugins.DefaultProfile(), corelisters.NewPersistentVolumeClaimLister(indexer))}
	pod := fixturePod("p", "1", 0)
	pod.Spec.Volumes = []corev1.Volume{{Name: "data",
		VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}}}}
	nodes := []*framework.NodeInfo{framework.NewNodeInfo(fixtureNode("node-1", "4", "8Gi")), framework.NewNodeInfo(fixtureNode("node-2", "4", "8Gi"))}
	d := s.decide(pod, nodes)
	want := "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."
	if got := unschedulableMessage(pod, nodes, d, s.profile); d.selected != "" || got != want {
		t.Fatalf("selected %q, message\n got: %s\nwant: %s", d.selected, got, want)
	}
	if v := d.nodes[0].Filters; len(v) != 1 || v[0].Plugin != "VolumeBinding" {
		t.Errorf("node-1's verdicts %+v, want VolumeBinding's alone", v)
	}
}
