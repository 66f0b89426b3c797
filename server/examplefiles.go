package server

// The terminal's files: the manifests a learner may name after -f.
//
// The seed article says `kubectl create -f hello-deployment.yaml`, and a
// learner types exactly that. The terminal has no disk to read (kubectl runs
// in an empty directory, and the allow-list refuses every path), so it keeps
// a few built-in files instead: the article's hello-deployment.yaml and the
// playground's other examples (web/src/view/examples.ts, kept in step by a
// test). `-f NAME` with one of these names is rewritten to `-f -` with the
// file's text as kubectl's input; any other name, and any path, is refused.

import (
	"sort"
	"strings"
)

// exampleFiles are the built-in files by name; hello-deployment.yaml is the
// seed article's manifest exactly as it was written (apps/v1beta2 included:
// the API server converts it and warns).
var exampleFiles = map[string]string{
	"hello-deployment.yaml": `apiVersion: apps/v1beta2
kind: Deployment
metadata:
  name: helloworld-deployment
spec:
  replicas: 1
  selector:
    matchLabels:
      app: helloworld-pod
  template:
    metadata:
      labels:
        app: helloworld-pod
    spec:
      containers:
      - name: my-pod
        image: zxcvbnius/docker-demo:latest
        ports:
        - containerPort: 3000
`,
	"hello-pod.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: hello-pod
  labels:
    app: hello
spec:
  containers:
  - name: web
    image: nginx:1.27
    ports:
    - containerPort: 80
`,
	"helloworld-service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: helloworld-service
spec:
  selector:
    app: helloworld-pod
  ports:
  - port: 80
    targetPort: 3000
`,
	"greedy-pod.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: greedy-pod
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sleep", "3600"]
    resources:
      requests:
        cpu: "100"
`,
	"mismatched-deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: mismatched
spec:
  replicas: 2
  selector:
    matchLabels:
      app: one-thing
  template:
    metadata:
      labels:
        app: another-thing
    spec:
      containers:
      - name: web
        image: nginx:1.27
`,
	"misspelt-configmap.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: misspelt
  # metadata has labels, not labelz: the API server refuses what it does not know
  labelz:
    app: hello
data:
  greeting: hello
`,
}

// exampleNames lists the built-in files, sorted, for messages.
func exampleNames() string {
	var names []string
	for n := range exampleFiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
