package controlplane_test

// Kubernetes' own kubectl command tests (test/cmd/*.sh in the Kubernetes
// repository: core.sh, apps.sh, batch.sh, rbac.sh, create.sh, get.sh,
// delete.sh, apply.sh, save-config.sh, storage.sh, discovery.sh, …) assert
// what kubectl prints and how it exits against a real API server, with
// kube::test::get_object_assert (a go-template over `kubectl get`),
// if_has_string and exit statuses. This file carries over the assertions
// that concern the kinds Glassplane serves, as a table of steps run in order
// with both kubectls: /usr/bin/kubectl (v1.32) and `glassplane kubectl`
// (v1.37). Each group runs in a namespace of its own, as upstream's
// create_and_use_new_namespace does.
//
// 258 assertions (255 carried over, and 3 waits for the DaemonSet's
// revisions); all pass with both kubectls. Before the CronJob controller
// learnt that "59 23 31 2 *" (batch.sh's February 31st) never comes, the
// run hung in the controller manager and the cluster never shut
// down; every other failure of the first run was a mistake of the carry-over.
//
// Left out, and why:
//   - describe's --chunk-size and show-events checks: they assert on the
//     requests kubectl makes (-v=6 logs), not on what the server answers.
//   - kubectl create with --edit, kubectl edit, port-forward, proxy, cp and
//     attach: they need an interactive terminal or a running container runtime.
//   - Custom resources (crd.sh), APIService, webhooks, certificates, CSR and
//     node lifecycle (cordon/drain with taints on real nodes) are not served.
//   - --record / change-cause and kubectl convert: removed from kubectl.

import (
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// cmdStep is one line of an upstream test: a kubectl command and, when it
// asserts something, what.
type cmdStep struct {
	args  []string
	stdin string
	// check is "" (the command must succeed), "out" (output, trimmed, equals
	// want), "has" (succeeds and output contains want), "lacks" (succeeds and
	// output lacks want) or "fails" (exits non-zero; output contains want).
	check string
	want  string
	// eventually retries an "out" check for up to 30 s: the value is written
	// by a controller.
	eventually bool
}

const names = `{{range.items}}{{.metadata.name}}:{{end}}`

func kc(args ...string) cmdStep { return cmdStep{args: args} }
func kcIn(stdin string, args ...string) cmdStep {
	return cmdStep{args: args, stdin: stdin}
}

// getAssert is kube::test::get_object_assert: `kubectl get <what> -o go-template=<tmpl>` prints want.
func getAssert(what, tmpl, want string) cmdStep {
	return cmdStep{args: append(append([]string{"get"}, strings.Fields(what)...), "-o", "go-template="+tmpl), check: "out", want: want}
}

// jsonpathAssert is kube::test::get_object_jsonpath_assert.
func jsonpathAssert(what, path, want string) cmdStep {
	return cmdStep{args: append(append([]string{"get"}, strings.Fields(what)...), "-o", "jsonpath="+path), check: "out", want: want}
}

// getSelected is get_object_assert over a label selector with spaces in it.
func getSelected(kind, selector, want string) cmdStep {
	return cmdStep{args: []string{"get", kind, "-l" + selector, "-o", "go-template=" + names}, check: "out", want: want}
}

func eventuallyAssert(s cmdStep) cmdStep { s.eventually = true; return s }

func hasString(want string, args ...string) cmdStep {
	return cmdStep{args: args, check: "has", want: want}
}
func lacksString(want string, args ...string) cmdStep {
	return cmdStep{args: args, check: "lacks", want: want}
}
func failsWith(want string, args ...string) cmdStep {
	return cmdStep{args: args, check: "fails", want: want}
}
func failsWithIn(stdin, want string, args ...string) cmdStep {
	return cmdStep{args: args, stdin: stdin, check: "fails", want: want}
}

// describeAssert is kube::test::describe_object_assert.
func describeAssert(what string, wants ...string) []cmdStep {
	var steps []cmdStep
	for _, w := range wants {
		steps = append(steps, hasString(w, append([]string{"describe"}, strings.Fields(what)...)...))
	}
	return steps
}

const validPod = `apiVersion: v1
kind: Pod
metadata:
  name: valid-pod
  labels:
    name: valid-pod
spec:
  containers:
  - name: kubernetes-serve-hostname
    image: registry.k8s.io/serve_hostname
    resources:
      limits:
        cpu: "1"
        memory: 512Mi
`

const testConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: test-configmap
data:
  key-1: value-1
`

const nginxDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx-deployment
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: registry.k8s.io/nginx:1.7.9
        ports:
        - containerPort: 80
`

const frontendReplicaSet = `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
spec:
  replicas: 3
  selector:
    matchLabels:
      tier: frontend
  template:
    metadata:
      labels:
        app: guestbook
        tier: frontend
    spec:
      containers:
      - name: php-redis
        image: gcr.io/google_samples/gb-frontend:v3
`

const frontendController = `apiVersion: v1
kind: ReplicationController
metadata:
  name: frontend
spec:
  replicas: 3
  template:
    metadata:
      labels:
        app: guestbook
        tier: frontend
    spec:
      containers:
      - name: php-redis
        image: gcr.io/google_samples/gb-frontend:v4
`

const redisMasterService = `apiVersion: v1
kind: Service
metadata:
  name: redis-master
  labels:
    app: redis
    role: master
    tier: backend
spec:
  ports:
  - port: 6379
    targetPort: 6379
  selector:
    app: redis
    role: master
    tier: backend
`

const applyPod = `apiVersion: v1
kind: Pod
metadata:
  name: test-pod
  labels:
    name: test-pod-label
spec:
  containers:
  - name: kubernetes-pause
    image: registry.k8s.io/pause:3.10
`

const applyPodChanged = `apiVersion: v1
kind: Pod
metadata:
  name: test-pod
  labels:
    name: test-pod-applied
spec:
  containers:
  - name: kubernetes-pause
    image: registry.k8s.io/pause:3.10
`

const pvFixture = `apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv0001
spec:
  accessModes:
  - ReadWriteOnce
  capacity:
    storage: 10Gi
  persistentVolumeReclaimPolicy: Retain
  hostPath:
    path: /somepath/data01
`

const pvcFixture = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: myclaim-1
spec:
  accessModes:
  - ReadWriteOnce
  resources:
    requests:
      storage: 3Gi
`

const storageClassFixture = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: storage-class-name
provisioner: kubernetes.io/fake-provisioner-type
parameters:
  zone: us-east-1b
  type: ssd
`

const ingressFixture = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: test-ingress1
spec:
  rules:
  - host: foo.com
    http:
      paths:
      - path: /test1
        pathType: Prefix
        backend:
          service:
            name: nginx
            port:
              number: 80
`

const daemonSetFixture = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: bind
spec:
  selector:
    matchLabels:
      service: bind
  template:
    metadata:
      labels:
        service: bind
    spec:
      containers:
      - name: kubernetes-pause
        image: registry.k8s.io/pause:2.0
`

const statefulSetFixture = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: nginx
spec:
  serviceName: nginx
  replicas: 0
  selector:
    matchLabels:
      app: nginx-statefulset
  template:
    metadata:
      labels:
        app: nginx-statefulset
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.7
        ports:
        - containerPort: 80
          name: web
`

// upstreamCmdGroups are the carried-over tests, by upstream function.
func upstreamCmdGroups() map[string][]cmdStep {
	g := map[string][]cmdStep{}

	// core.sh run_configmap_tests
	g["configmaps"] = []cmdStep{
		kcIn(testConfigMap, "create", "-f", "-"),
		getAssert("configmap/test-configmap", "{{.metadata.name}}", "test-configmap"),
		kc("delete", "configmap", "test-configmap"),
		getAssert("configmaps", `{{range.items}}{{ if eq .metadata.name "test-configmap" }}found{{end}}{{end}}:`, ":"),
		kc("create", "configmap", "test-configmap", "--dry-run=client", "--from-literal=key1=value1"),
		kc("create", "configmap", "test-configmap", "--dry-run=server", "--from-literal=key1=value1"),
		getAssert("configmaps", `{{range.items}}{{ if eq .metadata.name "test-configmap" }}found{{end}}{{end}}:`, ":"),
		kc("create", "configmap", "test-configmap", "--from-literal=key1=value1"),
		getAssert("configmap/test-configmap", "{{.metadata.name}}", "test-configmap"),
		hasString("key1: value1", "get", "configmap/test-configmap", "-o", "yaml"),
		kc("delete", "configmap", "test-configmap"),
	}

	// core.sh run_pod_tests
	pods := []cmdStep{
		getAssert("pods", names, ""),
		kcIn(validPod, "create", "-f", "-"),
		getAssert("pods", names, "valid-pod:"),
		getAssert("pod valid-pod", "{{.metadata.name}}", "valid-pod"),
		getAssert("pod/valid-pod", "{{.metadata.name}}", "valid-pod"),
		getAssert("pods/valid-pod", "{{.metadata.name}}", "valid-pod"),
		hasString("kubectl-create", "get", "--show-managed-fields", "pod", "valid-pod", "-o=jsonpath={.metadata.managedFields[*].manager}"),
		jsonpathAssert("pods", "{.items[*].metadata.name}", "valid-pod"),
		jsonpathAssert("pod valid-pod", "{.metadata.name}", "valid-pod"),
		jsonpathAssert("pod/valid-pod", "{.metadata.name}", "valid-pod"),
		jsonpathAssert("pods/valid-pod", "{.metadata.name}", "valid-pod"),
	}
	pods = append(pods, describeAssert("pods valid-pod", "Name:", "Image:", "Node:", "Labels:", "Status:")...)
	pods = append(pods, describeAssert("pods", "Name:", "Image:", "Node:", "Labels:", "Status:")...)
	pods = append(pods,
		kc("delete", "pod", "valid-pod", "--grace-period=0", "--force"),
		getAssert("pods", names, ""),
		kcIn(validPod, "create", "-f", "-"),
		getAssert("pods", names, "valid-pod:"),
		kc("delete", "pod", "valid-pod", "--now"),
		getAssert("pods", names, ""),
		kcIn(validPod, "create", "-f", "-"),
		getSelected("pods", "name in (valid-pod)", "valid-pod:"),
		kc("delete", "pods", "-lname in (valid-pod)", "--grace-period=0", "--force"),
		getSelected("pods", "name in (valid-pod)", ""),
		kcIn(validPod, "create", "-f", "-"),
		hasString("valid-pod", "get", "pods", "--field-selector", "metadata.name=valid-pod"),
		hasString("valid-pod", "get", "pods", "--field-selector", "status.phase!=Succeeded"),
		failsWith("resource(s) were provided, but no name was specified", "delete", "pods"),
		getAssert("pods", names, "valid-pod:"),
		failsWith("setting 'all' parameter but found a non empty selector", "delete", "--all", "pods", "-lname in (valid-pod)"),
		getAssert("pods", names, "valid-pod:"),
		kc("delete", "--all", "pods", "--grace-period=0", "--force"),
		getSelected("pods", "name in (valid-pod)", ""),
		// label
		kcIn(validPod, "create", "-f", "-"),
		kc("label", "pods", "valid-pod", "new-name=new-valid-pod"),
		getAssert("pod valid-pod", "{{range $k, $v := .metadata.labels}}{{$v}}:{{end}}", "valid-pod:new-valid-pod:"),
		kc("label", "pods", "--all", "emptylabel="),
		getAssert("pod valid-pod", `{{.metadata.labels.emptylabel}}`, ""),
		failsWith("'name' already has a value (valid-pod), and --overwrite is false", "label", "pods", "valid-pod", "name=valid-pod-super-sayan"),
		kc("label", "--overwrite", "pods", "--all", "name=valid-pod-super-sayan"),
		getAssert("pod valid-pod", "{{.metadata.labels.name}}", "valid-pod-super-sayan"),
		kc("label", "pods", "valid-pod", "new-name-"),
		getAssert("pod valid-pod", `{{range $k, $v := .metadata.labels}}{{$k}}:{{end}}`, "emptylabel:name:"),
		// annotate
		kc("annotate", "pods", "valid-pod", "description=test"),
		getAssert("pod valid-pod", "{{.metadata.annotations.description}}", "test"),
		failsWith("--overwrite is false", "annotate", "pods", "valid-pod", "description=again"),
		kc("annotate", "--overwrite", "pods", "valid-pod", "description=again"),
		getAssert("pod valid-pod", "{{.metadata.annotations.description}}", "again"),
		kc("annotate", "pods", "valid-pod", "description-"),
		getAssert("pod valid-pod", `{{range $k, $v := .metadata.annotations}}{{$k}}:{{end}}`, ""),
		// patch
		kc("patch", "pod", "valid-pod", "-p", `{"spec":{"containers":[{"name": "kubernetes-serve-hostname", "image": "nginx"}]}}`),
		getAssert("pods", `{{range.items}}{{(index .spec.containers 0).image}}:{{end}}`, "nginx:"),
		kc("patch", "pod", "valid-pod", "--type=json", "-p", `[{"op": "replace", "path": "/spec/containers/0/image", "value":"nginx2"}]`),
		getAssert("pods", `{{range.items}}{{(index .spec.containers 0).image}}:{{end}}`, "nginx2:"),
		kc("patch", "pod", "valid-pod", "--type=merge", "-p", `{"metadata":{"labels":{"patched":"yes"}}}`),
		getAssert("pod valid-pod", "{{.metadata.labels.patched}}", "yes"),
		failsWith("", "patch", "pod", "valid-pod", "--type=json", "-p", `[{"op": "test", "path": "/spec/containers/0/image", "value":"wrong"}]`),
		hasString("patched (no change)", "patch", "pod", "valid-pod", "-p", `{"metadata":{"labels":{"patched":"yes"}}}`),
		// replace
		hasString("replaced", "replace", "--force", "--grace-period=0", "-f", "-", "-o", "name"),
		kc("delete", "pods", "--all", "--grace-period=0", "--force"),
	)
	pods[len(pods)-2].stdin = validPod
	pods[len(pods)-2].want = "pod/valid-pod"
	pods = append(pods,
		failsWith(`pods "nonexistent" not found`, "get", "pod", "nonexistent"),
		hasString("No resources found", "get", "pods"),
		failsWith(`pods "nonexistent" not found`, "delete", "pod", "nonexistent"),
		kc("delete", "pod", "nonexistent", "--ignore-not-found"),
	)
	g["pods"] = pods

	// core.sh run_secrets_test
	g["secrets"] = []cmdStep{
		getAssert("secrets", `{{range.items}}{{ if eq .metadata.name "test-secret" }}found{{end}}{{end}}:`, ":"),
		kc("create", "secret", "generic", "test-secret", "--dry-run=client", "--from-literal=key1=value1", "--type=test-type"),
		kc("create", "secret", "generic", "test-secret", "--dry-run=server", "--from-literal=key1=value1", "--type=test-type"),
		getAssert("secrets", `{{range.items}}{{ if eq .metadata.name "test-secret" }}found{{end}}{{end}}:`, ":"),
		kc("create", "secret", "generic", "test-secret", "--from-literal=key1=value1", "--type=test-type"),
		getAssert("secret/test-secret", "{{.metadata.name}}", "test-secret"),
		getAssert("secret/test-secret", "{{.type}}", "test-type"),
		hasString("key1: dmFsdWUx", "get", "secret/test-secret", "-o", "yaml"),
		kc("delete", "secret", "test-secret"),
		kc("create", "secret", "docker-registry", "test-secret", "--docker-username=test-user", "--docker-password=test-password", "--docker-email='test-user@test.com'"),
		getAssert("secret/test-secret", "{{.type}}", "kubernetes.io/dockerconfigjson"),
		kc("delete", "secret", "test-secret"),
		kc("create", "secret", "tls", "test-secret", "--cert=testdata/tls.crt", "--key=testdata/tls.key"),
		kc("create", "secret", "generic", "secret-string-data", "--from-literal=k1=v1"),
		getAssert("secret/secret-string-data", "{{.data.k1}}", "djE="),
		kcIn(`{"kind":"Secret","apiVersion":"v1","metadata":{"name":"string-data"},"stringData":{"k1":"v1","k2":"v2"}}`, "create", "-f", "-"),
		getAssert("secret/string-data", "{{.data}}", "map[k1:djE= k2:djI=]"),
		getAssert("secret/string-data", "{{.stringData}}", "<no value>"),
		kc("delete", "secret", "string-data"),
	}
	// the TLS secret needs a certificate pair: drop those two rows.
	g["secrets"] = append(g["secrets"][:12], g["secrets"][13:]...)

	// core.sh run_service_tests (services that do not need a node port allocator's randomness)
	g["services"] = []cmdStep{
		getAssert("services", names, ""),
		kcIn(redisMasterService, "create", "-f", "-"),
		getAssert("services", names, "redis-master:"),
		hasString("redis-master", "describe", "services", "redis-master"),
		hasString("Selector:", "describe", "services", "redis-master"),
		hasString("Port:", "describe", "services", "redis-master"),
		getAssert("service redis-master", `{{range.spec.selector}}{{.}}:{{end}}`, "redis:master:backend:"),
		kc("set", "selector", "services", "redis-master", "role=padawan"),
		getAssert("service redis-master", `{{range.spec.selector}}{{.}}:{{end}}`, "padawan:"),
		kc("delete", "service", "redis-master"),
		getAssert("services", names, ""),
		kc("create", "service", "clusterip", "testing-service", "--tcp=8080:80"),
		getAssert("service testing-service", "{{.spec.type}}", "ClusterIP"),
		kc("create", "service", "nodeport", "nodeport-svc", "--tcp=8080:80"),
		getAssert("service nodeport-svc", "{{.spec.type}}", "NodePort"),
		kc("create", "service", "externalname", "beep-boop", "--external-name", "www.google.com"),
		getAssert("service beep-boop", "{{.spec.externalName}}", "www.google.com"),
		kc("create", "service", "clusterip", "headless", "--clusterip=None"),
		getAssert("service headless", "{{.spec.clusterIP}}", "None"),
		kc("delete", "service", "testing-service", "nodeport-svc", "beep-boop", "headless"),
		getAssert("services", names, ""),
	}

	// core.sh run_rc_tests / apps.sh run_rs_tests
	g["replicationcontrollers"] = []cmdStep{
		getAssert("rc", names, ""),
		kcIn(frontendController, "create", "-f", "-"),
		getAssert("rc", names, "frontend:"),
		hasString("Replicas:", "describe", "rc", "frontend"),
		hasString("Pods Status:", "describe", "rc", "frontend"),
		kc("scale", "--replicas=2", "rc", "frontend"),
		getAssert("rc frontend", "{{.spec.replicas}}", "2"),
		failsWith("", "scale", "--current-replicas=3", "--replicas=2", "rc", "frontend"),
		getAssert("rc frontend", "{{.spec.replicas}}", "2"),
		kc("scale", "--current-replicas=2", "--replicas=3", "rc", "frontend"),
		getAssert("rc frontend", "{{.spec.replicas}}", "3"),
		kc("expose", "rc", "frontend", "--port=80"),
		getAssert("service frontend", `{{(index .spec.ports 0).port}}`, "80"),
		kc("expose", "rc", "frontend", "--port=443", "--name=frontend-2"),
		getAssert("service frontend-2", `{{(index .spec.ports 0).port}}`, "443"),
		kc("delete", "service", "frontend", "frontend-2"),
		kc("delete", "rc", "frontend"),
		getAssert("rc", names, ""),
	}
	g["replicasets"] = []cmdStep{
		getAssert("rs", names, ""),
		kcIn(frontendReplicaSet, "create", "-f", "-"),
		getAssert("rs", names, "frontend:"),
		getAssert("rs frontend", "{{.spec.replicas}}", "3"),
		hasString("Replicas:", "describe", "rs", "frontend"),
		hasString("Pods Status:", "describe", "rs", "frontend"),
		kc("scale", "--replicas=2", "replicasets", "frontend"),
		getAssert("rs frontend", "{{.spec.replicas}}", "2"),
		eventuallyAssert(getAssert("pods -l tier=frontend", `{{len .items}}`, "2")),
		kc("expose", "rs", "frontend", "--port=80"),
		getAssert("service frontend", `{{(index .spec.ports 0).port}}`, "80"),
		kc("delete", "service", "frontend"),
		kc("set", "image", "rs/frontend", "*=registry.k8s.io/pause:3.10"),
		getAssert("rs frontend", `{{(index .spec.template.spec.containers 0).image}}`, "registry.k8s.io/pause:3.10"),
		kc("autoscale", "rs", "frontend", "--min=2", "--max=3", "--cpu-percent=80"),
		kc("delete", "rs", "frontend"),
		getAssert("rs", names, ""),
	}

	// apps.sh run_deployment_tests
	g["deployments"] = []cmdStep{
		kc("create", "deployment", "test-nginx-extensions", "--image=registry.k8s.io/nginx:test-cmd"),
		getAssert("deploy", names, "test-nginx-extensions:"),
		getAssert("deploy test-nginx-extensions", "{{.spec.revisionHistoryLimit}}", "10"),
		kc("delete", "deployment", "test-nginx-extensions"),
		kc("create", "deployment", "test-nginx-apps", "--image=registry.k8s.io/nginx:test-cmd"),
		getAssert("deploy", names, "test-nginx-apps:"),
		getAssert("deploy test-nginx-apps", "{{.spec.revisionHistoryLimit}}", "10"),
		eventuallyAssert(getAssert("rs", `{{range.items}}{{(index .metadata.ownerReferences 0).name}}:{{end}}`, "test-nginx-apps:")),
		hasString("Replicas:", "describe", "deployment", "test-nginx-apps"),
		hasString("StrategyType:", "describe", "deployment", "test-nginx-apps"),
		kc("delete", "deployment", "test-nginx-apps"),
		kc("create", "deployment", "deployment-with-command", "--image=registry.k8s.io/nginx:test-cmd", "--", "/bin/sleep", "infinity"),
		getAssert("deploy deployment-with-command", `{{range (index .spec.template.spec.containers 0).command}}{{.}}:{{end}}`, "/bin/sleep:infinity:"),
		kc("delete", "deployment", "deployment-with-command"),
		kcIn(nginxDeployment, "create", "-f", "-"),
		getAssert("deployment nginx-deployment", "{{.spec.replicas}}", "3"),
		kc("scale", "deployment", "nginx-deployment", "--replicas=1"),
		getAssert("deployment nginx-deployment", "{{.spec.replicas}}", "1"),
		kc("set", "image", "deployment", "nginx-deployment", "nginx=registry.k8s.io/nginx:test-cmd"),
		getAssert("deployment nginx-deployment", `{{(index .spec.template.spec.containers 0).image}}`, "registry.k8s.io/nginx:test-cmd"),
		failsWith("unable to find container named", "set", "image", "deployment", "nginx-deployment", "api=registry.k8s.io/nginx:test-cmd"),
		kc("set", "env", "deployment", "nginx-deployment", "env=prod"),
		getAssert("deployment nginx-deployment", `{{range (index .spec.template.spec.containers 0).env}}{{.name}}={{.value}}:{{end}}`, "env=prod:"),
		kc("set", "resources", "deployment", "nginx-deployment", "--limits=cpu=200m,memory=512Mi"),
		getAssert("deployment nginx-deployment", `{{(index .spec.template.spec.containers 0).resources.limits.cpu}}`, "200m"),
		eventuallyAssert(getAssert("deployment nginx-deployment", "{{.metadata.generation}}", "5")),
		hasString("deployment.apps/nginx-deployment", "rollout", "history", "deployment", "nginx-deployment"),
		kc("rollout", "pause", "deployment", "nginx-deployment"),
		getAssert("deployment nginx-deployment", "{{.spec.paused}}", "true"),
		failsWith("cannot rollback a paused deployment", "rollout", "undo", "deployment", "nginx-deployment"),
		kc("rollout", "resume", "deployment", "nginx-deployment"),
		getAssert("deployment nginx-deployment", "{{.spec.paused}}", "<no value>"),
		kc("rollout", "restart", "deployment", "nginx-deployment"),
		hasString("kubectl.kubernetes.io/restartedAt", "get", "deployment", "nginx-deployment", "-o", "yaml"),
		kc("delete", "deployment", "nginx-deployment"),
		getAssert("deployment", names, ""),
	}

	// apps.sh run_daemonset_tests, run_statefulset_tests
	g["daemonsets"] = []cmdStep{
		kcIn(daemonSetFixture, "apply", "-f", "-"),
		getAssert("daemonsets bind", "{{.metadata.generation}}", "1"),
		kcIn(daemonSetFixture, "apply", "-f", "-"),
		getAssert("daemonsets bind", "{{.metadata.generation}}", "1"),
		// The DaemonSet controller makes a revision for the template it finds
		// when it syncs: two changes made before it syncs make one revision,
		// on a busy machine as on a cluster. Each change is waited for, so
		// each template gets its own.
		eventuallyAssert(getAssert("controllerrevisions", `{{len .items}}`, "1")),
		kc("set", "image", "daemonsets/bind", "*=registry.k8s.io/pause:test-cmd"),
		getAssert("daemonsets bind", "{{.metadata.generation}}", "2"),
		eventuallyAssert(getAssert("controllerrevisions", `{{len .items}}`, "2")),
		kc("set", "env", "daemonsets/bind", "foo=bar"),
		getAssert("daemonsets bind", "{{.metadata.generation}}", "3"),
		eventuallyAssert(getAssert("controllerrevisions", `{{len .items}}`, "3")),
		kc("set", "resources", "daemonsets/bind", "--limits=cpu=200m,memory=512Mi"),
		getAssert("daemonsets bind", "{{.metadata.generation}}", "4"),
		hasString("daemonset.apps/bind", "rollout", "history", "daemonset", "bind"),
		eventuallyAssert(getAssert("controllerrevisions", `{{len .items}}`, "4")),
		kc("delete", "daemonset", "bind"),
		getAssert("daemonsets", names, ""),
	}
	g["statefulsets"] = []cmdStep{
		kcIn(statefulSetFixture, "create", "-f", "-"),
		getAssert("statefulset nginx", "{{.spec.replicas}}", "0"),
		getAssert("statefulset nginx", "{{.metadata.generation}}", "1"),
		kc("scale", "--replicas=1", "statefulset", "nginx"),
		getAssert("statefulset nginx", "{{.spec.replicas}}", "1"),
		getAssert("statefulset nginx", "{{.metadata.generation}}", "2"),
		hasString("statefulset.apps/nginx", "rollout", "history", "statefulset", "nginx"),
		kc("delete", "statefulset", "nginx"),
		getAssert("statefulset", names, ""),
	}

	// batch.sh run_job_tests, run_cronjob_tests (create.sh parts)
	g["jobs"] = []cmdStep{
		kc("create", "cronjob", "pi", "--schedule=59 23 31 2 *", "--dry-run=client", "--image=registry.k8s.io/perl", "--", "perl", "-Mbignum=bpi", "-wle", "print bpi(20)"),
		kc("create", "cronjob", "pi", "--schedule=59 23 31 2 *", "--image=registry.k8s.io/perl", "--", "perl", "-Mbignum=bpi", "-wle", "print bpi(20)"),
		getAssert("cronjob/pi", "{{.metadata.name}}", "pi"),
		getAssert("cronjob/pi", "{{.spec.schedule}}", "59 23 31 2 *"),
		hasString("pi", "get", "cronjob"),
		hasString("Schedule:", "describe", "cronjob", "pi"),
		kc("create", "job", "test-job", "--from=cronjob/pi"),
		getAssert("job/test-job", "{{.metadata.name}}", "test-job"),
		getAssert("job/test-job", `{{(index .metadata.ownerReferences 0).name}}`, "pi"),
		hasString("Parallelism:", "describe", "job", "test-job"),
		kc("delete", "job", "test-job"),
		kc("create", "job", "test-job-pi", "--image=registry.k8s.io/perl", "--", "perl", "-Mbignum=bpi", "-wle", "print bpi(20)"),
		getAssert("job/test-job-pi", `{{(index .spec.template.spec.containers 0).image}}`, "registry.k8s.io/perl"),
		failsWith("", "create", "job", "test-job-bad", "--from=deployment/nonexistent"),
		kc("delete", "job", "test-job-pi"),
		kc("delete", "cronjob", "pi"),
		getAssert("cronjobs", names, ""),
	}

	// rbac.sh / create.sh run_clusterroles_tests, run_role_tests
	g["rbac"] = []cmdStep{
		kc("create", "clusterrole", "pod-admin", "--verb=*", "--resource=pods"),
		getAssert("clusterrole/pod-admin", `{{range.rules}}{{range.verbs}}{{.}}:{{end}}{{end}}`, "*:"),
		getAssert("clusterrole/pod-admin", `{{range.rules}}{{range.resources}}{{.}}:{{end}}{{end}}`, "pods:"),
		getAssert("clusterrole/pod-admin", `{{range.rules}}{{range.apiGroups}}{{.}}:{{end}}{{end}}`, ":"),
		kc("create", "clusterrole", "resource-reader", "--verb=get,list", "--resource=pods,deployments.apps"),
		getAssert("clusterrole/resource-reader", `{{range.rules}}{{range.verbs}}{{.}}:{{end}}{{end}}`, "get:list:get:list:"),
		getAssert("clusterrole/resource-reader", `{{range.rules}}{{range.resources}}{{.}}:{{end}}{{end}}`, "pods:deployments:"),
		getAssert("clusterrole/resource-reader", `{{range.rules}}{{range.apiGroups}}{{.}}:{{end}}{{end}}`, ":apps:"),
		kc("create", "clusterrole", "resourcename-reader", "--verb=get,list", "--resource=pods", "--resource-name=foo"),
		getAssert("clusterrole/resourcename-reader", `{{range.rules}}{{range.resourceNames}}{{.}}:{{end}}{{end}}`, "foo:"),
		kc("create", "clusterrole", "url-reader", "--verb=get", "--non-resource-url=/logs/*", "--non-resource-url=/healthz/*"),
		getAssert("clusterrole/url-reader", `{{range.rules}}{{range.nonResourceURLs}}{{.}}:{{end}}{{end}}`, "/logs/*:/healthz/*:"),
		kc("create", "clusterrole", "aggregation-reader", "--aggregation-rule=foo1=foo2"),
		getAssert("clusterrole/aggregation-reader", "{{.metadata.name}}", "aggregation-reader"),
		kc("create", "clusterrolebinding", "super-admin", "--clusterrole=admin", "--user=super-admin"),
		getAssert("clusterrolebinding/super-admin", `{{range.subjects}}{{.name}}:{{end}}`, "super-admin:"),
		kc("set", "subject", "clusterrolebinding", "super-admin", "--user=foo"),
		getAssert("clusterrolebinding/super-admin", `{{range.subjects}}{{.name}}:{{end}}`, "super-admin:foo:"),
		kc("create", "clusterrolebinding", "multi-users", "--clusterrole=admin", "--user=user-1", "--user=user-2"),
		getAssert("clusterrolebinding/multi-users", `{{range.subjects}}{{.name}}:{{end}}`, "user-1:user-2:"),
		kc("create", "clusterrolebinding", "super-group", "--clusterrole=admin", "--group=the-group"),
		getAssert("clusterrolebinding/super-group", `{{range.subjects}}{{.name}}:{{end}}`, "the-group:"),
		kc("create", "clusterrolebinding", "super-sa", "--clusterrole=admin", "--serviceaccount=otherns:sa-name"),
		getAssert("clusterrolebinding/super-sa", `{{range.subjects}}{{.namespace}}:{{end}}`, "otherns:"),
		getAssert("clusterrolebinding/super-sa", `{{range.subjects}}{{.name}}:{{end}}`, "sa-name:"),
		kc("create", "rolebinding", "admin", "--clusterrole=admin", "--user=default-admin"),
		getAssert("rolebinding/admin", "{{.roleRef.kind}}", "ClusterRole"),
		getAssert("rolebinding/admin", `{{range.subjects}}{{.name}}:{{end}}`, "default-admin:"),
		kc("create", "rolebinding", "localrole", "--role=localrole", "--group=the-group"),
		getAssert("rolebinding/localrole", "{{.roleRef.kind}}", "Role"),
		getAssert("rolebinding/localrole", `{{range.subjects}}{{.name}}:{{end}}`, "the-group:"),
		kc("create", "rolebinding", "sarole", "--role=localrole", "--serviceaccount=otherns:sa-name"),
		getAssert("rolebinding/sarole", `{{range.subjects}}{{.namespace}}:{{end}}`, "otherns:"),
		kc("create", "role", "pod-admin", "--verb=*", "--resource=pods"),
		getAssert("role/pod-admin", `{{range.rules}}{{range.verbs}}{{.}}:{{end}}{{end}}`, "*:"),
		getAssert("role/pod-admin", `{{range.rules}}{{range.resources}}{{.}}:{{end}}{{end}}`, "pods:"),
		kc("create", "role", "resource-reader", "--verb=get,list", "--resource=pods,deployments.apps"),
		getAssert("role/resource-reader", `{{range.rules}}{{range.apiGroups}}{{.}}:{{end}}{{end}}`, ":apps:"),
		kc("create", "role", "resourcename-reader", "--verb=get,list", "--resource=pods", "--resource-name=foo"),
		getAssert("role/resourcename-reader", `{{range.rules}}{{range.resourceNames}}{{.}}:{{end}}{{end}}`, "foo:"),
		failsWith("", "create", "role", "bad", "--verb=get", "--resource=nonexistents"),
		hasString("yes", "auth", "can-i", "get", "pods"),
		hasString("yes", "auth", "can-i", "create", "deployments.apps"),
		kc("delete", "clusterrole", "pod-admin", "resource-reader", "resourcename-reader", "url-reader", "aggregation-reader"),
		kc("delete", "clusterrolebinding", "super-admin", "multi-users", "super-group", "super-sa"),
	}

	// create.sh: namespaces, service accounts, quota, pdb, priority; policy PDBs (core.sh describe-pod part)
	g["namespaced-create"] = []cmdStep{
		kc("create", "namespace", "my-namespace"),
		getAssert("namespaces/my-namespace", "{{.metadata.name}}", "my-namespace"),
		kc("delete", "namespace", "my-namespace", "--wait=false"),
		kc("create", "serviceaccount", "test-service-account"),
		getAssert("serviceaccount/test-service-account", "{{.metadata.name}}", "test-service-account"),
		kc("delete", "serviceaccount", "test-service-account"),
		kc("create", "quota", "test-quota", "--hard=pods=2,services=1"),
		getAssert("quota/test-quota", "{{.spec.hard.pods}}", "2"),
		kc("delete", "quota", "test-quota"),
		kc("create", "pdb", "test-pdb-1", "--dry-run=server", "--selector=app=rails", "--min-available=2"),
		getAssert("pdb", `{{range.items}}{{ if eq .metadata.name "test-pdb-1" }}found{{end}}{{end}}:`, ":"),
		kc("create", "pdb", "test-pdb-1", "--selector=app=rails", "--min-available=2"),
		getAssert("pdb/test-pdb-1", "{{.spec.minAvailable}}", "2"),
		kc("create", "pdb", "test-pdb-2", "--selector=app=rails", "--min-available=50%"),
		getAssert("pdb/test-pdb-2", "{{.spec.minAvailable}}", "50%"),
		kc("create", "pdb", "test-pdb-3", "--selector=app=rails", "--max-unavailable=2"),
		getAssert("pdb/test-pdb-3", "{{.spec.maxUnavailable}}", "2"),
		kc("create", "pdb", "test-pdb-4", "--selector=app=rails", "--max-unavailable=50%"),
		getAssert("pdb/test-pdb-4", "{{.spec.maxUnavailable}}", "50%"),
		failsWith("min-available and max-unavailable cannot be both specified", "create", "pdb", "test-pdb", "--selector=app=rails", "--min-available=2", "--max-unavailable=3"),
		kc("delete", "pdb", "test-pdb-1", "test-pdb-2", "test-pdb-3", "test-pdb-4"),
		failsWith(`namespaces "default" is forbidden`, "delete", "namespace", "default"),
		failsWith(`namespaces "kube-system" is forbidden`, "delete", "namespace", "kube-system"),
	}

	// get.sh run_kubectl_get_tests
	g["get"] = []cmdStep{
		failsWith(`pods "abc" not found`, "get", "pods", "abc"),
		hasString("", "get", "pods", "abc", "--ignore-not-found"),
		hasString("No resources found", "get", "pods"),
		lacksString("No resources found", "get", "pods", "-o", "json"),
		hasString(`"kind": "List"`, "get", "pods", "-o", "json"),
		hasString("items: []", "get", "pods", "-o", "yaml"),
		failsWith(`the server doesn't have a resource type "nonexistenttype"`, "get", "nonexistenttype"),
		hasString("NAME", "get", "namespaces"),
		hasString("default", "get", "namespaces"),
		hasString("kube-system", "get", "ns", "-o", "name"),
		hasString("namespace/default", "get", "ns", "default", "-o", "name"),
		kc("create", "configmap", "one"),
		kc("create", "configmap", "two"),
		kc("create", "configmap", "three"),
		hasString("configmap/one", "get", "configmaps", "--chunk-size=1", "-o", "name"),
		hasString("configmap/three", "get", "configmaps", "--chunk-size=1", "-o", "name"),
		hasString("configmap/two", "get", "configmaps", "--chunk-size=2", "-o", "name"),
		jsonpathAssert("configmaps --sort-by=.metadata.name", "{.items[*].metadata.name}", "kube-root-ca.crt one three two"),
		hasString("NAME", "get", "cm", "one", "--show-labels"),
		hasString("LABELS", "get", "cm", "one", "--show-labels"),
		hasString("one", "get", "cm", "-l", "!nonexistent"),
		hasString("kube-system", "get", "cm", "-A"),
		hasString("NAMESPACE", "get", "cm", "--all-namespaces"),
		hasString("configmap/one", "get", "cm/one", "cm/two", "-o", "name"),
		hasString("one", "get", "cm", "-o", "custom-columns=NAME:.metadata.name"),
		hasString("configmaps", "api-resources"),
		hasString("deployments", "api-resources", "--api-group=apps"),
		lacksString("pods", "api-resources", "--api-group=apps"),
		hasString("apps/v1", "api-versions"),
		hasString("batch/v1", "api-versions"),
		hasString("rbac.authorization.k8s.io/v1", "api-versions"),
		hasString("policy/v1", "api-versions"),
		hasString("networking.k8s.io/v1", "api-versions"),
		hasString("storage.k8s.io/v1", "api-versions"),
		hasString("discovery.k8s.io/v1", "api-versions"),
		hasString("coordination.k8s.io/v1", "api-versions"),
		hasString(`"kind": "Status"`, "get", "--raw", "/api/v1/namespaces/default/pods/nonexistent-raw-pod"),
	}
	// a raw GET of a missing object exits non-zero with the Status: check it that way.
	raw := &g["get"][len(g["get"])-1]
	raw.check, raw.want = "fails", "NotFound"

	// delete.sh run_kubectl_delete_allnamespaces_tests, run_kubectl_delete_interactive
	g["delete"] = []cmdStep{
		kc("create", "configmap", "one"),
		kc("create", "configmap", "two"),
		kc("label", "configmap", "one", "deletetest=true"),
		kc("label", "configmap", "two", "deletetest=true"),
		kc("delete", "configmap", "-l", "deletetest=true", "--dry-run=server"),
		getAssert("configmap -l deletetest", names, "one:two:"),
		kc("delete", "configmap", "-l", "deletetest=true", "--dry-run=client"),
		getAssert("configmap -l deletetest", names, "one:two:"),
		kc("delete", "configmap", "-l", "deletetest=true"),
		getAssert("configmap -l deletetest", names, ""),
		failsWith("", "delete", "configmap"),
		hasString("No resources found", "delete", "configmap", "-l", "nonexistent=true"),
	}

	// apply.sh run_kubectl_apply_tests, save-config.sh
	g["apply"] = []cmdStep{
		getAssert("pods", names, ""),
		kcIn(applyPod, "apply", "-f", "-"),
		getAssert("pods", names, "test-pod:"),
		hasString("kubectl.kubernetes.io/last-applied-configuration", "get", "pods", "test-pod", "-o", "yaml"),
		kcIn(applyPodChanged, "apply", "-f", "-"),
		getAssert("pod test-pod", "{{.metadata.labels.name}}", "test-pod-applied"),
		hasString("unchanged", "apply", "-f", "-"),
		kc("delete", "pods", "test-pod"),
		kcIn(applyPod, "apply", "--dry-run=client", "-f", "-"),
		kcIn(applyPod, "apply", "--dry-run=server", "-f", "-"),
		getAssert("pods", names, ""),
		kcIn(applyPod, "apply", "--server-side", "-f", "-"),
		getAssert("pods", names, "test-pod:"),
		hasString("kubectl", "get", "--show-managed-fields", "pod", "test-pod", "-o=jsonpath={.metadata.managedFields[*].manager}"),
		kcIn(applyPodChanged, "apply", "--server-side", "-f", "-"),
		getAssert("pod test-pod", "{{.metadata.labels.name}}", "test-pod-applied"),
		failsWithIn(applyPod, "test-pod-applied", "diff", "-f", "-"), // diff exits 1 when the objects differ
		kc("delete", "pods", "test-pod"),
		// save-config.sh
		kc("create", "deployment", "test-save", "--image=registry.k8s.io/pause:3.10", "--save-config"),
		hasString("kubectl.kubernetes.io/last-applied-configuration", "get", "deployment", "test-save", "-o", "yaml"),
		kcIn(testConfigMap, "create", "-f", "-"),
		lacksString("last-applied-configuration", "get", "cm", "test-configmap", "-o", "yaml"),
		kc("apply", "set-last-applied", "-f", "-", "--create-annotation"),
		hasString("last-applied-configuration", "get", "cm", "test-configmap", "-o", "yaml"),
		hasString("key-1", "apply", "view-last-applied", "cm", "test-configmap"),
		kc("delete", "deployment", "test-save"),
		kc("delete", "cm", "test-configmap"),
	}
	fixStdin(g["apply"], "unchanged", applyPodChanged)
	g["apply"][22].stdin = testConfigMap

	// storage.sh run_persistent_volumes_tests, run_persistent_volume_claims_tests, run_storage_class_tests
	g["storage"] = []cmdStep{
		getAssert("pv", names, ""),
		kcIn(pvFixture, "create", "-f", "-"),
		getAssert("pv", names, "pv0001:"),
		getAssert("pv pv0001", "{{.spec.capacity.storage}}", "10Gi"),
		hasString("Reclaim Policy:", "describe", "pv", "pv0001"),
		kc("delete", "pv", "pv0001"),
		getAssert("pv", names, ""),
		getAssert("pvc", names, ""),
		kcIn(pvcFixture, "create", "-f", "-"),
		getAssert("pvc", names, "myclaim-1:"),
		hasString("myclaim-1", "describe", "pvc", "myclaim-1"),
		kc("delete", "pvc", "myclaim-1", "--wait=false"),
		kcIn(storageClassFixture, "create", "-f", "-"),
		getAssert("storageclass", `{{range.items}}{{ if eq .metadata.name "storage-class-name" }}found{{end}}{{end}}:`, "found:"),
		getAssert("sc storage-class-name", "{{.provisioner}}", "kubernetes.io/fake-provisioner-type"),
		hasString("Provisioner:", "describe", "storageclass", "storage-class-name"),
		kc("delete", "storageclass", "storage-class-name"),
		getAssert("storageclass", `{{range.items}}{{ if eq .metadata.name "storage-class-name" }}found{{end}}{{end}}:`, ":"),
	}

	// networking: create.sh run_create_ingress_tests (subset) and ingress fixtures
	g["ingress"] = []cmdStep{
		kcIn(ingressFixture, "create", "-f", "-"),
		getAssert("ingress test-ingress1", `{{(index .spec.rules 0).host}}`, "foo.com"),
		hasString("foo.com", "get", "ingress"),
		kc("create", "ingress", "test-ingress2", "--rule=foo.com/other=svc:port"),
		getAssert("ingress test-ingress2", `{{(index (index .spec.rules 0).http.paths 0).backend.service.port.name}}`, "port"),
		kc("create", "ingress", "test-ingress3", "--default-backend=svc:80", "--class=nginx"),
		getAssert("ingress test-ingress3", `{{.spec.ingressClassName}}`, "nginx"),
		kc("delete", "ingress", "test-ingress1", "test-ingress2", "test-ingress3"),
		getAssert("ingress", names, ""),
	}

	// discovery.sh / leases: EndpointSlices for a Service, Leases in kube-node-lease
	g["discovery"] = []cmdStep{
		kc("create", "service", "clusterip", "sliced", "--tcp=80:80"),
		eventuallyAssert(getAssert("endpointslices -l kubernetes.io/service-name=sliced", `{{len .items}}`, "1")),
		hasString("sliced", "get", "endpointslices"),
		kc("delete", "service", "sliced"),
		hasString("kube-node-lease", "get", "namespaces"),
		kc("create", "-f", "-"),
		getAssert("lease my-lease", "{{.spec.holderIdentity}}", "me"),
		kc("delete", "lease", "my-lease"),
	}
	g["discovery"][5].stdin = `{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"my-lease"},"spec":{"holderIdentity":"me"}}`

	return g
}

// fixStdin gives the step whose want is want the stdin it reads.
func fixStdin(steps []cmdStep, want, stdin string) {
	for i := range steps {
		if steps[i].want == want && steps[i].stdin == "" {
			steps[i].stdin = stdin
			return
		}
	}
}

func countAssertions(groups map[string][]cmdStep) int {
	n := 0
	for _, steps := range groups {
		for _, s := range steps {
			if s.check != "" {
				n++
			}
		}
	}
	return n
}

// knownFailures are carried-over assertions Glassplane does not pass yet,
// keyed "<group>: <kubectl arguments>", with why.
var knownFailures = map[string]string{}

func stepKey(group string, s cmdStep) string { return group + ": " + strings.Join(s.args, " ") }

// runStep runs one step and says what went wrong, or "".
func runStep(c *testcluster.Cluster, bin []string, ns string, s cmdStep) string {
	args := append([]string{"--namespace=" + ns}, s.args...)
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := c.Kubectl(bin, "admin", s.stdin, args...)
		got := strings.TrimSpace(out)
		var problem string
		switch s.check {
		case "":
			if err != nil {
				problem = "failed: " + got
			}
		case "out":
			if err != nil || got != s.want {
				problem = "printed " + strconv.Quote(got) + ", want " + strconv.Quote(s.want)
			}
		case "has", "lacks":
			if err != nil || strings.Contains(got, s.want) != (s.check == "has") {
				problem = s.check + " " + strconv.Quote(s.want) + " failed: " + got
			}
		case "fails":
			if err == nil || !strings.Contains(got, s.want) {
				problem = "want a failure with " + strconv.Quote(s.want) + ", got: " + got
			}
		}
		if problem == "" || !s.eventually || time.Now().After(deadline) {
			return problem
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestUpstreamKubectlCommandAssertions(t *testing.T) {
	t.Parallel()
	groups := upstreamCmdGroups()
	order := make([]string, 0, len(groups))
	for name := range groups {
		order = append(order, name)
	}
	sort.Strings(order)
	total := countAssertions(groups)
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := testcluster.StartCascade(t)
			passed := 0
			for _, group := range order {
				ns := "test-" + group
				if out, err := c.Kubectl(bin, "admin", "", "create", "namespace", ns); err != nil {
					t.Fatalf("create namespace %s: %v\n%s", ns, err, out)
				}
				for _, s := range groups[group] {
					problem := runStep(c, bin, ns, s)
					if problem == "" {
						if s.check != "" {
							passed++
						}
						continue
					}
					key := stepKey(group, s)
					if why, known := knownFailures[key]; known {
						t.Logf("known failure %s (%s): %s", key, why, problem)
						continue
					}
					t.Errorf("%s: %s", key, problem)
				}
			}
			t.Logf("%d of %d carried-over assertions pass", passed, total)
		})
	}
}
