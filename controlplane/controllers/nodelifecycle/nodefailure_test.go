package nodelifecycle_test

// A node fails for real: three kubelets against an in-process cluster, the
// node lifecycle controller with a one-second grace period, and node-2's
// kubelet stopped the way a machine dies.

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/controllers/nodelifecycle"
	"github.com/glassplane/glassplane/controlplane/kubelet"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// eventually polls cond for 30s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runKubelet runs k until the returned stop is called (or the test ends).
func runKubelet(t *testing.T, k *kubelet.Kubelet) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = k.Run(ctx) }()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}

func nodeCondition(cs kubernetes.Interface, name string) (corev1.NodeCondition, []corev1.Taint) {
	n, err := cs.CoreV1().Nodes().Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		return corev1.NodeCondition{}, nil
	}
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c, n.Spec.Taints
		}
	}
	return corev1.NodeCondition{}, n.Spec.Taints
}

func TestAStoppedKubeletsNodeTurnsUnknownAndItsPodsAreEvicted(t *testing.T) {
	c := testcluster.Start(t)
	ks, err := kubelet.NewNodes(3, c.ClientConfig, c.Steps, func(o *kubelet.Options) {
		o.LeaseInterval, o.PullDelay, o.StartDelay = 100*time.Millisecond, 0, 0
	})
	if err != nil {
		t.Fatal(err)
	}
	stops := map[string]func(){}
	for _, k := range ks {
		c.Kubelets.Add(k)
		stops[k.NodeName()] = runKubelet(t, k)
	}
	cfg, err := c.ClientConfig("system:kube-controller-manager")
	if err != nil {
		t.Fatal(err)
	}
	client := kubernetes.NewForConfigOrDie(cfg)
	factory := informers.NewSharedInformerFactory(client, 0)
	ctrl := nodelifecycle.New(client, factory, c.Steps, nodelifecycle.Options{GracePeriod: time.Second, EvictionTimeout: time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	factory.Start(ctx.Done())
	done := make(chan struct{})
	go func() { defer close(done); ctrl.Run(ctx, 2) }()
	t.Cleanup(func() { cancel(); <-done; factory.Shutdown() })

	cs := c.Client("admin")
	bg := context.Background()
	for name, node := range map[string]string{"doomed": "node-2", "safe": "node-1"} {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "web", Image: "nginx"}},
				Tolerations: []corev1.Toleration{{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists,
					Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](300)}}}}
		if _, err := cs.CoreV1().Pods("default").Create(bg, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "both pods run", func() bool {
		pods, _ := cs.CoreV1().Pods("default").List(bg, metav1.ListOptions{FieldSelector: "status.phase=Running"})
		return pods != nil && len(pods.Items) == 2
	})

	stops["node-2"]()
	eventually(t, "node-2 is Unknown and tainted unreachable", func() bool {
		ready, taints := nodeCondition(cs, "node-2")
		return ready.Status == corev1.ConditionUnknown && ready.Reason == "NodeStatusUnknown" && len(taints) == 2 &&
			taints[1].Key == corev1.TaintNodeUnreachable && taints[1].Effect == corev1.TaintEffectNoExecute
	})
	eventually(t, "the pod on node-2 is evicted after its (shortened) toleration", func() bool {
		p, err := cs.CoreV1().Pods("default").Get(bg, "doomed", metav1.GetOptions{})
		return err == nil && p.DeletionTimestamp != nil
	})
	// Events are written in the background by the event broadcaster.
	eventually(t, "one TaintManagerEviction event for the evicted pod", func() bool {
		evs, _ := cs.CoreV1().Events("default").List(bg, metav1.ListOptions{FieldSelector: "reason=TaintManagerEviction"})
		return evs != nil && len(evs.Items) == 1 && evs.Items[0].Message == "Marking for deletion Pod default/doomed"
	})
	if ready, taints := nodeCondition(cs, "node-1"); ready.Status != corev1.ConditionTrue || len(taints) != 0 {
		t.Errorf("node-1 was touched: %+v %v", ready, taints)
	}
	if p, err := cs.CoreV1().Pods("default").Get(bg, "safe", metav1.GetOptions{}); err != nil || p.DeletionTimestamp != nil {
		t.Errorf("the pod on node-1 was evicted: %v", err)
	}

	k2, _ := c.Kubelets.Kubelet("node-2")
	runKubelet(t, k2)
	eventually(t, "node-2 is Ready again without taints", func() bool {
		ready, taints := nodeCondition(cs, "node-2")
		return ready.Status == corev1.ConditionTrue && len(taints) == 0
	})
	eventually(t, "node-2's kubelet finishes deleting the evicted pod", func() bool {
		_, err := cs.CoreV1().Pods("default").Get(bg, "doomed", metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	})
}
