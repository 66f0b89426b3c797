package kubelet

// Node registration. A node joins a cluster when its kubelet creates the Node
// object: its name, its labels (kubernetes.io/hostname, os, arch), its
// capacity (what the machine has) and allocatable (what pods may use; the
// scheduler fits pods against it), its addresses, what software it runs, and
// its conditions — Ready=True, and no memory, disk or PID pressure. If the
// Node already exists (the kubelet restarted), the kubelet takes it over and
// reports its status afresh.
//
// In Kubernetes the node IPAM controller assigns spec.podCIDR; Glassplane's
// kubelet brings its own, so a node's pod network is known from the start.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	goruntime "runtime"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// node is the Node this kubelet registers.
func (k *Kubelet) node(now time.Time) *corev1.Node {
	o := k.opts
	labels := map[string]string{
		corev1.LabelHostname: o.NodeName, corev1.LabelOSStable: "linux", corev1.LabelArchStable: goruntime.GOARCH,
		"beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": goruntime.GOARCH,
	}
	for key, v := range o.Labels {
		labels[key] = v
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: o.NodeName, Labels: labels, Annotations: map[string]string{
			"node.alpha.kubernetes.io/ttl":                           "0",
			"volumes.kubernetes.io/controller-managed-attach-detach": "true",
		}},
		Spec:   corev1.NodeSpec{PodCIDR: o.PodCIDR, PodCIDRs: []string{o.PodCIDR}},
		Status: k.nodeStatus(corev1.NodeStatus{}, now),
	}
}

// nodeStatus is the status the kubelet reports, on top of old.
func (k *Kubelet) nodeStatus(old corev1.NodeStatus, now time.Time) corev1.NodeStatus {
	o := k.opts
	resources := corev1.ResourceList{
		corev1.ResourceCPU: o.CPU, corev1.ResourceMemory: o.Memory,
		corev1.ResourcePods:             *resource.NewQuantity(o.Pods, resource.DecimalSI),
		corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
	}
	id := sha256.Sum256([]byte(o.NodeName))
	st := *old.DeepCopy()
	st.Capacity, st.Allocatable = resources, resources.DeepCopy()
	st.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: o.InternalIP}, {Type: corev1.NodeHostName, Address: o.NodeName}}
	st.DaemonEndpoints = corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: 10250}}
	st.NodeInfo = corev1.NodeSystemInfo{
		MachineID: hex.EncodeToString(id[:16]), SystemUUID: hex.EncodeToString(id[16:]), BootID: hex.EncodeToString(id[8:24]),
		KernelVersion: "6.8.0-glassplane", OSImage: "Debian GNU/Linux 12 (bookworm)",
		ContainerRuntimeVersion: RuntimeVersion, KubeletVersion: Version,
		OperatingSystem: "linux", Architecture: goruntime.GOARCH,
	}
	st.Conditions = nodeConditions(old.Conditions, now)
	return st
}

// nodeConditions are a healthy kubelet's node conditions; each heartbeat
// moves lastHeartbeatTime, and lastTransitionTime moves only on a change.
func nodeConditions(old []corev1.NodeCondition, now time.Time) []corev1.NodeCondition {
	want := []corev1.NodeCondition{
		{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientMemory", Message: "kubelet has sufficient memory available"},
		{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasNoDiskPressure", Message: "kubelet has no disk pressure"},
		{Type: corev1.NodePIDPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientPID", Message: "kubelet has sufficient PID available"},
		{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status"},
	}
	for i := range want {
		want[i].LastHeartbeatTime = stamp(now)
		want[i].LastTransitionTime = stamp(now)
		for _, c := range old {
			if c.Type == want[i].Type && c.Status == want[i].Status {
				want[i].LastTransitionTime = c.LastTransitionTime
			}
		}
	}
	return want
}

// nodeReady reports whether node's Ready condition is True.
func nodeReady(node *corev1.Node) bool {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// registerNode creates the Node, or takes over an existing one, retrying
// until it succeeds or ctx ends (kubelet: "Attempting to register node").
func (k *Kubelet) registerNode(ctx context.Context, client kubernetes.Interface, ev *eventRecorder) error {
	for {
		ctx := steps.WithCause(ctx, steps.Cause{Trace: steps.NewTrace()})
		node, err := k.tryRegister(ctx, client)
		if err == nil {
			ctx = k.step(ctx, steps.Step{Stage: steps.Status, Object: nodeObject(node), Message: steps.Msg(msgRegistered, "node", node.Name)})
			ref := nodeRef(k.opts.NodeName)
			ev.eventf(ctx, ref, corev1.EventTypeNormal, reasonStarting, "Starting kubelet.")
			ev.eventf(ctx, ref, corev1.EventTypeNormal, reasonNodeReady, "Node %s status is now: NodeReady", node.Name)
			return nil
		}
		k.step(ctx, steps.Step{Stage: steps.Status, Outcome: steps.Failed,
			Object:  steps.Object{APIVersion: "v1", Kind: "Node", Name: k.opts.NodeName},
			Message: steps.Msg(msgRegisterFail, "node", k.opts.NodeName, "error", err.Error())})
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func (k *Kubelet) tryRegister(ctx context.Context, client kubernetes.Interface) (*corev1.Node, error) {
	node, err := client.CoreV1().Nodes().Create(ctx, k.node(time.Now()), metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		return node, err
	}
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := client.CoreV1().Nodes().Get(ctx, k.opts.NodeName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		cur.Status = k.nodeStatus(cur.Status, time.Now())
		node, err = client.CoreV1().Nodes().UpdateStatus(ctx, cur, metav1.UpdateOptions{})
		return err
	})
	return node, err
}

// nodeRef is how kubelet's events name its node (kubelet uses the node's
// name as its UID).
func nodeRef(name string) *corev1.ObjectReference {
	return &corev1.ObjectReference{Kind: "Node", Name: name, UID: types.UID(name)}
}

// nodeObject and podObject name objects for steps.
func nodeObject(n *corev1.Node) steps.Object {
	return steps.Object{APIVersion: "v1", Kind: "Node", Name: n.Name, UID: string(n.UID), ResourceVersion: n.ResourceVersion}
}

func podObject(p *corev1.Pod) steps.Object {
	return steps.Object{APIVersion: "v1", Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: string(p.UID), ResourceVersion: p.ResourceVersion}
}
