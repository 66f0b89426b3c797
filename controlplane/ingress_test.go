package controlplane_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

const ingressManifest = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
spec:
  controller: k8s.io/ingress-nginx
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: default
spec:
  ingressClassName: nginx
  rules:
  - host: hello.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
`

// An Ingress is stored and listed with kube's columns; with no ingress
// controller its address stays empty, as in a real cluster without one; a
// path without a pathType is refused with kube's message; `kubectl explain`
// knows the new kinds — with both kubectls.
func TestIngressIsServedAndListedWithKubesColumns(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	for name, bin := range kubectls(t) {
		if out, err := c.Kubectl(bin, "admin", ingressManifest, "apply", "-f", "-"); err != nil {
			t.Fatalf("%s apply: %v\n%s", name, err, out)
		}
		out, err := c.Kubectl(bin, "admin", "", "get", "ing")
		if err != nil {
			t.Fatalf("%s get ing: %v\n%s", name, err, out)
		}
		if !regexp.MustCompile(`NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\n`).MatchString(out) ||
			!regexp.MustCompile(`web\s+nginx\s+hello\.example\.com\s+80\s+\d+`).MatchString(out) {
			t.Errorf("%s get ing:\n%s", name, out)
		}
		out, err = c.Kubectl(bin, "admin", "", "get", "ingressclass")
		if err != nil || !regexp.MustCompile(`NAME\s+CONTROLLER\s+PARAMETERS\s+AGE\n`+`nginx\s+k8s.io/ingress-nginx\s+<none>`).MatchString(out) {
			t.Errorf("%s get ingressclass: %v\n%s", name, err, out)
		}
		for field, doc := range map[string]string{"ingress.spec.rules": "host rules used to configure the Ingress",
			"pvc.spec.accessModes": "accessModes contains the desired access modes", "sc.provisioner": "provisioner indicates the type of the provisioner",
			"rc.spec.selector": "Selector is a label query over pods"} {
			if out, err := c.Kubectl(bin, "admin", "", "explain", field); err != nil || !strings.Contains(out, doc) {
				t.Errorf("%s explain %s: %v\n%s", name, field, err, out)
			}
		}
		bad := strings.Replace(strings.SplitN(ingressManifest, "---\n", 2)[1], "        pathType: Prefix\n", "", 1)
		bad = strings.Replace(bad, "name: web\n  namespace", "name: bad\n  namespace", 1)
		out, err = c.Kubectl(bin, "admin", bad, "create", "-f", "-", "--validate=false")
		if err == nil || !strings.Contains(out, "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified") {
			t.Errorf("%s create without pathType: %v\n%s", name, err, out)
		}
	}
}
