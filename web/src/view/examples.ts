// The playground's manifests. The first is the seed article's
// hello-deployment.yaml, exactly as it was written (apps/v1beta2 included:
// the API server converts it and warns). Each has a file name: the terminal
// knows the same files by these names (`kubectl create -f NAME`, server/
// examplefiles.go; a test keeps the two in step).

export interface Example { id: string; file: string; en: string; zh: string; yaml: string }

export const helloDeployment = `apiVersion: apps/v1beta2
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
`;

export const examples: Example[] = [
  { id: "hello", file: "hello-deployment.yaml", en: "hello-deployment.yaml (the article's Deployment)", zh: "hello-deployment.yaml（文章裡的 Deployment）", yaml: helloDeployment },
  {
    id: "pod", file: "hello-pod.yaml", en: "A single Pod (hello-pod.yaml)", zh: "單一個 Pod（hello-pod.yaml）", yaml: `apiVersion: v1
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
  },
  {
    id: "service", file: "helloworld-service.yaml", en: "A Service in front of the Deployment (helloworld-service.yaml)",
    zh: "Deployment 前面的 Service（helloworld-service.yaml）", yaml: `apiVersion: v1
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
  },
  {
    id: "huge", file: "greedy-pod.yaml", en: "A Pod asking for 100 CPUs (stays Pending; greedy-pod.yaml)",
    zh: "要求 100 顆 CPU 的 Pod（會一直等待；greedy-pod.yaml）", yaml: `apiVersion: v1
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
  },
  {
    id: "badselector", file: "mismatched-deployment.yaml", en: "A Deployment whose selector does not match (422; mismatched-deployment.yaml)",
    zh: "選擇器對不上的 Deployment（422；mismatched-deployment.yaml）", yaml: `apiVersion: apps/v1
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
  },
  {
    id: "unknownfield", file: "misspelt-configmap.yaml", en: "A ConfigMap with a misspelt field (400; misspelt-configmap.yaml)",
    zh: "欄位名稱拼錯的 ConfigMap（400；misspelt-configmap.yaml）", yaml: `apiVersion: v1
kind: ConfigMap
metadata:
  name: misspelt
  # metadata has labels, not labelz: the API server refuses what it does not know
  labelz:
    app: hello
data:
  greeting: hello
`,
  },
];
