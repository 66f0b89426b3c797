package printers

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// created is ten minutes ago, so every AGE cell reads "10m".
var created = metav1.NewTime(time.Now().Add(-10 * time.Minute))

func objMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: "default", CreationTimestamp: created, ResourceVersion: "7"}
}

func ptr[T any](v T) *T { return &v }

func runningPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: objMeta("web"),
		Spec:       corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{{Name: "app", Image: "nginx"}}},
		Status: corev1.PodStatus{
			Phase:  corev1.PodRunning,
			PodIPs: []corev1.PodIP{{IP: "10.0.0.5"}},
			ContainerStatuses: []corev1.ContainerStatus{{
				Name: "app", Ready: true,
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
			}},
		},
	}
}

func TestRows(t *testing.T) {
	creating := runningPod()
	creating.Status = corev1.PodStatus{
		Phase: corev1.PodPending,
		ContainerStatuses: []corev1.ContainerStatus{{
			Name:  "app",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}},
		}},
	}
	creating.Spec.NodeName = ""

	terminating := runningPod()
	terminating.DeletionTimestamp = ptr(metav1.Now())

	crashing := runningPod()
	crashing.Status.ContainerStatuses[0] = corev1.ContainerStatus{
		Name: "app", RestartCount: 3,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
		LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			FinishedAt: metav1.NewTime(time.Now().Add(-5 * time.Minute)),
		}},
	}

	initializing := runningPod()
	initializing.Spec.InitContainers = []corev1.Container{{Name: "setup"}}
	initializing.Status.Phase = corev1.PodPending
	initializing.Status.InitContainerStatuses = []corev1.ContainerStatus{{
		Name: "setup", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
	}}
	initializing.Status.ContainerStatuses = nil

	completed := runningPod()
	completed.Status.Phase = corev1.PodSucceeded
	completed.Status.ContainerStatuses[0] = corev1.ContainerStatus{
		Name: "app", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}},
	}

	deployment := &appsv1.Deployment{
		ObjectMeta: objMeta("web"),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr(int32(1)),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{
				{Name: "app", Image: "nginx:1.27"}, {Name: "proxy", Image: "envoy"},
			}}},
		},
		Status: appsv1.DeploymentStatus{ReadyReplicas: 1, UpdatedReplicas: 1, AvailableReplicas: 1},
	}

	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "node-1", CreationTimestamp: created, Labels: map[string]string{
			"node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "worker",
		}},
		Spec: corev1.NodeSpec{Unschedulable: true},
		Status: corev1.NodeStatus{
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionFalse}},
			Addresses:  []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "192.168.1.10"}},
			NodeInfo:   corev1.NodeSystemInfo{KubeletVersion: "v1.37.2", OSImage: "Debian"},
		},
	}

	service := &corev1.Service{
		ObjectMeta: objMeta("web"),
		Spec: corev1.ServiceSpec{
			Type:       corev1.ServiceTypeNodePort,
			ClusterIPs: []string{"10.96.0.10"},
			Ports:      []corev1.ServicePort{{Port: 80, NodePort: 30080, Protocol: corev1.ProtocolTCP}, {Port: 443, Protocol: corev1.ProtocolTCP}},
			Selector:   map[string]string{"app": "web"},
		},
	}

	endpoints := &corev1.Endpoints{ObjectMeta: objMeta("web"), Subsets: []corev1.EndpointSubset{{
		Addresses: []corev1.EndpointAddress{{IP: "10.0.0.1"}, {IP: "10.0.0.2"}, {IP: "10.0.0.3"}, {IP: "10.0.0.4"}},
		Ports:     []corev1.EndpointPort{{Port: 80}},
	}}}

	binding := &rbacv1.RoleBinding{
		ObjectMeta: objMeta("readers"),
		RoleRef:    rbacv1.RoleRef{Kind: "ClusterRole", Name: "view"},
		Subjects: []rbacv1.Subject{
			{Kind: "User", Name: "alice"}, {Kind: "Group", Name: "ops"},
			{Kind: "ServiceAccount", Namespace: "kube-system", Name: "robot"},
		},
	}

	event := &corev1.Event{
		ObjectMeta:     objMeta("web.1"),
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "web", FieldPath: "spec.containers{app}"},
		Type:           "Normal", Reason: "Pulled", Message: " pulled image \n",
		Source:         corev1.EventSource{Component: "kubelet", Host: "node-1"},
		FirstTimestamp: created, LastTimestamp: created, Count: 2,
	}

	role := &rbacv1.Role{ObjectMeta: objMeta("reader")}

	tests := []struct {
		name string
		obj  runtime.Object
		want []any
	}{
		{"running pod", runningPod(), []any{"web", "1/1", "Running", "0", "10m", "10.0.0.5", "node-1", "<none>", "<none>"}},
		{"creating pod", creating, []any{"web", "0/1", "ContainerCreating", "0", "10m", "<none>", "<none>", "<none>", "<none>"}},
		{"terminating pod", terminating, []any{"web", "1/1", "Terminating", "0", "10m", "10.0.0.5", "node-1", "<none>", "<none>"}},
		{"crashing pod", crashing, []any{"web", "0/1", "CrashLoopBackOff", "3 (5m ago)", "10m", "10.0.0.5", "node-1", "<none>", "<none>"}},
		{"initializing pod", initializing, []any{"web", "0/1", "Init:0/1", "0", "10m", "10.0.0.5", "node-1", "<none>", "<none>"}},
		{"completed pod", completed, []any{"web", "0/1", "Completed", "0", "10m", "10.0.0.5", "node-1", "<none>", "<none>"}},
		{"deployment", deployment, []any{"web", "1/1", int64(1), int64(1), "10m", "app,proxy", "nginx:1.27,envoy", "app=web"}},
		{"node", node, []any{"node-1", "NotReady,SchedulingDisabled", "control-plane,worker", "10m", "v1.37.2", "192.168.1.10", "<none>", "Debian", "<unknown>", "<unknown>"}},
		{"service", service, []any{"web", "NodePort", "10.96.0.10", "<none>", "80:30080/TCP,443/TCP", "10m", "app=web"}},
		{"endpoints", endpoints, []any{"web", "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...", "10m"}},
		{"role binding", binding, []any{"readers", "ClusterRole/view", "10m", "alice", "ops", "kube-system/robot"}},
		{"event", event, []any{"10m", "Normal", "Pulled", "pod/web", "spec.containers{app}", "kubelet, node-1", "pulled image", "10m", int64(2), "web.1"}},
		{"role uses default columns", role, []any{"reader", created.UTC().Format(time.RFC3339)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table, err := TableFor(tt.obj, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(table.Rows) != 1 {
				t.Fatalf("got %d rows, want 1", len(table.Rows))
			}
			if got := table.Rows[0].Cells; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("cells:\n got %#v\nwant %#v", got, tt.want)
			}
			if len(table.ColumnDefinitions) != len(tt.want) {
				t.Errorf("%d columns for %d cells", len(table.ColumnDefinitions), len(tt.want))
			}
		})
	}
}

func TestColumns(t *testing.T) {
	table, err := TableFor(runningPod(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var wide []string
	for _, c := range table.ColumnDefinitions {
		names = append(names, c.Name)
		if c.Priority == 1 {
			wide = append(wide, c.Name)
		}
	}
	want := []string{"Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("columns = %v, want %v", names, want)
	}
	if !reflect.DeepEqual(wide, want[5:]) {
		t.Errorf("wide columns = %v, want %v", wide, want[5:])
	}
	if name := table.ColumnDefinitions[0]; name.Format != "name" || name.Description == "" {
		t.Errorf("name column = %+v", name)
	}
	if table.APIVersion != "meta.k8s.io/v1" || table.Kind != "Table" {
		t.Errorf("table TypeMeta = %+v", table.TypeMeta)
	}
}

func TestNoHeaders(t *testing.T) {
	table, err := TableFor(runningPod(), &metav1.TableOptions{NoHeaders: true})
	if err != nil {
		t.Fatal(err)
	}
	if table.ColumnDefinitions != nil {
		t.Errorf("expected no column definitions, got %d", len(table.ColumnDefinitions))
	}
	if len(table.Rows) != 1 {
		t.Errorf("rows should still be printed")
	}
}

func TestIncludeObject(t *testing.T) {
	tests := []struct {
		policy              metav1.IncludeObjectPolicy
		wantAPIVersion      string
		wantKind            string
		wantNil, wantSpecOK bool
	}{
		{policy: "", wantAPIVersion: "meta.k8s.io/v1", wantKind: "PartialObjectMetadata"},
		{policy: metav1.IncludeMetadata, wantAPIVersion: "meta.k8s.io/v1", wantKind: "PartialObjectMetadata"},
		{policy: metav1.IncludeObject, wantAPIVersion: "v1", wantKind: "Pod", wantSpecOK: true},
		{policy: metav1.IncludeNone, wantNil: true},
	}
	for _, tt := range tests {
		t.Run(string(tt.policy), func(t *testing.T) {
			pod := runningPod()
			table, err := TableFor(pod, &metav1.TableOptions{IncludeObject: tt.policy})
			if err != nil {
				t.Fatal(err)
			}
			obj := table.Rows[0].Object
			if tt.wantNil {
				if obj.Object != nil || obj.Raw != nil {
					t.Errorf("expected an empty object, got %#v", obj)
				}
				return
			}
			raw, err := json.Marshal(obj)
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				APIVersion string         `json:"apiVersion"`
				Kind       string         `json:"kind"`
				Metadata   map[string]any `json:"metadata"`
				Spec       map[string]any `json:"spec"`
			}
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			if got.APIVersion != tt.wantAPIVersion || got.Kind != tt.wantKind {
				t.Errorf("got %s %s, want %s %s", got.APIVersion, got.Kind, tt.wantAPIVersion, tt.wantKind)
			}
			if got.Metadata["name"] != "web" {
				t.Errorf("metadata.name = %v", got.Metadata["name"])
			}
			if (got.Spec != nil) != tt.wantSpecOK {
				t.Errorf("spec present = %v, want %v", got.Spec != nil, tt.wantSpecOK)
			}
			if pod.Kind != "" {
				t.Errorf("TableFor must not modify the caller's object")
			}
		})
	}
}

func TestList(t *testing.T) {
	list := &corev1.PodList{
		ListMeta: metav1.ListMeta{ResourceVersion: "42", Continue: "next-page"},
		Items:    []corev1.Pod{*runningPod(), *runningPod()},
	}
	list.Items[1].Name = "web-2"
	table, err := TableFor(list, nil)
	if err != nil {
		t.Fatal(err)
	}
	if table.ResourceVersion != "42" || table.Continue != "next-page" {
		t.Errorf("list meta = %+v", table.ListMeta)
	}
	if len(table.Rows) != 2 || table.Rows[1].Cells[0] != "web-2" {
		t.Errorf("rows = %+v", table.Rows)
	}

	empty, err := TableFor(&corev1.PodList{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(empty.ColumnDefinitions) != len(podColumns) || empty.Rows == nil {
		t.Errorf("an empty pod list still needs pod columns and an empty rows array")
	}

	roles, err := TableFor(&rbacv1.ClusterRoleList{Items: []rbacv1.ClusterRole{{ObjectMeta: objMeta("admin")}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := roles.ColumnDefinitions[1].Name; got != "Created At" {
		t.Errorf("cluster roles second column = %q, want Created At", got)
	}
}

func TestSingleObjectKeepsResourceVersion(t *testing.T) {
	table, err := TableFor(runningPod(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if table.ResourceVersion != "7" {
		t.Errorf("resourceVersion = %q, want 7", table.ResourceVersion)
	}
}
