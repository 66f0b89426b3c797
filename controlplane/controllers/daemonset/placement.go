package daemonset

// Where a DaemonSet's pod belongs. A DaemonSet runs one pod on every node
// that its pod would fit: the node's name (if the template names one), the
// template's nodeSelector and required node affinity, and the node's taints
// against the pod's tolerations.
//
// Two answers come out (kube's NodeShouldRunDaemonPod): shouldRun — a pod
// should be started here — and shouldContinueRunning — a pod already here
// may stay. They differ for taints: a NoSchedule taint keeps a new pod away
// but leaves a running one alone; only an untolerated NoExecute taint sends
// it off. Every daemon pod also tolerates the taints the node lifecycle
// controller puts on a sick node (not-ready and unreachable, NoExecute, with
// no time limit), so a DaemonSet's pod is never evicted from a node that
// stops answering: it stays, not Ready, until the node comes back.
//
// The controller does not bind its pods itself. It gives each pod a required
// node affinity for exactly one node (metadata.name In [node]) and lets the
// scheduler bind it there, as kube has done since 1.12.

import (
	corev1 "k8s.io/api/core/v1"
	v1helper "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	"k8s.io/klog/v2"
)

// daemonTolerations are the tolerations kube adds to every daemon pod
// (AddOrUpdateDaemonPodTolerations).
var daemonTolerations = []corev1.Toleration{
	{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
	{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
	{Key: corev1.TaintNodeDiskPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
	{Key: corev1.TaintNodeMemoryPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
	{Key: corev1.TaintNodePIDPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
	{Key: corev1.TaintNodeUnschedulable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
}

// hostNetworkToleration is added for pods on the host's network, which
// run before the node's network is.
var hostNetworkToleration = corev1.Toleration{Key: corev1.TaintNodeNetworkUnavailable,
	Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}

// addDaemonTolerations adds the daemon tolerations spec lacks.
func addDaemonTolerations(spec *corev1.PodSpec) {
	want := daemonTolerations
	if spec.HostNetwork {
		want = append(want[:len(want):len(want)], hostNetworkToleration)
	}
	for _, t := range want {
		if !hasToleration(spec.Tolerations, t) {
			spec.Tolerations = append(spec.Tolerations, t)
		}
	}
}

func hasToleration(ts []corev1.Toleration, t corev1.Toleration) bool {
	for _, have := range ts {
		if have.MatchToleration(&t) {
			return true
		}
	}
	return false
}

// nodeShouldRunDaemonPod says whether a pod of template should start on node,
// and whether one already there may stay.
func nodeShouldRunDaemonPod(node *corev1.Node, template *corev1.PodTemplateSpec) (shouldRun, shouldContinueRunning bool) {
	pod := &corev1.Pod{Spec: *template.Spec.DeepCopy()}
	addDaemonTolerations(&pod.Spec)
	if pod.Spec.NodeName != "" && pod.Spec.NodeName != node.Name {
		return false, false
	}
	if fits, err := nodeaffinity.GetRequiredNodeAffinity(pod).Match(node); err != nil || !fits {
		return false, false
	}
	_, untolerated := v1helper.FindMatchingUntoleratedTaint(klog.Background(), node.Spec.Taints, pod.Spec.Tolerations, func(t *corev1.Taint) bool {
		return t.Effect == corev1.TaintEffectNoExecute || t.Effect == corev1.TaintEffectNoSchedule
	}, false)
	if !untolerated {
		return true, true
	}
	_, untolerated = v1helper.FindMatchingUntoleratedTaint(klog.Background(), node.Spec.Taints, pod.Spec.Tolerations, func(t *corev1.Taint) bool {
		return t.Effect == corev1.TaintEffectNoExecute
	}, false)
	return false, !untolerated
}

// affinityForNode replaces any required node affinity with one term that
// selects exactly node, by name (kube's ReplaceDaemonSetPodNodeNameNodeAffinity;
// the template's own node selector and affinity already chose the node).
func affinityForNode(affinity *corev1.Affinity, node string) *corev1.Affinity {
	term := corev1.NodeSelectorTerm{MatchFields: []corev1.NodeSelectorRequirement{{
		Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{node}}}}
	if affinity == nil {
		affinity = &corev1.Affinity{}
	}
	if affinity.NodeAffinity == nil {
		affinity.NodeAffinity = &corev1.NodeAffinity{}
	}
	affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{term}}
	return affinity
}

// nodeOfPod is the node a daemon pod is on, or is meant for while the
// scheduler has not bound it yet.
func nodeOfPod(pod *corev1.Pod) string {
	if pod.Spec.NodeName != "" {
		return pod.Spec.NodeName
	}
	a := pod.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return ""
	}
	for _, term := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, f := range term.MatchFields {
			if f.Key == "metadata.name" && f.Operator == corev1.NodeSelectorOpIn && len(f.Values) == 1 {
				return f.Values[0]
			}
		}
	}
	return ""
}
