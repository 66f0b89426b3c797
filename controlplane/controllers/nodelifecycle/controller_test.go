package nodelifecycle

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// fixture is a controller over a fake clientset whose informer caches hold objects.
func fixture(t *testing.T, objects ...runtime.Object) (*Controller, *fake.Clientset) {
	t.Helper()
	client := fake.NewClientset(objects...)
	factory := informers.NewSharedInformerFactory(client, 0)
	c := New(client, factory, nil, Options{GracePeriod: 40 * time.Second})
	for _, obj := range objects {
		var err error
		switch o := obj.(type) {
		case *corev1.Node:
			err = factory.Core().V1().Nodes().Informer().GetStore().Add(o)
		case *corev1.Pod:
			err = factory.Core().V1().Pods().Informer().GetStore().Add(o)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	client.ClearActions()
	return c, client
}

func readyNode(name string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady"}}}}
}

func runningPod(name, node string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: types.UID("uid-" + name)},
		Spec:   corev1.PodSpec{NodeName: node},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}}
}

// actions names the writes the controller made: "update nodes/status" …
func actions(client *fake.Clientset) []string {
	var out []string
	for _, a := range client.Actions() {
		name := a.GetVerb() + " " + a.GetResource().Resource
		if a.GetSubresource() != "" {
			name += "/" + a.GetSubresource()
		}
		out = append(out, name)
	}
	return out
}

func TestSyncMarksASilentNodeUnknownTaintsItAndEvictsItsPods(t *testing.T) {
	c, client := fixture(t, readyNode("node-2"), runningPod("web", "node-2"), runningPod("other", "node-1"))
	c.probes["node-2"] = probe{seen: time.Now().Add(-time.Minute)}
	if _, err := c.syncNode(context.Background(), "node-2"); err != nil {
		t.Fatal(err)
	}
	want := []string{"update nodes/status", "update pods/status", "update nodes", "update pods/status", "delete pods"}
	got := actions(client)
	if len(got) != len(want) {
		t.Fatalf("actions %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("actions %v, want %v", got, want)
		}
	}
	node := client.Actions()[0].(k8stesting.UpdateAction).GetObject().(*corev1.Node)
	if c := node.Status.Conditions[0]; c.Status != corev1.ConditionUnknown || c.Reason != "NodeStatusUnknown" || c.Message != "Kubelet stopped posting node status." {
		t.Errorf("Ready condition %+v", c)
	}
	tainted := client.Actions()[2].(k8stesting.UpdateAction).GetObject().(*corev1.Node)
	if len(tainted.Spec.Taints) != 2 || tainted.Spec.Taints[1].Key != corev1.TaintNodeUnreachable || tainted.Spec.Taints[1].Effect != corev1.TaintEffectNoExecute {
		t.Errorf("taints %+v", tainted.Spec.Taints)
	}
	if del := client.Actions()[4].(k8stesting.DeleteAction); del.GetName() != "web" {
		t.Errorf("deleted %s, want web (the pod on node-1 stays)", del.GetName())
	}
}

func TestSyncLeavesANodeWithAFreshLeaseAlone(t *testing.T) {
	c, client := fixture(t, readyNode("node-1"), runningPod("web", "node-1"))
	c.probes["node-1"] = probe{seen: time.Now().Add(-time.Second)}
	next, err := c.syncNode(context.Background(), "node-1")
	if err != nil || len(client.Actions()) != 0 {
		t.Errorf("actions %v, err %v", actions(client), err)
	}
	if next <= 30*time.Second || next > 40*time.Second {
		t.Errorf("looks again after %v, want when the grace period would run out", next)
	}
}

func TestSyncLiftsTheTaintsWhenTheKubeletIsBack(t *testing.T) {
	node := readyNode("node-2")
	node.Spec.Taints = unreachableTaints(time.Now())
	c, client := fixture(t, node)
	c.probes["node-2"] = probe{seen: time.Now()}
	if _, err := c.syncNode(context.Background(), "node-2"); err != nil {
		t.Fatal(err)
	}
	got := actions(client)
	if len(got) != 1 || got[0] != "update nodes" {
		t.Fatalf("actions %v, want one node update", got)
	}
	if n := client.Actions()[0].(k8stesting.UpdateAction).GetObject().(*corev1.Node); len(n.Spec.Taints) != 0 {
		t.Errorf("taints left: %+v", n.Spec.Taints)
	}
}
