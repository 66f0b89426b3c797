package controlplane_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/apiserver"
	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

const badSelectorDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: bad
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: other
    spec:
      containers:
      - name: app
        image: nginx
`

func TestKubectlPrintsTheFieldOfAnInvalidDeployment(t *testing.T) {
	t.Parallel()
	for name, bin := range kubectls(t) {
		t.Run(name, func(t *testing.T) {
			c := testcluster.Start(t)
			out, err := c.Kubectl(bin, "admin", badSelectorDeployment, "create", "-f", "-")
			if err == nil {
				t.Fatalf("kubectl create of a mismatched selector succeeded:\n%s", out)
			}
			for _, want := range []string{`The Deployment "bad" is invalid`,
				"spec.template.metadata.labels: Invalid value: ", "`selector` does not match template `labels`"} {
				if !strings.Contains(out, want) {
					t.Errorf("kubectl printed\n%s\nwithout %q", out, want)
				}
			}
			_, err = c.Client("admin").AppsV1().Deployments("default").Get(context.Background(), "bad", metav1.GetOptions{})
			if !apierrors.IsNotFound(err) {
				t.Errorf("after the refused create, get gave %v, want NotFound", err)
			}
		})
	}
}

// vPod is a valid pod; vDeployment a valid Deployment.
func vPod(name string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx",
			Ports: []corev1.ContainerPort{{ContainerPort: 80}}}}}}
}

func vDeployment(name string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}}}}}
}

func vService(name string) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": name}, Ports: []corev1.ServicePort{{Port: 80}}}}
}

// invalidCreate is one create that validation must refuse with a cause.
type invalidCreate struct {
	name   string
	create func(ctx context.Context, cs kubernetes.Interface) error
	get    func(ctx context.Context, cs kubernetes.Interface) error // nil: nothing to check
	field  string
	msg    string
}

func podCase(name, field, msg string, edit func(*corev1.Pod)) invalidCreate {
	p := vPod(strings.ReplaceAll(name, " ", "-"))
	edit(p)
	return invalidCreate{name: name, field: field, msg: msg,
		create: func(ctx context.Context, cs kubernetes.Interface) error {
			_, err := cs.CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{})
			return err
		},
		get: func(ctx context.Context, cs kubernetes.Interface) error {
			_, err := cs.CoreV1().Pods("default").Get(ctx, p.Name, metav1.GetOptions{})
			return err
		}}
}

func deploymentCase(name, field, msg string, edit func(*appsv1.Deployment)) invalidCreate {
	d := vDeployment(strings.ReplaceAll(name, " ", "-"))
	edit(d)
	return invalidCreate{name: name, field: field, msg: msg,
		create: func(ctx context.Context, cs kubernetes.Interface) error {
			_, err := cs.AppsV1().Deployments("default").Create(ctx, d, metav1.CreateOptions{})
			return err
		},
		get: func(ctx context.Context, cs kubernetes.Interface) error {
			_, err := cs.AppsV1().Deployments("default").Get(ctx, d.Name, metav1.GetOptions{})
			return err
		}}
}

func serviceCase(name, field, msg string, edit func(*corev1.Service)) invalidCreate {
	s := vService(strings.ReplaceAll(name, " ", "-"))
	edit(s)
	return invalidCreate{name: name, field: field, msg: msg,
		create: func(ctx context.Context, cs kubernetes.Interface) error {
			_, err := cs.CoreV1().Services("default").Create(ctx, s, metav1.CreateOptions{})
			return err
		},
		get: func(ctx context.Context, cs kubernetes.Interface) error {
			_, err := cs.CoreV1().Services("default").Get(ctx, s.Name, metav1.GetOptions{})
			return err
		}}
}

func otherCase(name, field, msg string, create func(ctx context.Context, cs kubernetes.Interface) error) invalidCreate {
	return invalidCreate{name: name, field: field, msg: msg, create: create}
}

func TestInvalidCreatesAnswer422WithTheFieldAndLeaveNothingBehind(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	cs := c.Client("admin")
	ctx := context.Background()
	zero := intstr.FromInt32(0)
	cases := []invalidCreate{
		podCase("no containers", "spec.containers", "Required value", func(p *corev1.Pod) { p.Spec.Containers = nil }),
		podCase("no image", "spec.containers[0].image", "Required value", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "" }),
		podCase("bad container name", "spec.containers[0].name", "RFC 1123 label", func(p *corev1.Pod) { p.Spec.Containers[0].Name = "App" }),
		podCase("duplicate container", "spec.containers[1].name", "Duplicate value", func(p *corev1.Pod) {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "app", Image: "busybox"})
		}),
		podCase("port too big", "spec.containers[0].ports[0].containerPort", "must be between 1 and 65535, inclusive", func(p *corev1.Pod) {
			p.Spec.Containers[0].Ports[0].ContainerPort = 70000
		}),
		podCase("bad protocol", "spec.containers[0].ports[0].protocol", "Unsupported value", func(p *corev1.Pod) {
			p.Spec.Containers[0].Ports[0].Protocol = "HTTP"
		}),
		podCase("request over limit", "spec.containers[0].resources.requests[cpu]", "must be less than or equal to cpu limit of 1", func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources = corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")}}
		}),
		podCase("bad restart policy", "spec.restartPolicy", "Unsupported value", func(p *corev1.Pod) { p.Spec.RestartPolicy = "Sometimes" }),
		podCase("bad dns policy", "spec.dnsPolicy", "Unsupported value", func(p *corev1.Pod) { p.Spec.DNSPolicy = "Google" }),
		podCase("bad label", "metadata.labels", "Invalid value", func(p *corev1.Pod) { p.Labels = map[string]string{"app": "-x"} }),
		deploymentCase("no selector", "spec.selector", "Required value", func(d *appsv1.Deployment) { d.Spec.Selector = nil }),
		deploymentCase("empty selector", "spec.selector", "empty selector is invalid for deployment", func(d *appsv1.Deployment) {
			d.Spec.Selector = &metav1.LabelSelector{}
		}),
		deploymentCase("selector mismatch", "spec.template.metadata.labels", "`selector` does not match template `labels`", func(d *appsv1.Deployment) {
			d.Spec.Template.Labels = map[string]string{"app": "other"}
		}),
		deploymentCase("negative replicas", "spec.replicas", "must be greater than or equal to 0", func(d *appsv1.Deployment) {
			d.Spec.Replicas = ptr.To(int32(-1))
		}),
		deploymentCase("zero surge and unavailable", "spec.strategy.rollingUpdate.maxUnavailable", "may not be 0 when `maxSurge` is 0", func(d *appsv1.Deployment) {
			d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &zero, MaxUnavailable: &zero}}
		}),
		deploymentCase("negative history", "spec.revisionHistoryLimit", "must be greater than or equal to 0", func(d *appsv1.Deployment) {
			d.Spec.RevisionHistoryLimit = ptr.To(int32(-1))
		}),
		deploymentCase("template restart never", "spec.template.spec.restartPolicy", `supported values: "Always"`, func(d *appsv1.Deployment) {
			d.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
		}),
		serviceCase("no ports", "spec.ports", "Required value", func(s *corev1.Service) { s.Spec.Ports = nil }),
		serviceCase("service port zero", "spec.ports[0].port", "must be between 1 and 65535, inclusive", func(s *corev1.Service) { s.Spec.Ports[0].Port = 0 }),
		serviceCase("duplicate port names", "spec.ports[1].name", "Duplicate value", func(s *corev1.Service) {
			s.Spec.Ports = []corev1.ServicePort{{Name: "web", Port: 80}, {Name: "web", Port: 443}}
		}),
		serviceCase("bad selector", "spec.selector", "Invalid value", func(s *corev1.Service) { s.Spec.Selector = map[string]string{"app": "-x"} }),
		serviceCase("bad type", "spec.type", "Unsupported value", func(s *corev1.Service) { s.Spec.Type = "Internal" }),
		otherCase("configmap key", "data[a/b]", "Invalid value", func(ctx context.Context, cs kubernetes.Interface) error {
			_, err := cs.CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm"},
				Data: map[string]string{"a/b": "1"}}, metav1.CreateOptions{})
			return err
		}),
		otherCase("tls secret", "data[tls.key]", "Required value", func(ctx context.Context, cs kubernetes.Interface) error {
			_, err := cs.CoreV1().Secrets("default").Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "tls"},
				Type: corev1.SecretTypeTLS, Data: map[string][]byte{"tls.crt": []byte("c")}}, metav1.CreateOptions{})
			return err
		}),
		otherCase("role without verbs", "rules[0].verbs", "verbs must contain at least one value", func(ctx context.Context, cs kubernetes.Interface) error {
			_, err := cs.RbacV1().Roles("default").Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r"},
				Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}}}}, metav1.CreateOptions{})
			return err
		}),
		otherCase("lease of 0 seconds", "spec.leaseDurationSeconds", "must be greater than 0", func(ctx context.Context, cs kubernetes.Interface) error {
			_, err := cs.CoordinationV1().Leases("default").Create(ctx, &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: "l"},
				Spec: coordinationv1.LeaseSpec{LeaseDurationSeconds: ptr.To(int32(0))}}, metav1.CreateOptions{})
			return err
		}),
		otherCase("quota on widgets", "spec.hard[widgets]", "must be a standard resource for quota", func(ctx context.Context, cs kubernetes.Interface) error {
			_, err := cs.CoreV1().ResourceQuotas("default").Create(ctx, &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "q"},
				Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"widgets": resource.MustParse("1")}}}, metav1.CreateOptions{})
			return err
		}),
		otherCase("node taint without effect", "spec.taints[0].effect", "Required value", func(ctx context.Context, cs kubernetes.Interface) error {
			_, err := cs.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n"},
				Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "gpu"}}}}, metav1.CreateOptions{})
			return err
		}),
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectInvalid(t, tc.create(ctx, cs), tc.field, tc.msg)
			if tc.get != nil {
				if err := tc.get(ctx, cs); !apierrors.IsNotFound(err) {
					t.Errorf("after the refused create, get gave %v, want NotFound", err)
				}
			}
		})
	}
}

// expectInvalid checks for 422 Invalid with a cause on field whose message
// contains msg.
func expectInvalid(t *testing.T, err error, field, msg string) {
	t.Helper()
	if !apierrors.IsInvalid(err) {
		t.Fatalf("got %v, want 422 Invalid", err)
	}
	var st apierrors.APIStatus
	if !errors.As(err, &st) || st.Status().Code != 422 || st.Status().Details == nil {
		t.Fatalf("got status %+v, want 422 with details", err)
	}
	for _, c := range st.Status().Details.Causes {
		if c.Field == field && strings.Contains(c.Message, msg) {
			return
		}
	}
	t.Errorf("causes %+v have none on %s containing %q", st.Status().Details.Causes, field, msg)
}

func TestUpdatesMayNotChangeImmutableFields(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	cs := c.Client("admin")
	ctx := context.Background()

	d, err := cs.AppsV1().Deployments("default").Create(ctx, vDeployment("web"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Spec.Selector.MatchLabels["tier"] = "front"
	d.Spec.Template.Labels["tier"] = "front"
	_, err = cs.AppsV1().Deployments("default").Update(ctx, d, metav1.UpdateOptions{})
	expectInvalid(t, err, "spec.selector", "field is immutable")

	p, err := cs.CoreV1().Pods("default").Create(ctx, vPod("web"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	changed := p.DeepCopy()
	changed.Spec.Containers[0].Ports[0].ContainerPort = 8080
	_, err = cs.CoreV1().Pods("default").Update(ctx, changed, metav1.UpdateOptions{})
	expectInvalid(t, err, "spec", "pod updates may not change fields other than `spec.containers[*].image`")
	p.Spec.Containers[0].Image = "nginx:1.27"
	if _, err := cs.CoreV1().Pods("default").Update(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Errorf("changing a pod's image: %v", err)
	}

	svc := vService("web")
	svc.Spec.ClusterIP = "10.96.0.10"
	svc, err = cs.CoreV1().Services("default").Create(ctx, svc, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	svc.Spec.ClusterIP = "10.96.0.11"
	_, err = cs.CoreV1().Services("default").Update(ctx, svc, metav1.UpdateOptions{})
	expectInvalid(t, err, "spec.clusterIPs[0]", "may not change once set")
}

func TestCreateInAMissingNamespaceIsNotFound(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	_, err := c.Client("admin").CoreV1().Pods("nope").Create(context.Background(), vPod("web"), metav1.CreateOptions{})
	if !apierrors.IsNotFound(err) || err.Error() != `namespaces "nope" not found` {
		t.Fatalf("got %v, want 404 namespaces \"nope\" not found", err)
	}
}

func TestCreatedPodGetsAServiceAccountTokenAndDefaultTolerations(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx := context.Background()
	p := vPod("web")
	p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "side", Image: "busybox"})
	p, err := c.Client("admin").CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Spec.ServiceAccountName != "default" {
		t.Errorf("serviceAccountName %q, want default", p.Spec.ServiceAccountName)
	}
	if len(p.Spec.Volumes) != 1 || !strings.HasPrefix(p.Spec.Volumes[0].Name, "kube-api-access-") ||
		len(p.Spec.Volumes[0].Name) != len("kube-api-access-")+5 || p.Spec.Volumes[0].Projected == nil {
		t.Fatalf("volumes %+v, want one projected kube-api-access-xxxxx", p.Spec.Volumes)
	}
	src := p.Spec.Volumes[0].Projected.Sources
	if len(src) != 3 || src[0].ServiceAccountToken == nil || *src[0].ServiceAccountToken.ExpirationSeconds != 3607 ||
		src[1].ConfigMap == nil || src[1].ConfigMap.Name != "kube-root-ca.crt" || src[1].ConfigMap.Items[0].Key != "ca.crt" ||
		src[2].DownwardAPI == nil || src[2].DownwardAPI.Items[0].FieldRef.FieldPath != "metadata.namespace" {
		t.Errorf("projected sources %+v, want token (3607s), kube-root-ca.crt/ca.crt, namespace", src)
	}
	for _, ctr := range p.Spec.Containers {
		m := ctr.VolumeMounts
		if len(m) != 1 || m[0].Name != p.Spec.Volumes[0].Name || !m[0].ReadOnly ||
			m[0].MountPath != "/var/run/secrets/kubernetes.io/serviceaccount" {
			t.Errorf("container %s mounts %+v, want the token volume read-only", ctr.Name, m)
		}
	}
	want := map[string]bool{"node.kubernetes.io/not-ready": true, "node.kubernetes.io/unreachable": true}
	for _, tol := range p.Spec.Tolerations {
		if want[tol.Key] && tol.Effect == corev1.TaintEffectNoExecute && tol.Operator == corev1.TolerationOpExists &&
			tol.TolerationSeconds != nil && *tol.TolerationSeconds == 300 {
			delete(want, tol.Key)
		}
	}
	if len(want) > 0 {
		t.Errorf("tolerations %+v lack 300s NoExecute for %v", p.Spec.Tolerations, want)
	}
}

func TestServiceAccountAdmission(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	cs := c.Client("admin")
	ctx := context.Background()

	noMount := vPod("no-mount")
	noMount.Spec.AutomountServiceAccountToken = ptr.To(false)
	got, err := cs.CoreV1().Pods("default").Create(ctx, noMount, metav1.CreateOptions{})
	if err != nil || len(got.Spec.Volumes) != 0 || len(got.Spec.Containers[0].VolumeMounts) != 0 {
		t.Errorf("automountServiceAccountToken: false: err %v, volumes %+v", err, got.Spec.Volumes)
	}

	ghost := vPod("ghost")
	ghost.Spec.ServiceAccountName = "ghost"
	_, err = cs.CoreV1().Pods("default").Create(ctx, ghost, metav1.CreateOptions{})
	want := `pods "ghost" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found`
	if !apierrors.IsForbidden(err) || err.Error() != want {
		t.Errorf("pod with a missing service account: %v, want %s", err, want)
	}

	// A namespace whose default ServiceAccount was never created (no
	// controller manager runs here): the plugin looks for a while, then refuses.
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "bare"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = cs.CoreV1().Pods("bare").Create(ctx, vPod("x"), metav1.CreateOptions{})
	want = `pods "x" is forbidden: error looking up service account bare/default: serviceaccount "default" not found`
	if !apierrors.IsForbidden(err) || err.Error() != want {
		t.Errorf("pod without a default service account: %v, want %s", err, want)
	}
	if _, err := cs.CoreV1().Pods("bare").Get(ctx, "x", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the refused pod was stored: %v", err)
	}
}

func TestResourceQuotaRefusesCreatesPastTheLimit(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	cs := c.Client("admin")
	ctx := context.Background()
	quota := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "small"},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"pods": resource.MustParse("2"), "count/deployments.apps": resource.MustParse("1")}}}
	if _, err := cs.CoreV1().ResourceQuotas("default").Create(ctx, quota, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b"} {
		if _, err := cs.CoreV1().Pods("default").Create(ctx, vPod(name), metav1.CreateOptions{}); err != nil {
			t.Fatalf("pod %s within the quota: %v", name, err)
		}
	}
	_, err := cs.CoreV1().Pods("default").Create(ctx, vPod("c"), metav1.CreateOptions{})
	want := `pods "c" is forbidden: exceeded quota: small, requested: pods=1, used: pods=2, limited: pods=2`
	if !apierrors.IsForbidden(err) || err.Error() != want {
		t.Errorf("third pod: %v, want %s", err, want)
	}
	if _, err := cs.CoreV1().Pods("default").Get(ctx, "c", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the refused pod was stored: %v", err)
	}
	if err := cs.CoreV1().Pods("default").Delete(ctx, "a", metav1.DeleteOptions{GracePeriodSeconds: ptr.To(int64(0))}); err != nil {
		t.Fatal(err)
	}
	// The delete frees a place; poll, since a deletion may take a moment.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, err := cs.CoreV1().Pods("default").Create(ctx, vPod("c"), metav1.CreateOptions{})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a pod past the quota after another was deleted: still %v", err)
		}
	}

	if _, err := cs.AppsV1().Deployments("default").Create(ctx, vDeployment("one"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = cs.AppsV1().Deployments("default").Create(ctx, vDeployment("two"), metav1.CreateOptions{})
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "exceeded quota: small, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1") {
		t.Errorf("second deployment: %v", err)
	}
}

func TestResourceQuotaOnCPUMakesPodsStateTheirRequests(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	cs := c.Client("admin")
	ctx := context.Background()
	quota := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "compute"},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"requests.cpu": resource.MustParse("1")}}}
	if _, err := cs.CoreV1().ResourceQuotas("default").Create(ctx, quota, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := cs.CoreV1().Pods("default").Create(ctx, vPod("greedy"), metav1.CreateOptions{})
	want := `pods "greedy" is forbidden: failed quota: compute: must specify requests.cpu for: app`
	if !apierrors.IsForbidden(err) || err.Error() != want {
		t.Errorf("pod without requests: %v, want %s", err, want)
	}
	withCPU := func(name, cpu string) *corev1.Pod {
		p := vPod(name)
		p.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}
		return p
	}
	if _, err := cs.CoreV1().Pods("default").Create(ctx, withCPU("half", "500m"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = cs.CoreV1().Pods("default").Create(ctx, withCPU("more", "600m"), metav1.CreateOptions{})
	want = `pods "more" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=500m, limited: requests.cpu=1`
	if !apierrors.IsForbidden(err) || err.Error() != want {
		t.Errorf("pod past the cpu quota: %v, want %s", err, want)
	}
}

func TestCreateStepsRunEachAdmissionPluginInChainOrder(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	if _, err := c.Client("admin").CoreV1().Pods("default").Create(context.Background(), vPod("web"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	trace := traceOf(c.Steps.Since(0, 0), "create", "pods")
	var stages, plugins []string
	patched := map[string]bool{}
	for _, s := range trace {
		if len(stages) == 0 || stages[len(stages)-1] != s.Stage {
			stages = append(stages, s.Stage)
		}
		if d, ok := s.Detail.(apiserver.AdmissionDetail); ok && s.Stage == steps.Admit {
			plugins = append(plugins, d.Plugin)
			patched[d.Plugin] = len(d.Patch) > 0
		}
	}
	wantStages := []string{steps.Request, steps.Authenticate, steps.Authorize, steps.Admit, steps.Validate, steps.Store, steps.Respond}
	if strings.Join(stages, ",") != strings.Join(wantStages, ",") {
		t.Errorf("stages %v, want %v", stages, wantStages)
	}
	wantPlugins := []string{"Defaulting", "NamespaceLifecycle", "ServiceAccount", "DefaultTolerationSeconds", "Priority", "ResourceQuota"}
	if strings.Join(plugins, ",") != strings.Join(wantPlugins, ",") {
		t.Errorf("admission plugins %v, want %v", plugins, wantPlugins)
	}
	for _, p := range []string{"Defaulting", "ServiceAccount", "DefaultTolerationSeconds", "Priority"} {
		if !patched[p] {
			t.Errorf("the %s step shows no patch", p)
		}
	}
	if patched["NamespaceLifecycle"] {
		t.Errorf("NamespaceLifecycle, a validating plugin, shows a patch")
	}
}
