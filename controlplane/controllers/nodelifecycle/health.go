package nodelifecycle

// Node health. When a node's kubelet goes quiet, the controller writes down
// what it no longer knows: every node condition becomes Unknown with reason
// NodeStatusUnknown, `kubectl get nodes` shows the node NotReady, and the
// node's pods are marked not Ready. When the kubelet is back and reports the
// node Ready again, the controller lifts the taints it added (taints.go).

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

// Event reasons and messages, as kube's node lifecycle controller writes them.
const (
	reasonNodeNotReady = "NodeNotReady"
	reasonUnknown      = "NodeStatusUnknown"
	messageUnknown     = "Kubelet stopped posting node status."
	messagePodNotReady = "Node is not ready"
)

// markUnreachable makes node Unknown and tainted, and its pods not Ready.
// It returns the node as stored.
func (c *Controller) markUnreachable(ctx context.Context, node *corev1.Node, silent time.Duration) (*corev1.Node, error) {
	unknown := readyStatus(node) == corev1.ConditionUnknown
	tainted := hasTaints(node, unreachableTaints(time.Now()))
	if unknown && tainted {
		return node, nil
	}
	ctx = c.reconciled(ctx, node, "Node", trace.Reconcile{
		Desired:  "a Lease renewed within " + c.opts.GracePeriod.String(),
		Actual:   "the Lease was last renewed " + silent.Round(time.Second).String() + " ago",
		Decision: "mark the node Unknown, taint it unreachable and mark its pods not Ready",
	})
	if !unknown {
		updated, err := c.client.CoreV1().Nodes().UpdateStatus(ctx, withConditionsUnknown(node, time.Now()), metav1.UpdateOptions{})
		if err != nil {
			return nil, err
		}
		node = updated
		c.nodeEvents.Eventf(&corev1.ObjectReference{Kind: "Node", Name: node.Name, UID: node.UID}, corev1.EventTypeNormal,
			reasonNodeNotReady, "Node %s status is now: %s", node.Name, reasonNodeNotReady)
		if err := c.markPodsNotReady(ctx, node.Name); err != nil {
			return nil, err
		}
	}
	if !tainted {
		return c.client.CoreV1().Nodes().Update(ctx, withTaints(node, unreachableTaints(time.Now())), metav1.UpdateOptions{})
	}
	return node, nil
}

// markReachable lifts the unreachable taints from a node whose kubelet
// reports it Ready again.
func (c *Controller) markReachable(ctx context.Context, node *corev1.Node) (*corev1.Node, error) {
	if readyStatus(node) != corev1.ConditionTrue || !hasAnyTaint(node, unreachableTaints(time.Now())) {
		return node, nil
	}
	ctx = c.reconciled(ctx, node, "Node", trace.Reconcile{
		Desired:  "a Lease renewed within " + c.opts.GracePeriod.String(),
		Actual:   "the Lease is renewed and the kubelet reports Ready",
		Decision: "remove the unreachable taints",
	})
	return c.client.CoreV1().Nodes().Update(ctx, withoutTaints(node, unreachableTaints(time.Now())), metav1.UpdateOptions{})
}

// readyStatus is the status of node's Ready condition (Unknown if none).
func readyStatus(node *corev1.Node) corev1.ConditionStatus {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status
		}
	}
	return corev1.ConditionUnknown
}

// withConditionsUnknown is node with every condition Unknown, as kube's
// controller writes it: the heartbeat stays, the transition is now.
func withConditionsUnknown(node *corev1.Node, now time.Time) *corev1.Node {
	node = node.DeepCopy()
	if len(node.Status.Conditions) == 0 {
		node.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady}}
	}
	for i := range node.Status.Conditions {
		c := &node.Status.Conditions[i]
		c.Status, c.Reason, c.Message = corev1.ConditionUnknown, reasonUnknown, messageUnknown
		c.LastTransitionTime = metav1.NewTime(now)
	}
	return node
}

// markPodsNotReady sets Ready=False on every pod of the node.
func (c *Controller) markPodsNotReady(ctx context.Context, node string) error {
	pods, err := c.podsOn(node)
	if err != nil {
		return err
	}
	for _, pod := range pods {
		i := podReady(pod)
		if i < 0 || pod.Status.Conditions[i].Status == corev1.ConditionFalse {
			continue
		}
		pod = pod.DeepCopy()
		pod.Status.Conditions[i].Status = corev1.ConditionFalse
		pod.Status.Conditions[i].LastTransitionTime = metav1.Now()
		if _, err := c.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
			return err
		}
		c.nodeEvents.Event(pod, corev1.EventTypeWarning, reasonNodeNotReady, messagePodNotReady)
	}
	return nil
}

// podReady is the index of pod's Ready condition, or -1.
func podReady(pod *corev1.Pod) int {
	for i, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return i
		}
	}
	return -1
}
