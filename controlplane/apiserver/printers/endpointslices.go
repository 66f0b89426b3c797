// EndpointSlices: the pod addresses behind a Service, in slices of at most a
// hundred, as kube-proxy and `kubectl describe service` read them. The
// columns are kube's: NAME, ADDRESSTYPE, PORTS, ENDPOINTS, AGE, with "<unset>"
// for what a slice does not say yet.
package printers

import (
	"fmt"
	"strconv"
	"strings"

	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var endpointSliceColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "AddressType", Type: "string", Description: discoveryv1.EndpointSlice{}.SwaggerDoc()["addressType"]},
	{Name: "Ports", Type: "string", Description: discoveryv1.EndpointSlice{}.SwaggerDoc()["ports"]},
	{Name: "Endpoints", Type: "string", Description: discoveryv1.EndpointSlice{}.SwaggerDoc()["endpoints"]},
	ageColumn,
}

func init() {
	register(endpointSliceColumns, printEndpointSlice)
}

func printEndpointSlice(es *discoveryv1.EndpointSlice) metav1.TableRow {
	return cells(es.Name, string(es.AddressType), slicePorts(es.Ports), sliceEndpoints(es.Endpoints), age(es.CreationTimestamp))
}

func slicePorts(ports []discoveryv1.EndpointPort) string {
	if len(ports) == 0 {
		return "<unset>"
	}
	var all []string
	for _, p := range ports {
		if p.Port == nil {
			all = append(all, "<unset>")
		} else {
			all = append(all, strconv.Itoa(int(*p.Port)))
		}
	}
	return firstFew(all)
}

func sliceEndpoints(eps []discoveryv1.Endpoint) string {
	if len(eps) == 0 {
		return "<unset>"
	}
	var all []string
	for _, ep := range eps {
		all = append(all, ep.Addresses...)
	}
	return firstFew(all)
}

// firstFew joins the first maxEndpointsShown of all and counts the rest.
func firstFew(all []string) string {
	if len(all) <= maxEndpointsShown {
		return strings.Join(all, ",")
	}
	return strings.Join(all[:maxEndpointsShown], ",") + fmt.Sprintf(" + %d more...", len(all)-maxEndpointsShown)
}
