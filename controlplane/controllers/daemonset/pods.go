package daemonset

// Placing pods: the heart of the controller (kube's manage). For every node
// it asks placement whether the DaemonSet's pod should run there, then:
//
//	should run, no pod yet            create one for the node
//	may stay, pod there               keep the oldest; delete extra pods and
//	                                  failed ones (the next sync replaces them)
//	may not stay, pod there           delete it
//
// A pod whose node is gone is deleted too (kube leaves that to the pod
// garbage collector, which Glassplane does not run). A pod being deleted
// still holds its node: the replacement waits until it is gone.

import (
	"context"
	"errors"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/cache"

	"github.com/glassplane/glassplane/controlplane/controllers/controllerref"
)

// claimPods returns the pods ds owns (adopting matching orphans, releasing
// pods that no longer match), those being deleted included.
func (c *Controller) claimPods(ctx context.Context, ds *appsv1.DaemonSet) ([]*corev1.Pod, error) {
	selector, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil {
		return nil, nil // an invalid selector selects nothing; validation reports it
	}
	all, err := c.podLister.Pods(ds.Namespace).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	m := controllerref.ForPods(c.client, ds, controllerKind, selector, func(ctx context.Context) (metav1.Object, error) {
		return c.client.AppsV1().DaemonSets(ds.Namespace).Get(ctx, ds.Name, metav1.GetOptions{})
	})
	var owned []*corev1.Pod
	for _, pod := range all {
		ok, err := m.Claim(ctx, pod)
		if err != nil {
			return nil, err
		}
		if ok {
			owned = append(owned, pod)
		}
	}
	return owned, nil
}

// podsByNode groups pods by the node they are on or meant for, oldest first.
func podsByNode(pods []*corev1.Pod) map[string][]*corev1.Pod {
	out := map[string][]*corev1.Pod{}
	for _, p := range pods {
		if n := nodeOfPod(p); n != "" {
			out[n] = append(out[n], p)
		}
	}
	for _, ps := range out {
		sort.SliceStable(ps, func(i, j int) bool {
			return ps[i].CreationTimestamp.Before(&ps[j].CreationTimestamp)
		})
	}
	return out
}

// placement is what a sync changes: the nodes that need a pod and the pods
// that must go.
type placement struct {
	create []string
	delete []*corev1.Pod
	failed []*corev1.Pod // among delete: failed pods, worth a warning
}

// planPlacement is the pure part of placing: what to create and delete.
func planPlacement(ds *appsv1.DaemonSet, nodes []*corev1.Node, byNode map[string][]*corev1.Pod) placement {
	var p placement
	known := map[string]bool{}
	for _, node := range nodes {
		known[node.Name] = true
		shouldRun, shouldContinueRunning := nodeShouldRunDaemonPod(node, &ds.Spec.Template)
		pods := byNode[node.Name]
		switch {
		case shouldRun && len(pods) == 0:
			p.create = append(p.create, node.Name)
		case shouldContinueRunning:
			var running []*corev1.Pod
			for _, pod := range pods {
				switch {
				case pod.DeletionTimestamp != nil:
				case pod.Status.Phase == corev1.PodFailed:
					p.delete, p.failed = append(p.delete, pod), append(p.failed, pod)
				default:
					running = append(running, pod)
				}
			}
			if len(running) > 1 {
				p.delete = append(p.delete, running[1:]...) // keep the oldest
			}
		default:
			p.delete = append(p.delete, going(pods)...)
		}
	}
	for name, pods := range byNode {
		if !known[name] {
			p.delete = append(p.delete, going(pods)...)
		}
	}
	sort.Strings(p.create)
	return p
}

// going is the pods not already being deleted.
func going(pods []*corev1.Pod) []*corev1.Pod {
	var out []*corev1.Pod
	for _, p := range pods {
		if p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out
}

// placePods creates and deletes what planPlacement decided, and reports
// whether it decided anything.
func (c *Controller) placePods(ctx context.Context, key string, ds *appsv1.DaemonSet, found appsv1.DaemonSetStatus,
	nodes []*corev1.Node, byNode map[string][]*corev1.Pod, hash string) (bool, error) {
	p := planPlacement(ds, nodes, byNode)
	if len(p.create) == 0 && len(p.delete) == 0 {
		return false, nil
	}
	c.expectations.Expect(key, len(p.create), podKeys(p.delete))
	var errs []error
	if len(p.create) > 0 {
		wctx := c.decide(ctx, ds, found, "create a daemon pod on "+strings.Join(p.create, ", "))
		for i, node := range p.create {
			if err := c.createPod(wctx, ds, node, hash); err != nil {
				for range len(p.create) - i { // none of the rest will be seen
					c.expectations.CreationObserved(key)
				}
				errs = append(errs, err)
				break
			}
		}
	}
	if len(p.delete) > 0 {
		for _, pod := range p.failed {
			c.eventRecorder.Eventf(ds, corev1.EventTypeWarning, FailedDaemonPod,
				"Found failed daemon pod %s/%s on node %s, will try to kill it", pod.Namespace, pod.Name, pod.Spec.NodeName)
		}
		wctx := c.decide(ctx, ds, found, "delete the daemon pods on "+strings.Join(nodesOf(p.delete), ", "))
		errs = append(errs, c.deletePods(wctx, key, ds, p.delete))
	}
	return true, errors.Join(errs...)
}

// createPod creates ds's pod for node: its template, with the daemon
// tolerations and the revision hash, and an affinity for node alone.
func (c *Controller) createPod(ctx context.Context, ds *appsv1.DaemonSet, node, hash string) error {
	t := ds.Spec.Template.DeepCopy()
	addDaemonTolerations(&t.Spec)
	t.Spec.Affinity = affinityForNode(t.Spec.Affinity, node)
	podLabels := labels.Merge(t.Labels, labels.Set{appsv1.DefaultDaemonSetUniqueLabelKey: hash})
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: ds.Name + "-", Namespace: ds.Namespace,
			Labels: podLabels, Annotations: t.Annotations, Finalizers: t.Finalizers,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(ds, controllerKind)},
		},
		Spec: t.Spec,
	}
	created, err := c.client.CoreV1().Pods(ds.Namespace).Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		if !apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
			c.eventRecorder.Eventf(ds, corev1.EventTypeWarning, FailedCreate, "Error creating: %v", err)
		}
		return err
	}
	c.eventRecorder.Eventf(ds, corev1.EventTypeNormal, SuccessfulCreate, "Created pod: %v", created.Name)
	return nil
}

// deletePods deletes pods; those that are gone already count as seen.
func (c *Controller) deletePods(ctx context.Context, key string, ds *appsv1.DaemonSet, pods []*corev1.Pod) error {
	keys := podKeys(pods)
	for i, pod := range pods {
		err := c.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{})
		if apierrors.IsNotFound(err) {
			c.expectations.DeletionObserved(key, keys[i])
			continue
		}
		if err != nil {
			for _, k := range keys[i:] { // none of these will be seen going
				c.expectations.DeletionObserved(key, k)
			}
			c.eventRecorder.Eventf(ds, corev1.EventTypeWarning, FailedDelete, "Error deleting: %v", err)
			return err
		}
		c.eventRecorder.Eventf(ds, corev1.EventTypeNormal, SuccessfulDelete, "Deleted pod: %v", pod.Name)
	}
	return nil
}

func nodesOf(pods []*corev1.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, nodeOfPod(p))
	}
	sort.Strings(out)
	return out
}

// podKeys are the pods' namespace/name keys, by which deletions are expected.
func podKeys(pods []*corev1.Pod) []string {
	keys := make([]string, len(pods))
	for i, p := range pods {
		keys[i], _ = cache.MetaNamespaceKeyFunc(p)
	}
	return keys
}
