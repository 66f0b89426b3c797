package scheduler

// The scheduler's cache is its picture of the cluster: every node, and on
// each node the pods bound there, kept up to date by the informers. Each
// scheduling cycle works on a snapshot of it, so plugins see one consistent
// cluster even while watch events keep arriving.
//
// Assume is the cache's one trick, and kube-scheduler's: the moment the
// scheduler decides "pod P goes on node N", it writes P onto N in the cache,
// before the binding has reached the API server and long before the informer
// shows P bound. Without it the next cycle would see N as still empty and
// could promise the same CPU twice. When the informer later delivers the bound
// pod, it replaces the assumed one (same UID); if the binding fails, Forget
// takes the pod off again.
//
// Rules: all methods are safe for concurrent use (informer handlers and the
// scheduling loop call them); Snapshot returns clones the caller may read
// without the lock, and must not change.
//
// A snapshot clones only the nodes that changed since the last one, as
// kube-scheduler's UpdateSnapshot does by generation: a cycle assumes one
// pod onto one node and the informer confirms it there, so of a hundred
// nodes one or two are cloned again, not all of them every cycle.

import (
	"sort"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
)

type cache struct {
	mu    sync.Mutex // guards the fields below
	nodes map[string]*framework.NodeInfo
	// podNode remembers on which node each counted pod is, by UID; a pod may
	// arrive before its node, so a NodeInfo can exist with a nil Node.
	podNode map[types.UID]string
	assumed map[types.UID]bool
	// clones holds the clone the last snapshot made of each node that has
	// not changed since; a change drops the node's clone.
	clones map[string]*framework.NodeInfo
}

func newCache() *cache {
	return &cache{nodes: map[string]*framework.NodeInfo{}, podNode: map[types.UID]string{}, assumed: map[types.UID]bool{},
		clones: map[string]*framework.NodeInfo{}}
}

// nodeInfo returns node name's entry for a change, dropping its clone.
func (c *cache) nodeInfo(name string) *framework.NodeInfo {
	delete(c.clones, name)
	n, ok := c.nodes[name]
	if !ok {
		n = &framework.NodeInfo{}
		c.nodes[name] = n
	}
	return n
}

// AddNode adds or updates a node.
func (c *cache) AddNode(node *corev1.Node) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nodeInfo(node.Name).SetNode(node)
}

// RemoveNode forgets a node (its pods stay counted until they are deleted).
func (c *cache) RemoveNode(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.clones, name)
	if n, ok := c.nodes[name]; ok {
		if len(n.Pods) == 0 {
			delete(c.nodes, name)
		} else {
			n.SetNode(nil)
		}
	}
}

// AddPod counts a bound pod on its node, replacing an assumed or older copy.
func (c *cache) AddPod(pod *corev1.Pod) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removePodLocked(pod.UID)
	delete(c.assumed, pod.UID)
	c.nodeInfo(pod.Spec.NodeName).AddPod(pod)
	c.podNode[pod.UID] = pod.Spec.NodeName
}

// RemovePod stops counting a pod (deleted, or finished).
func (c *cache) RemovePod(uid types.UID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removePodLocked(uid)
	delete(c.assumed, uid)
}

// Assume counts pod on node before its binding is confirmed.
func (c *cache) Assume(pod *corev1.Pod, node string) {
	p := pod.DeepCopy()
	p.Spec.NodeName = node
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removePodLocked(p.UID)
	c.nodeInfo(node).AddPod(p)
	c.podNode[p.UID] = node
	c.assumed[p.UID] = true
}

// Forget undoes Assume when the binding failed. A pod the informer has
// already shown bound is left alone.
func (c *cache) Forget(uid types.UID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.assumed[uid] {
		c.removePodLocked(uid)
		delete(c.assumed, uid)
	}
}

func (c *cache) removePodLocked(uid types.UID) {
	name, ok := c.podNode[uid]
	if !ok {
		return
	}
	delete(c.podNode, uid)
	delete(c.clones, name)
	n := c.nodes[name]
	n.RemovePod(&corev1.Pod{ObjectMeta: podMeta(uid)})
	if n.Node == nil && len(n.Pods) == 0 {
		delete(c.nodes, name)
	}
}

// Snapshot returns a clone of every known node, sorted by name.
func (c *cache) Snapshot() []*framework.NodeInfo {
	c.mu.Lock()
	out := make([]*framework.NodeInfo, 0, len(c.nodes))
	for name, n := range c.nodes {
		if n.Node == nil {
			continue
		}
		clone, ok := c.clones[name]
		if !ok {
			clone = n.Clone()
			c.clones[name] = clone
		}
		out = append(out, clone)
	}
	c.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Node.Name < out[j].Node.Name })
	return out
}

func podMeta(uid types.UID) metav1.ObjectMeta { return metav1.ObjectMeta{UID: uid} }

// Counted reports whether the pod is already on a node in the cache (bound,
// or assumed and on its way).
func (c *cache) Counted(uid types.UID) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.podNode[uid]
	return ok
}
