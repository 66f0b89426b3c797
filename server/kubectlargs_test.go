package server

import (
	"os"
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
		{[]string{"port-forward", "pod/x", "8080:80"}, "runs only these"},
		{[]string{"port-forward", "--address=0.0.0.0", "svc/x", "8080:80"}, "runs only these"},
		{[]string{"attach", "-i", "x"}, "runs only these"},
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

// TestTerminalReadsTheArticlesFileByNameAsInput: `-f NAME` of a built-in
// file, however it is spelt, runs as `-f -` with the file's text as input,
// so the article's own command works without a disk to read.
func TestTerminalReadsTheArticlesFileByNameAsInput(t *testing.T) {
	for _, tc := range []struct{ args, want []string }{
		{[]string{"create", "-f", "hello-deployment.yaml"}, []string{"create", "-f", "-"}},
		{[]string{"create", "--filename=hello-deployment.yaml"}, []string{"create", "--filename=-"}},
		{[]string{"create", "--filename", "hello-deployment.yaml"}, []string{"create", "--filename", "-"}},
		{[]string{"create", "-fhello-deployment.yaml"}, []string{"create", "-f-"}},
		{[]string{"create", "-f=hello-deployment.yaml"}, []string{"create", "-f=-"}},
		{[]string{"-n", "default", "apply", "-f", "hello-pod.yaml", "-o", "name"}, []string{"-n", "default", "apply", "-f", "-", "-o", "name"}},
		{[]string{"delete", "-f", "greedy-pod.yaml", "--wait=false"}, []string{"delete", "-f", "-", "--wait=false"}},
	} {
		args, stdin, err := kubectlWords(tc.args, "")
		if err != nil {
			t.Errorf("kubectl %q was refused: %v", tc.args, err)
			continue
		}
		if strings.Join(args, " ") != strings.Join(tc.want, " ") {
			t.Errorf("kubectl %q runs as %q, want %q", tc.args, args, tc.want)
		}
		name := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(tc.args[len(tc.args)-1], "--filename="), "-f="), "-f")
		for _, a := range tc.args {
			if _, ok := exampleFiles[a]; ok {
				name = a
			}
		}
		if stdin != exampleFiles[name] || stdin == "" {
			t.Errorf("kubectl %q gets as input %q, want the built-in %s", tc.args, stdin, name)
		}
	}
	if _, stdin, err := kubectlWords([]string{"create", "-f", "-"}, "kind: Pod"); err != nil || stdin != "kind: Pod" {
		t.Errorf("-f - keeps the learner's own input: got %q, %v", stdin, err)
	}
}

// TestTerminalRefusesFilesThatAreNotBuiltIn: only the built-in names are
// files; paths to them, unknown names, two files at once and a name that is
// also an object's name are refused, and the refusal lists the names.
func TestTerminalRefusesFilesThatAreNotBuiltIn(t *testing.T) {
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"create", "-f", "nothere.yaml"}, "hello-deployment.yaml"},
		{[]string{"create", "-f", "./hello-deployment.yaml"}, "files cannot be read"},
		{[]string{"create", "-f", "/tmp/hello-deployment.yaml"}, "files cannot be read"},
		{[]string{"create", "-f", "../hello-deployment.yaml"}, "files cannot be read"},
		{[]string{"create", "-f", "hello-deployment.yaml", "-f", "-"}, "one file"},
		{[]string{"create", "-f", "hello-deployment.yaml,hello-pod.yaml"}, "one file"},
		{[]string{"create", "-f", "hello-deployment.yaml", "-f", "/etc/passwd"}, "files cannot be read"},
		{[]string{"get", "hello-deployment.yaml", "-f", "hello-deployment.yaml"}, "only after -f"},
		{[]string{"get", "-f", "hello-deployment.yaml", "-l=af=hello-deployment.yaml"}, "only after -f"},
	} {
		if _, _, err := kubectlWords(tc.args, ""); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("kubectl %q: got %v, want a refusal mentioning %q", tc.args, err, tc.says)
		}
	}
}

// TestTerminalFilesAreThePlaygroundsExamples: each built-in file is one of
// the playground's examples, by the same name and text, so what the
// terminal creates is what the playground shows.
func TestTerminalFilesAreThePlaygroundsExamples(t *testing.T) {
	src, err := os.ReadFile("../web/src/view/examples.ts")
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range exampleFiles {
		if !strings.Contains(string(src), `file: "`+name+`"`) {
			t.Errorf("the playground has no example with file %q", name)
		}
		if !strings.Contains(string(src), "`"+text+"`") {
			t.Errorf("the playground's %s differs from the terminal's", name)
		}
	}
	seed, err := os.ReadFile("../controlplane/testdata/hello-deployment.yaml")
	if err != nil || string(seed) != exampleFiles["hello-deployment.yaml"] {
		t.Errorf("hello-deployment.yaml is not the seed manifest of controlplane/testdata (%v)", err)
	}
}
