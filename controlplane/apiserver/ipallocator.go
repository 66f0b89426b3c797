package apiserver

// A Service gets a virtual IP (its ClusterIP) from the service CIDR when it is
// created, and NodePort Services a port in 30000–32767 on every node. In
// kube-apiserver an allocator with a bitmap in etcd hands them out; Glassplane
// scans the Services it stores, which is plenty for a classroom-sized cluster.
// A node port is picked as kube picks it: at random among the free ones, so
// no one comes to rely on getting 30000. A ClusterIP is the lowest free
// address (kube picks those at random too), which keeps a lesson's addresses
// the same from one run to the next.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
)

// ServiceCIDR is where ClusterIPs come from; its first address belongs to
// the "kubernetes" Service.
var ServiceCIDR = netip.MustParsePrefix("10.96.0.0/16")

const nodePortLow, nodePortHigh = 30000, 32767

// allocateServiceAddresses fills in a new Service's ClusterIP and node ports.
func (s *Server) allocateServiceAddresses(ctx context.Context, svc *corev1.Service) error {
	if svc.Spec.Type == corev1.ServiceTypeExternalName || svc.Spec.ClusterIP == corev1.ClusterIPNone {
		return nil
	}
	res, _ := registry.Lookup("", "services")
	list, err := s.Store.List(ctx, res, registry.Selection{}, 0)
	if err != nil {
		return err
	}
	items, _ := meta.ExtractList(list)
	usedIPs, usedPorts := map[string]bool{}, map[int32]bool{}
	for _, item := range items {
		other := item.(*corev1.Service)
		usedIPs[other.Spec.ClusterIP] = true
		for _, p := range other.Spec.Ports {
			usedPorts[p.NodePort] = true
		}
	}
	if svc.Spec.ClusterIP == "" {
		ip, err := lowestFree(usedIPs)
		if err != nil {
			return err
		}
		svc.Spec.ClusterIP, svc.Spec.ClusterIPs = ip, []string{ip}
	}
	if svc.Spec.Type != corev1.ServiceTypeNodePort && svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		return nil
	}
	for i := range svc.Spec.Ports {
		if svc.Spec.Ports[i].NodePort != 0 {
			continue
		}
		port, ok := randomFreePort(usedPorts)
		if !ok {
			return apierrors.NewServiceUnavailable("no node port is free in 30000-32767")
		}
		svc.Spec.Ports[i].NodePort, usedPorts[port] = port, true
	}
	return nil
}

// randomFreePort picks a node port not in used: from a random place in the
// range, the first free one, wrapping around.
func randomFreePort(used map[int32]bool) (int32, bool) {
	size := int32(nodePortHigh - nodePortLow + 1)
	start := rand.Int32N(size)
	for i := range size {
		if p := nodePortLow + (start+i)%size; !used[p] {
			return p, true
		}
	}
	return 0, false
}

// lowestFree returns the lowest address of ServiceCIDR after the first that
// is not in used.
func lowestFree(used map[string]bool) (string, error) {
	ip := ServiceCIDR.Addr().Next().Next() // .0 is the network, .1 the kubernetes Service
	for ; ServiceCIDR.Contains(ip); ip = ip.Next() {
		if !used[ip.String()] {
			return ip.String(), nil
		}
	}
	return "", apierrors.NewServiceUnavailable(fmt.Sprintf("the service CIDR %s is full", ServiceCIDR))
}
