package defaults

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"
)

// The seed article's manifest, verbatim.
func seedYAML(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "hello-deployment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func seed(t *testing.T) *appsv1.Deployment {
	t.Helper()
	d := &appsv1.Deployment{}
	if err := yaml.Unmarshal(seedYAML(t), d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSeedDeployment(t *testing.T) {
	d := seed(t)
	Default(d)

	want := appsv1.DeploymentSpec{
		Replicas: ptr.To[int32](1), // set by the user: left alone
		Selector: d.Spec.Selector,
		Strategy: appsv1.DeploymentStrategy{
			Type: appsv1.RollingUpdateDeploymentStrategyType,
			RollingUpdate: &appsv1.RollingUpdateDeployment{
				MaxUnavailable: ptr.To(intstr.FromString("25%")),
				MaxSurge:       ptr.To(intstr.FromString("25%")),
			},
		},
		RevisionHistoryLimit:    ptr.To[int32](10),
		ProgressDeadlineSeconds: ptr.To[int32](600),
		Template: corev1.PodTemplateSpec{
			ObjectMeta: d.Spec.Template.ObjectMeta,
			Spec: corev1.PodSpec{
				Containers: []corev1.Container{{
					Name:                     "my-pod",
					Image:                    "zxcvbnius/docker-demo:latest",
					Ports:                    []corev1.ContainerPort{{ContainerPort: 3000, Protocol: corev1.ProtocolTCP}},
					ImagePullPolicy:          corev1.PullAlways,
					TerminationMessagePath:   "/dev/termination-log",
					TerminationMessagePolicy: corev1.TerminationMessageReadFile,
				}},
				RestartPolicy:                 corev1.RestartPolicyAlways,
				TerminationGracePeriodSeconds: ptr.To[int64](30),
				DNSPolicy:                     corev1.DNSClusterFirst,
				SecurityContext:               &corev1.PodSecurityContext{},
				SchedulerName:                 "default-scheduler",
			},
		},
	}
	if !equality.Semantic.DeepEqual(d.Spec, want) {
		got, _ := json.MarshalIndent(d.Spec, "", "  ")
		t.Errorf("defaulted spec:\n%s", got)
	}
}

func TestImagePullPolicy(t *testing.T) {
	tests := []struct {
		image string
		want  corev1.PullPolicy
	}{
		{"nginx:latest", corev1.PullAlways},
		{"nginx", corev1.PullAlways},
		{"nginx:1.25", corev1.PullIfNotPresent},
		{"registry.example.com:5000/team/app", corev1.PullAlways},
		{"registry.example.com:5000/team/app:v2", corev1.PullIfNotPresent},
		{"nginx@sha256:0123456789012345678901234567890123456789012345678901234567890123", corev1.PullIfNotPresent},
	}
	for _, tt := range tests {
		t.Run(tt.image, func(t *testing.T) {
			p := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: tt.image}}}}
			Default(p)
			if got := p.Spec.Containers[0].ImagePullPolicy; got != tt.want {
				t.Errorf("imagePullPolicy = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestPodOnlyDefaults(t *testing.T) {
	limits := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m")}
	p := &corev1.Pod{Spec: corev1.PodSpec{
		Containers: []corev1.Container{{
			Name: "c", Image: "nginx:1.25",
			Resources:      corev1.ResourceRequirements{Limits: limits},
			LivenessProbe:  &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Port: intstr.FromInt32(80)}}},
			ReadinessProbe: &corev1.Probe{PeriodSeconds: 5},
		}},
		Volumes: []corev1.Volume{
			{Name: "s", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "x"}}},
			{Name: "cm", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{}}},
			{Name: "p", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{}}},
			{Name: "nothing"},
		},
	}}
	Default(p)
	c := p.Spec.Containers[0]
	if !c.Resources.Requests.Cpu().Equal(resource.MustParse("500m")) {
		t.Errorf("requests = %v, want limits copied", c.Resources.Requests)
	}
	if !*p.Spec.EnableServiceLinks {
		t.Error("enableServiceLinks should default to true")
	}
	wantLive := corev1.Probe{
		ProbeHandler:   corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromInt32(80), Scheme: corev1.URISchemeHTTP}},
		TimeoutSeconds: 1, PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 3,
	}
	if !equality.Semantic.DeepEqual(*c.LivenessProbe, wantLive) {
		t.Errorf("liveness probe = %+v", *c.LivenessProbe)
	}
	if c.ReadinessProbe.PeriodSeconds != 5 {
		t.Error("a set periodSeconds must be kept")
	}
	vs := p.Spec.Volumes
	for _, mode := range []*int32{vs[0].Secret.DefaultMode, vs[1].ConfigMap.DefaultMode, vs[2].Projected.DefaultMode} {
		if mode == nil || *mode != 0644 {
			t.Errorf("defaultMode = %v, want 420", mode)
		}
	}
	if vs[3].EmptyDir == nil {
		t.Error("a volume without source should become emptyDir")
	}

	// The same container inside a Deployment template gets no requests and
	// no enableServiceLinks: those are Pod-only defaults.
	d := &appsv1.Deployment{Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
		Containers: []corev1.Container{{Name: "c", Image: "nginx:1.25", Resources: corev1.ResourceRequirements{Limits: limits}}},
	}}}}
	Default(d)
	if d.Spec.Template.Spec.Containers[0].Resources.Requests != nil || d.Spec.Template.Spec.EnableServiceLinks != nil {
		t.Error("pod-only defaults leaked into a pod template")
	}
}

func TestOtherKinds(t *testing.T) {
	svc := &corev1.Service{Spec: corev1.ServiceSpec{
		Selector: map[string]string{"app": "x"},
		Ports:    []corev1.ServicePort{{Port: 80}, {Port: 443, TargetPort: intstr.FromString("https")}},
	}}
	Default(svc)
	s := svc.Spec
	if s.Type != corev1.ServiceTypeClusterIP || s.SessionAffinity != corev1.ServiceAffinityNone ||
		*s.IPFamilyPolicy != corev1.IPFamilyPolicySingleStack ||
		*s.InternalTrafficPolicy != corev1.ServiceInternalTrafficPolicyCluster {
		t.Errorf("service spec = %+v", s)
	}
	if s.Ports[0].Protocol != corev1.ProtocolTCP || s.Ports[0].TargetPort != intstr.FromInt32(80) ||
		s.Ports[1].TargetPort != intstr.FromString("https") {
		t.Errorf("service ports = %+v", s.Ports)
	}

	rs := &appsv1.ReplicaSet{}
	Default(rs)
	if *rs.Spec.Replicas != 1 {
		t.Error("replicaSet replicas should default to 1")
	}

	sec := &corev1.Secret{}
	Default(sec)
	if sec.Type != corev1.SecretTypeOpaque {
		t.Errorf("secret type = %q", sec.Type)
	}

	ns := &corev1.Namespace{}
	ns.Name = "team-a"
	Default(ns)
	if ns.Status.Phase != corev1.NamespaceActive || ns.Labels["kubernetes.io/metadata.name"] != "team-a" {
		t.Errorf("namespace = %+v", ns)
	}

	rb := &rbacv1.RoleBinding{
		RoleRef:  rbacv1.RoleRef{Kind: "Role", Name: "r"},
		Subjects: []rbacv1.Subject{{Kind: "User", Name: "u"}, {Kind: "Group", Name: "g"}, {Kind: "ServiceAccount", Name: "sa"}},
	}
	Default(rb)
	want := []string{rbacv1.GroupName, rbacv1.GroupName, ""}
	for i, s := range rb.Subjects {
		if s.APIGroup != want[i] {
			t.Errorf("subject %s apiGroup = %q, want %q", s.Kind, s.APIGroup, want[i])
		}
	}
	if rb.RoleRef.APIGroup != rbacv1.GroupName {
		t.Errorf("roleRef apiGroup = %q", rb.RoleRef.APIGroup)
	}

	ep := &corev1.Endpoints{Subsets: []corev1.EndpointSubset{{Ports: []corev1.EndpointPort{{Port: 80}}}}}
	Default(ep)
	if ep.Subsets[0].Ports[0].Protocol != corev1.ProtocolTCP {
		t.Error("endpoint port protocol should default to TCP")
	}
}
