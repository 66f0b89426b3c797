package server

import (
	"strings"
	"testing"
)

// TestTerminalRefusesHostileKubectlArguments: whatever the spelling
// (combined shorthands, "=" forms, "--" separators, repeated flags, flags
// before the subcommand), a flag that points kubectl at another server or a
// file, or turns on verbose logging, is refused with a sentence saying why.
func TestTerminalRefusesHostileKubectlArguments(t *testing.T) {
	key := "/data/sandboxes/other/pki/ca.key"
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"get", "--raw", "/healthz", "-As", "http://127.0.0.1:8080"}, "--server (-s)"},
		{[]string{"get", "-As", "http://127.0.0.1:2379"}, "--server (-s)"},
		{[]string{"get", "-Ashttp://127.0.0.1:2379"}, "--server (-s)"},
		{[]string{"get", "-s", "http://127.0.0.1:2379"}, "--server (-s)"},
		{[]string{"get", "-shttp://127.0.0.1:1"}, "--server (-s)"},
		{[]string{"get", "--server=https://elsewhere"}, "--server (-s)"},
		{[]string{"--server", "https://elsewhere", "get", "pods"}, "--server (-s)"},
		{[]string{"-n", "default", "get", "pods", "--server", "https://elsewhere"}, "--server (-s)"},
		{[]string{"get", "-Af", key}, "files cannot be read"},
		{[]string{"get", "-Af" + key}, "files cannot be read"},
		{[]string{"get", "-A", "-f=" + key}, "files cannot be read"},
		{[]string{"apply", "-f", "/etc/passwd"}, "files cannot be read"},
		{[]string{"apply", "--filename=/etc/passwd"}, "files cannot be read"},
		{[]string{"apply", "-f", "-", "-f", "/etc/passwd"}, "files cannot be read"},
		{[]string{"apply", "-f", "-,/etc/passwd"}, "files cannot be read"},
		{[]string{"apply", "-f", "/etc/passwd", "--", "-f", "-"}, "files cannot be read"},
		{[]string{"get", "ns", "-Av9"}, "cannot read this command line"},
		{[]string{"get", "ns", "-v", "9"}, "cannot read this command line"},
		{[]string{"get", "ns", "--v=9"}, "cannot read this command line"},
		{[]string{"get", "pods", "--kubeconfig=/etc/passwd"}, "--kubeconfig"},
		{[]string{"get", "pods", "--certificate-authority", key}, "--certificate-authority"},
		{[]string{"get", "pods", "--client-key=" + key}, "--client-key"},
		{[]string{"get", "pods", "--token=abc"}, "--token"},
		{[]string{"get", "pods", "--cache-dir=/tmp/x"}, "--cache-dir"},
		{[]string{"get", "pods", "--user=other"}, "--user"},
		{[]string{"get", "pods", "--kuberc=/etc/passwd"}, "--kuberc"},
		{[]string{"get", "ns", "--insecure_skip_tls_verify=true"}, "--insecure-skip-tls-verify"},
		{[]string{"get", "ns", "--profile=cpu", "--profile-output=/tmp/x"}, "--profile"},
		{[]string{"get", "ns", "-o", "go-template-file=/etc/passwd"}, "go-template-file"},
		{[]string{"get", "ns", "-ojsonpath-file=/etc/passwd"}, "jsonpath-file"},
		{[]string{"get", "ns", "-o=custom-columns-file=/etc/passwd"}, "custom-columns-file"},
		{[]string{"get", "ns", "-o", "json", "-o", "templatefile=/etc/passwd"}, "templatefile"},
		{[]string{"get", "ns", "--template=/etc/passwd"}, "--template"},
		{[]string{"create", "cm", "x", "--from_file=/etc/passwd"}, "--from-file"},
		{[]string{"create", "secret", "tls", "x", "--cert=/a", "--key=" + key}, "--cert"},
		{[]string{"get", "--raw", "http://127.0.0.1:2379/version"}, "--raw reads only"},
		{[]string{"get", "--raw=//127.0.0.1:2379/version"}, "--raw reads only"},
		{[]string{"get", "--raw", "/api/../debug/pprof"}, "--raw reads only"},
		{[]string{"get", "--raw", "/metrics"}, "--raw reads only"},
		{[]string{"get", "--raw", "/apisx"}, "--raw reads only"},
		{[]string{"exec", "x", "--", "cat", "/etc/passwd"}, "runs only these"},
		{[]string{"config", "view", "--raw"}, "runs only these"},
		{[]string{"-n", "x", "cp", "a", "b"}, "runs only these"},
		{[]string{"create", "foo"}, "no subcommand"},
		{[]string{"help"}, "runs only these"},
		{[]string{"--namespace=default"}, "runs only these"},
		{[]string{}, "type a kubectl command"},
	} {
		err := checkKubectlArgs(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("kubectl %q: got %v, want a refusal mentioning %q", tc.args, err, tc.says)
		}
	}
}

// TestTerminalAcceptsOrdinaryLearnerCommands: what the lessons and the
// README tell a learner to type still runs.
func TestTerminalAcceptsOrdinaryLearnerCommands(t *testing.T) {
	for _, args := range [][]string{
		{"get", "pods"}, {"get", "pods", "-o", "wide"}, {"get", "pods", "-owide"}, {"get", "pods", "--output=yaml"},
		{"get", "pods", "-A"}, {"get", "pods", "--all-namespaces", "-w"}, {"-n", "kube-system", "get", "pods"},
		{"get", "cm", "quorum-a", "quorum-b", "-o", "yaml"}, {"get", "configmaps,pods"}, {"get", "nodes", "--show-labels"},
		{"get", "pods", "-o", "jsonpath={.items[*].metadata.name}"}, {"get", "pods", "-o=custom-columns=NAME:.metadata.name"},
		{"get", "pods", "-l", "app=web", "--sort-by=.metadata.name"}, {"get", "--raw", "/healthz"},
		{"get", "--raw", "/api/v1/namespaces/default/pods?limit=1"}, {"get", "--raw=/version"},
		{"create", "-f", "-"}, {"apply", "-f", "-"}, {"apply", "--filename=-"}, {"delete", "-f", "-"},
		{"create", "namespace", "rbac-demo"}, {"create", "configmap", "note", "-n", "rbac-demo", "--from-literal=from=bob"},
		{"create", "deployment", "web", "--image=nginx", "--replicas=3"}, {"create", "rolebinding", "rb", "--clusterrole=view", "--user=bob"},
		{"auth", "can-i", "create", "configmaps", "-n", "rbac-demo", "--as", "bob"}, {"auth", "can-i", "--list", "--as=alice"},
		{"delete", "namespace", "ctl-demo", "--wait=false"}, {"delete", "pods", "-l", "app=web"},
		{"drain", "node-3", "--ignore-daemonsets", "--timeout=60s"}, {"cordon", "node-1"}, {"uncordon", "node-1"},
		{"taint", "node", "node-3", "dedicated=lessons:NoSchedule-"}, {"scale", "deployment", "web", "--replicas=4"},
		{"set", "image", "deployment/shop", "nginx=nginx:1.27"}, {"rollout", "undo", "deployment/shop"},
		{"rollout", "history", "deployment/shop"}, {"patch", "configmap", "memory", "-p", `{"data":{"color":"green"}}`},
		{"label", "node", "node-2", "disktype=ssd"}, {"describe", "pod", "big"}, {"logs", "big", "-c", "main", "--tail=5"},
		{"run", "x", "--image=busybox", "--restart=Never", "--", "sh", "-c", "echo -s http://x"},
		{"explain", "pods.spec"}, {"version"}, {"api-resources", "--namespaced=true"}, {"api-versions"},
		{"expose", "deployment", "web", "--port=80", "--target-port=8080"}, {"get", "pods", "--help"}, {"get", "-h"},
	} {
		if err := checkKubectlArgs(args); err != nil {
			t.Errorf("kubectl %q was refused: %v", args, err)
		}
	}
}
