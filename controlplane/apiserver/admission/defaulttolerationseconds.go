package admission

// DefaultTolerationSeconds (kubernetes/plugin/pkg/admission/
// defaulttolerationseconds) decides how long a pod stays on a node that has
// stopped answering.
//
// When a node goes NotReady or Unreachable, the node lifecycle controller
// taints it node.kubernetes.io/not-ready or .../unreachable with effect
// NoExecute, which evicts every pod that does not tolerate the taint. This
// plugin gives each pod that has not said otherwise a toleration of both for
// 300 seconds: a short network blip does not kill the pod, but five minutes
// later its ReplicaSet gets to replace it on a healthy node.

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

// DefaultTolerationSecondsValue is kube's default for both tolerations.
const DefaultTolerationSecondsValue int64 = 300

// DefaultTolerationSeconds is the mutating plugin of the same name.
type DefaultTolerationSeconds struct{}

func (DefaultTolerationSeconds) Name() string   { return "DefaultTolerationSeconds" }
func (DefaultTolerationSeconds) Mutating() bool { return true }

func (DefaultTolerationSeconds) Admit(_ context.Context, a *Attributes) error {
	pod, ok := a.Object.(*corev1.Pod)
	if !ok || a.Subresource != "" {
		return nil
	}
	for _, key := range []string{corev1.TaintNodeNotReady, corev1.TaintNodeUnreachable} {
		if !toleratesNoExecute(pod.Spec.Tolerations, key) {
			pod.Spec.Tolerations = append(pod.Spec.Tolerations, corev1.Toleration{Key: key,
				Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute,
				TolerationSeconds: ptr.To(DefaultTolerationSecondsValue)})
		}
	}
	return nil
}

// toleratesNoExecute: a toleration with this key (or no key) and effect
// NoExecute (or no effect) already covers the taint.
func toleratesNoExecute(tolerations []corev1.Toleration, key string) bool {
	for _, t := range tolerations {
		if (t.Key == key || t.Key == "") && (t.Effect == corev1.TaintEffectNoExecute || t.Effect == "") {
			return true
		}
	}
	return false
}
