// Networking: Ingresses (HTTP routes from outside the cluster to Services)
// and IngressClasses (which ingress controller acts on an Ingress). The
// columns are kube's; ADDRESS stays empty until an ingress controller writes
// the load balancer's address into status, as in any cluster without one.
package printers

import (
	"fmt"
	"slices"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var ingressColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Class", Type: "string", Description: "The name of the IngressClass resource that should be used for additional configuration"},
	{Name: "Hosts", Type: "string", Description: "Hosts that incoming requests are matched against before the ingress rule"},
	{Name: "Address", Type: "string", Description: "Address is a list containing ingress points for the load-balancer"},
	{Name: "Ports", Type: "string", Description: "Ports of TLS configurations that open"},
	ageColumn,
}

var ingressClassColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Controller", Type: "string", Description: "Controller that is responsible for handling this class"},
	{Name: "Parameters", Type: "string", Description: "A reference to a resource with additional parameters"},
	ageColumn,
}

func init() {
	register(ingressColumns, printIngress)
	register(ingressClassColumns, printIngressClass)
}

func printIngress(ing *networkingv1.Ingress) metav1.TableRow {
	class := "<none>"
	if ing.Spec.IngressClassName != nil {
		class = *ing.Spec.IngressClassName
	}
	ports := "80"
	if len(ing.Spec.TLS) != 0 {
		ports = "80, 443"
	}
	return cells(ing.Name, class, ingressHosts(ing.Spec.Rules), ingressAddress(ing.Status.LoadBalancer), ports, age(ing.CreationTimestamp))
}

// ingressHosts lists up to three rule hosts, "*" when no rule names one.
func ingressHosts(rules []networkingv1.IngressRule) string {
	const most = 3
	var hosts []string
	for _, r := range rules {
		if r.Host != "" && len(hosts) < most {
			hosts = append(hosts, r.Host)
		}
	}
	if len(hosts) == 0 {
		return "*"
	}
	out := strings.Join(hosts, ",")
	if len(rules) > most {
		out += fmt.Sprintf(" + %d more...", len(rules)-most)
	}
	return out
}

func ingressAddress(lb networkingv1.IngressLoadBalancerStatus) string {
	var addrs []string
	for _, i := range lb.Ingress {
		if i.IP != "" {
			addrs = append(addrs, i.IP)
		} else if i.Hostname != "" {
			addrs = append(addrs, i.Hostname)
		}
	}
	slices.Sort(addrs)
	addrs = slices.Compact(addrs)
	return strings.Join(addrs, ",")
}

func printIngressClass(ic *networkingv1.IngressClass) metav1.TableRow {
	params := "<none>"
	if p := ic.Spec.Parameters; p != nil {
		params = p.Kind
		if p.APIGroup != nil {
			params += "." + *p.APIGroup
		}
		params += "/" + p.Name
	}
	return cells(ic.Name, ic.Spec.Controller, params, age(ic.CreationTimestamp))
}
