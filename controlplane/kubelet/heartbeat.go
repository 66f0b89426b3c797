package kubelet

// Heartbeats. A node proves it is alive in two ways. The cheap one is its
// Lease: a small object in the kube-node-lease namespace, named for the node,
// whose spec.renewTime the kubelet moves forward every LeaseInterval (10s in
// Kubernetes). The node lifecycle controller watches the Leases; a Lease not
// renewed for its grace period (40s) makes the node NotReady. The other is
// node status: the conditions, each with a lastHeartbeatTime. Writing the
// whole Node is expensive, so the kubelet reports status only when it
// changed — for instance when the controller marked the node Unknown while
// the kubelet was away — or every StatusInterval.
//
// Rules: only Run starts the heartbeat, and it stops with Run's context; a
// stopped kubelet renews nothing, which is exactly what a failed node does.

import (
	"context"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// NodeLeaseNamespace is where nodes keep their Leases.
const NodeLeaseNamespace = corev1.NamespaceNodeLease

// heartbeat renews the Lease every LeaseInterval and reports node status
// when needed, until ctx ends.
func (k *Kubelet) heartbeat(ctx context.Context, client kubernetes.Interface, nodes corelisters.NodeLister, ev *eventRecorder) {
	var lease *coordinationv1.Lease
	lastStatus := time.Now() // registration just reported it
	tick := time.NewTicker(k.opts.LeaseInterval)
	defer tick.Stop()
	for {
		lease = k.renewLease(ctx, client, lease)
		if node, err := nodes.Get(k.opts.NodeName); err == nil &&
			(!nodeReady(node) || time.Since(lastStatus) >= k.opts.StatusInterval) {
			if k.reportNodeStatus(ctx, client, node, ev) == nil {
				lastStatus = time.Now()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// renewLease moves the Lease's renewTime to now, creating the Lease if there
// is none. It returns the Lease as written, or nil to start afresh next time.
func (k *Kubelet) renewLease(ctx context.Context, client kubernetes.Interface, lease *coordinationv1.Lease) *coordinationv1.Lease {
	leases := client.CoordinationV1().Leases(NodeLeaseNamespace)
	now := metav1.NewMicroTime(time.Now())
	if lease == nil {
		cur, err := leases.Get(ctx, k.opts.NodeName, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			out, err := leases.Create(ctx, k.newLease(ctx, client, now), metav1.CreateOptions{})
			if err != nil {
				return nil
			}
			return out
		}
		if err != nil {
			return nil
		}
		lease = cur
	}
	lease = lease.DeepCopy()
	lease.Spec.RenewTime = &now
	lease.Spec.HolderIdentity = ptr.To(k.opts.NodeName)
	lease.Spec.LeaseDurationSeconds = ptr.To(k.leaseDurationSeconds())
	out, err := leases.Update(ctx, lease, metav1.UpdateOptions{})
	if err != nil {
		return nil // a conflict or a lost Lease: read it again next time
	}
	return out
}

// newLease is the node's Lease, owned by its Node so that deleting the Node
// deletes the Lease.
func (k *Kubelet) newLease(ctx context.Context, client kubernetes.Interface, now metav1.MicroTime) *coordinationv1.Lease {
	lease := &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: k.opts.NodeName, Namespace: NodeLeaseNamespace},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: ptr.To(k.opts.NodeName),
			LeaseDurationSeconds: ptr.To(k.leaseDurationSeconds()), RenewTime: &now},
	}
	if node, err := client.CoreV1().Nodes().Get(ctx, k.opts.NodeName, metav1.GetOptions{}); err == nil {
		lease.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: node.Name, UID: node.UID}}
	}
	return lease
}

// leaseDurationSeconds is four lease intervals, as kubelet's 40s for 10s.
func (k *Kubelet) leaseDurationSeconds() int32 {
	return int32(max(1, (4*k.opts.LeaseInterval).Round(time.Second)/time.Second))
}

// reportNodeStatus writes the node's conditions with a fresh heartbeat.
func (k *Kubelet) reportNodeStatus(ctx context.Context, client kubernetes.Interface, node *corev1.Node, ev *eventRecorder) error {
	wasReady := nodeReady(node)
	node = node.DeepCopy()
	node.Status = k.nodeStatus(node.Status, time.Now())
	ctx = steps.WithCause(ctx, steps.Cause{Trace: steps.NewTrace()})
	ctx = k.step(ctx, steps.Step{Stage: steps.Status, Object: nodeObject(node),
		Message: steps.Msg(msgNodeStatus, "node", node.Name, "ready", "True")})
	_, err := client.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{})
	if err == nil && !wasReady {
		ev.eventf(ctx, nodeRef(node.Name), corev1.EventTypeNormal, reasonNodeReady, "Node %s status is now: NodeReady", node.Name)
	}
	return err
}
