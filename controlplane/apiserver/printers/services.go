// Services and Endpoints: a Service gives a stable virtual IP and ports to a
// set of pods chosen by a label selector; the Endpoints object lists the
// pod IP:port pairs currently behind it.
package printers

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

var serviceColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Type", Type: "string", Description: corev1.ServiceSpec{}.SwaggerDoc()["type"]},
	{Name: "Cluster-IP", Type: "string", Description: corev1.ServiceSpec{}.SwaggerDoc()["clusterIP"]},
	{Name: "External-IP", Type: "string", Description: corev1.ServiceSpec{}.SwaggerDoc()["externalIPs"]},
	{Name: "Port(s)", Type: "string", Description: corev1.ServiceSpec{}.SwaggerDoc()["ports"]},
	ageColumn,
	{Name: "Selector", Type: "string", Priority: 1, Description: corev1.ServiceSpec{}.SwaggerDoc()["selector"]},
}

var endpointsColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Endpoints", Type: "string", Description: corev1.Endpoints{}.SwaggerDoc()["subsets"]},
	ageColumn,
}

func init() {
	register(serviceColumns, printService)
	register(endpointsColumns, printEndpoints)
}

func printService(svc *corev1.Service) metav1.TableRow {
	clusterIP := "<none>"
	if len(svc.Spec.ClusterIPs) > 0 {
		clusterIP = svc.Spec.ClusterIPs[0]
	}
	return cells(
		svc.Name,
		string(svc.Spec.Type),
		clusterIP,
		serviceExternalIP(svc),
		orNone(servicePorts(svc.Spec.Ports)),
		age(svc.CreationTimestamp),
		labels.FormatLabels(svc.Spec.Selector), // "<none>" when empty
	)
}

// serviceExternalIP depends on the service type: LoadBalancers show their
// ingress IPs (or "<pending>"), ExternalName shows the DNS name.
func serviceExternalIP(svc *corev1.Service) string {
	switch svc.Spec.Type {
	case corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort:
		return orNone(strings.Join(svc.Spec.ExternalIPs, ","))
	case corev1.ServiceTypeLoadBalancer:
		ips := append(loadBalancerIPs(svc.Status.LoadBalancer), svc.Spec.ExternalIPs...)
		if len(ips) == 0 {
			return "<pending>"
		}
		return strings.Join(ips, ",")
	case corev1.ServiceTypeExternalName:
		return svc.Spec.ExternalName
	}
	return "<unknown>"
}

// loadBalancerIPs lists the sorted, unique IPs (or hostnames) of a load balancer.
func loadBalancerIPs(lb corev1.LoadBalancerStatus) []string {
	var ips []string
	for _, ing := range lb.Ingress {
		if ing.IP != "" {
			ips = append(ips, ing.IP)
		} else if ing.Hostname != "" {
			ips = append(ips, ing.Hostname)
		}
	}
	slices.Sort(ips)
	return slices.Compact(ips)
}

// servicePorts renders ports as "80/TCP" or, with a node port, "80:30080/TCP".
func servicePorts(ports []corev1.ServicePort) string {
	var pieces []string
	for _, p := range ports {
		if p.NodePort > 0 {
			pieces = append(pieces, fmt.Sprintf("%d:%d/%s", p.Port, p.NodePort, p.Protocol))
		} else {
			pieces = append(pieces, fmt.Sprintf("%d/%s", p.Port, p.Protocol))
		}
	}
	return strings.Join(pieces, ",")
}

func printEndpoints(ep *corev1.Endpoints) metav1.TableRow {
	return cells(ep.Name, formatEndpoints(ep), age(ep.CreationTimestamp))
}

// maxEndpointsShown is how many addresses the ENDPOINTS column lists before
// summarising the rest as "+ N more...".
const maxEndpointsShown = 3

// formatEndpoints lists ready addresses as "ip:port" ("ip" alone when the
// subset has no ports), e.g. "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...".
func formatEndpoints(ep *corev1.Endpoints) string {
	if len(ep.Subsets) == 0 {
		return "<none>"
	}
	var all []string
	for _, ss := range ep.Subsets {
		if len(ss.Ports) == 0 {
			for _, addr := range ss.Addresses {
				all = append(all, addr.IP)
			}
			continue
		}
		for _, port := range ss.Ports {
			for _, addr := range ss.Addresses {
				all = append(all, net.JoinHostPort(addr.IP, strconv.Itoa(int(port.Port))))
			}
		}
	}
	if len(all) > maxEndpointsShown {
		shown := strings.Join(all[:maxEndpointsShown], ",")
		return fmt.Sprintf("%s + %d more...", shown, len(all)-maxEndpointsShown)
	}
	return strings.Join(all, ",")
}
