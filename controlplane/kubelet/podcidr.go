package kubelet

// Pod IPs. Every node owns a slice of the cluster's pod network, its
// podCIDR (10.244.1.0/24 for node-1), and every pod on the node gets an
// address from it. In Kubernetes the kubelet asks the CNI plugin to set up
// the pod's network; the common host-local IPAM hands out addresses in order,
// skipping the network address and .1 (the node's bridge), and takes an
// address back when the pod's sandbox is torn down. podCIDR does the same,
// so pods on node-1 get 10.244.1.2, 10.244.1.3, … and a freed address is
// reused only after the others have had their turn.

import (
	"fmt"
	"net/netip"
	"sync"

	"k8s.io/apimachinery/pkg/types"
)

// podCIDR allocates the pod IPs of one node.
type podCIDR struct {
	prefix netip.Prefix

	mu    sync.Mutex // guards the fields below
	next  netip.Addr // where the search for a free address starts
	inUse map[netip.Addr]types.UID
	byPod map[types.UID]netip.Addr
}

func newPodCIDR(cidr string) (*podCIDR, error) {
	prefix, err := netip.ParsePrefix(cidr)
	if err != nil {
		return nil, fmt.Errorf("podCIDR %q: %w", cidr, err)
	}
	prefix = prefix.Masked()
	if !prefix.Addr().Is4() || prefix.Bits() > 30 {
		return nil, fmt.Errorf("podCIDR %q must be an IPv4 network of at least 4 addresses", cidr)
	}
	return &podCIDR{prefix: prefix, next: first(prefix),
		inUse: map[netip.Addr]types.UID{}, byPod: map[types.UID]netip.Addr{}}, nil
}

// first is the first address given to pods: the network address + 2.
func first(p netip.Prefix) netip.Addr { return p.Addr().Next().Next() }

// broadcast reports whether a is the last address of p.
func broadcast(p netip.Prefix, a netip.Addr) bool { return !p.Contains(a.Next()) }

// Allocate returns the IP of the pod with uid, giving it the next free one
// if it has none yet.
func (c *podCIDR) Allocate(uid types.UID) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ip, ok := c.byPod[uid]; ok {
		return ip.String(), nil
	}
	a := c.next
	for range 1 << (32 - c.prefix.Bits()) {
		if !c.prefix.Contains(a) || broadcast(c.prefix, a) {
			a = first(c.prefix)
		}
		if _, taken := c.inUse[a]; !taken {
			c.inUse[a], c.byPod[uid] = uid, a
			c.next = a.Next()
			return a.String(), nil
		}
		a = a.Next()
	}
	return "", fmt.Errorf("failed to allocate for range 0: no IP addresses available in range set: %s-%s",
		first(c.prefix), lastUsable(c.prefix))
}

func lastUsable(p netip.Prefix) netip.Addr {
	a := first(p)
	for !broadcast(p, a.Next()) {
		a = a.Next()
	}
	return a
}

// Release frees the IP of the pod with uid (if it has one).
func (c *podCIDR) Release(uid types.UID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ip, ok := c.byPod[uid]; ok {
		delete(c.byPod, uid)
		delete(c.inUse, ip)
	}
}

// Contains reports whether ip is in the node's podCIDR.
func (c *podCIDR) Contains(ip string) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && c.prefix.Contains(a)
}
