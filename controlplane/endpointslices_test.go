package controlplane_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/controllers/endpointslice"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

const helloService = `apiVersion: v1
kind: Service
metadata:
  name: helloworld
spec:
  selector:
    app: helloworld-pod
  ports:
  - port: 80
    targetPort: 3000
`

// kubectl describe service reads EndpointSlices: with them served and kept
// by their controller it shows the pod's address, with both kubectls.
func TestDescribeServiceShowsItsPodsFromEndpointSlicesWithBothKubectls(t *testing.T) {
	t.Parallel()
	c := testcluster.StartCascade(t)
	cs := c.Client("admin")
	for _, doc := range []string{string(readSeed(t)), helloService} {
		if out, err := c.Kubectl([]string{testcluster.GlassplaneBinary(t), "kubectl"}, "admin", doc, "create", "-f", "-"); err != nil {
			t.Fatalf("creating: %v\n%s", err, out)
		}
	}
	var ip string
	waitUntil(t, "the seed's pod running with an IP", func() bool {
		pods := runningPods(t, cs, "app=helloworld-pod")
		if len(pods) == 1 {
			ip = pods[0].Status.PodIP
		}
		return ip != ""
	})
	var slice discoveryv1.EndpointSlice
	waitUntil(t, "the Service's EndpointSlice listing the pod as ready", func() bool {
		l, err := cs.DiscoveryV1().EndpointSlices("default").List(context.Background(), metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=helloworld"})
		if err != nil || len(l.Items) != 1 || len(l.Items[0].Endpoints) != 1 {
			return false
		}
		slice = l.Items[0]
		ep := slice.Endpoints[0]
		return ep.Addresses[0] == ip && ep.Conditions.Ready != nil && *ep.Conditions.Ready
	})
	if slice.Labels[discoveryv1.LabelManagedBy] != endpointslice.ManagedBy || len(slice.OwnerReferences) != 1 ||
		slice.OwnerReferences[0].Kind != "Service" || len(slice.Ports) != 1 || *slice.Ports[0].Port != 3000 {
		t.Errorf("the slice: %+v", slice)
	}

	for name, bin := range kubectls(t) {
		out, err := c.Kubectl(bin, "admin", "", "describe", "service", "helloworld")
		if err != nil || !regexp.MustCompile(`Endpoints:\s+`+regexp.QuoteMeta(ip)+`:3000`).MatchString(out) {
			t.Errorf("%s describe service: %v\n%s", name, err, out)
		}
		out, err = c.Kubectl(bin, "admin", "", "get", "endpointslices")
		if err != nil || !regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(slice.Name)+`\s+IPv4\s+3000\s+`+regexp.QuoteMeta(ip)+`\s+\d+s`).MatchString(out) ||
			!regexp.MustCompile(`(?m)^kubernetes\s+IPv4\s+\d+\s+127\.0\.0\.1`).MatchString(out) {
			t.Errorf("%s get endpointslices: %v\n%s", name, err, out)
		}
		out, err = c.Kubectl(bin, "admin", "", "explain", "endpointslice.endpoints.conditions.ready")
		if err != nil || !strings.Contains(out, "boolean") {
			t.Errorf("%s explain: %v\n%s", name, err, out)
		}
	}

	// Deleting the Service deletes its slices (they are owned by it).
	if err := cs.CoreV1().Services("default").Delete(context.Background(), "helloworld", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		l, err := cs.DiscoveryV1().EndpointSlices("default").List(context.Background(), metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=helloworld"})
		if err == nil && len(l.Items) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Service's slices outlived it: %v", l)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
