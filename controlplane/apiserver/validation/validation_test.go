package validation

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/apiserver/defaults"
)

// validationCase is one object (and old object, on update) and the errors
// kubectl would print for it; want "" means valid.
type validationCase struct {
	name     string
	obj, old runtime.Object
	want     []string
}

func run(t *testing.T, cases []validationCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := Validate(tc.obj, tc.old)
			got := errs.ToAggregate()
			if len(tc.want) == 0 {
				if got != nil {
					t.Fatalf("want valid, got %v", got)
				}
				return
			}
			if got == nil {
				t.Fatalf("want %q, got valid", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(got.Error(), w) {
					t.Errorf("errors %q do not contain %q", got.Error(), w)
				}
			}
		})
	}
}

// pod returns a valid defaulted pod changed by each edit.
func pod(edits ...func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27",
			Ports: []corev1.ContainerPort{{ContainerPort: 80}}}}}}
	defaults.Default(p)
	for _, e := range edits {
		e(p)
	}
	return p
}

func deployment(edits ...func(*appsv1.Deployment)) *appsv1.Deployment {
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}}}}}
	defaults.Default(d)
	for _, e := range edits {
		e(d)
	}
	return d
}

func replicaSet(edits ...func(*appsv1.ReplicaSet)) *appsv1.ReplicaSet {
	d := deployment()
	rs := &appsv1.ReplicaSet{ObjectMeta: d.ObjectMeta, Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To(int32(2)),
		Selector: d.Spec.Selector, Template: d.Spec.Template}}
	for _, e := range edits {
		e(rs)
	}
	return rs
}

func service(edits ...func(*corev1.Service)) *corev1.Service {
	s := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"}, Ports: []corev1.ServicePort{{Port: 80}}}}
	defaults.Default(s)
	for _, e := range edits {
		e(s)
	}
	return s
}

func quantity(s string) resource.Quantity { return resource.MustParse(s) }

func TestValidatePodRefusesWhatCouldNeverRun(t *testing.T) {
	run(t, []validationCase{
		{name: "a valid pod", obj: pod()},
		{name: "no containers", obj: pod(func(p *corev1.Pod) { p.Spec.Containers = nil }),
			want: []string{"spec.containers: Required value"}},
		{name: "no image", obj: pod(func(p *corev1.Pod) { p.Spec.Containers[0].Image = "" }),
			want: []string{"spec.containers[0].image: Required value"}},
		{name: "container name not a DNS label", obj: pod(func(p *corev1.Pod) { p.Spec.Containers[0].Name = "App_1" }),
			want: []string{`spec.containers[0].name: Invalid value: "App_1": a lowercase RFC 1123 label`}},
		{name: "two containers with one name", obj: pod(func(p *corev1.Pod) {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "app", Image: "busybox"})
		}), want: []string{`spec.containers[1].name: Duplicate value: "app"`}},
		{name: "init and app container share a name", obj: pod(func(p *corev1.Pod) {
			p.Spec.InitContainers = []corev1.Container{{Name: "app", Image: "busybox"}}
		}), want: []string{`spec.containers[0].name: Duplicate value: "app"`}},
		{name: "port above 65535", obj: pod(func(p *corev1.Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 70000 }),
			want: []string{"spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"}},
		{name: "port 0", obj: pod(func(p *corev1.Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 0 }),
			want: []string{"spec.containers[0].ports[0].containerPort: Required value"}},
		{name: "unknown protocol", obj: pod(func(p *corev1.Pod) { p.Spec.Containers[0].Ports[0].Protocol = "HTTP" }),
			want: []string{`spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"`}},
		{name: "request above limit", obj: pod(func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources = corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: quantity("2")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: quantity("1")}}
		}), want: []string{`spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1`}},
		{name: "negative memory", obj: pod(func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceMemory: quantity("-1Mi")}
		}), want: []string{"spec.containers[0].resources.requests[memory]: Invalid value: \"-1Mi\": must be greater than or equal to 0"}},
		{name: "unknown restartPolicy", obj: pod(func(p *corev1.Pod) { p.Spec.RestartPolicy = "Sometimes" }),
			want: []string{`spec.restartPolicy: Unsupported value: "Sometimes"`}},
		{name: "unknown dnsPolicy", obj: pod(func(p *corev1.Pod) { p.Spec.DNSPolicy = "Google" }),
			want: []string{`spec.dnsPolicy: Unsupported value: "Google"`}},
		{name: "mount of a missing volume", obj: pod(func(p *corev1.Pod) {
			p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}
		}), want: []string{`spec.containers[0].volumeMounts[0].name: Not found: "data"`}},
		{name: "invalid nodeSelector label", obj: pod(func(p *corev1.Pod) { p.Spec.NodeSelector = map[string]string{"disk": "ssd!"} }),
			want: []string{`spec.nodeSelector: Invalid value: "ssd!"`}},
		{name: "tolerationSeconds without NoExecute", obj: pod(func(p *corev1.Pod) {
			p.Spec.Tolerations = []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists,
				Effect: corev1.TaintEffectNoSchedule, TolerationSeconds: ptr.To(int64(5))}}
		}), want: []string{"effect must be 'NoExecute' when `tolerationSeconds` is set"}},
	})
}

func TestValidatePodUpdateAllowsOnlyImagesDeadlineAndNewTolerations(t *testing.T) {
	old := pod(func(p *corev1.Pod) { p.ResourceVersion = "5" })
	run(t, []validationCase{
		{name: "a new image", old: old, obj: pod(func(p *corev1.Pod) { p.Spec.Containers[0].Image = "nginx:1.28" })},
		{name: "a deadline", old: old, obj: pod(func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To(int64(30)) })},
		{name: "an added toleration", old: old, obj: pod(func(p *corev1.Pod) {
			p.Spec.Tolerations = []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists}}
		})},
		{name: "a changed port", old: old, obj: pod(func(p *corev1.Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 8080 }),
			want: []string{"spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`", "8080"}},
		{name: "an added container", old: old, obj: pod(func(p *corev1.Pod) {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "side", Image: "busybox"})
		}), want: []string{"spec.containers: Forbidden: pod updates may not add or remove containers"}},
		{name: "a removed toleration", old: pod(func(p *corev1.Pod) {
			p.Spec.Tolerations = []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists}}
		}), obj: pod(), want: []string{"spec.tolerations: Forbidden: existing toleration can not be modified"}},
	})
}

func TestValidateWorkloadsNeedASelectorThatMatchesTheTemplate(t *testing.T) {
	run(t, []validationCase{
		{name: "a valid deployment", obj: deployment()},
		{name: "selector does not match labels", obj: deployment(func(d *appsv1.Deployment) {
			d.Spec.Selector.MatchLabels = map[string]string{"app": "other"}
		}), want: []string{"spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`"}},
		{name: "no selector", obj: deployment(func(d *appsv1.Deployment) { d.Spec.Selector = nil }),
			want: []string{"spec.selector: Required value"}},
		{name: "empty selector", obj: deployment(func(d *appsv1.Deployment) { d.Spec.Selector = &metav1.LabelSelector{} }),
			want: []string{"spec.selector: Invalid value", "empty selector is invalid for deployment"}},
		{name: "negative replicas", obj: deployment(func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To(int32(-1)) }),
			want: []string{"spec.replicas: Invalid value: -1: must be greater than or equal to 0"}},
		{name: "maxSurge and maxUnavailable both 0", obj: deployment(func(d *appsv1.Deployment) {
			zero := intstr.FromInt32(0)
			d.Spec.Strategy.RollingUpdate = &appsv1.RollingUpdateDeployment{MaxSurge: &zero, MaxUnavailable: &zero}
		}), want: []string{"spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"}},
		{name: "maxUnavailable over 100%", obj: deployment(func(d *appsv1.Deployment) {
			v := intstr.FromString("150%")
			d.Spec.Strategy.RollingUpdate.MaxUnavailable = &v
		}), want: []string{"must not be greater than 100%"}},
		{name: "negative revisionHistoryLimit", obj: deployment(func(d *appsv1.Deployment) { d.Spec.RevisionHistoryLimit = ptr.To(int32(-2)) }),
			want: []string{"spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0"}},
		{name: "template restartPolicy Never", obj: deployment(func(d *appsv1.Deployment) { d.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever }),
			want: []string{`spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"`}},
		{name: "template container without image", obj: deployment(func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "" }),
			want: []string{"spec.template.spec.containers[0].image: Required value"}},
		{name: "changed selector", old: deployment(), obj: deployment(func(d *appsv1.Deployment) {
			d.Spec.Selector.MatchLabels = map[string]string{"app": "web", "tier": "front"}
			d.Spec.Template.Labels = map[string]string{"app": "web", "tier": "front"}
		}), want: []string{"spec.selector: Invalid value", "field is immutable"}},
		{name: "a valid replicaset", obj: replicaSet()},
		{name: "replicaset selector does not match", obj: replicaSet(func(rs *appsv1.ReplicaSet) {
			rs.Spec.Template.Labels = map[string]string{"app": "x"}
		}), want: []string{"spec.template.metadata.labels: Invalid value", "`selector` does not match template `labels`"}},
		{name: "replicaset negative replicas", obj: replicaSet(func(rs *appsv1.ReplicaSet) { rs.Spec.Replicas = ptr.To(int32(-3)) }),
			want: []string{"spec.replicas: Invalid value: -3: must be greater than or equal to 0"}},
		{name: "replicaset changed selector", old: replicaSet(), obj: replicaSet(func(rs *appsv1.ReplicaSet) {
			rs.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web", "v": "2"}}
			rs.Spec.Template.Labels = map[string]string{"app": "web", "v": "2"}
		}), want: []string{"spec.selector", "field is immutable"}},
	})
}

func TestValidateService(t *testing.T) {
	run(t, []validationCase{
		{name: "a valid service", obj: service()},
		{name: "no ports", obj: service(func(s *corev1.Service) { s.Spec.Ports = nil }), want: []string{"spec.ports: Required value"}},
		{name: "a headless service needs no ports", obj: service(func(s *corev1.Service) { s.Spec.Ports, s.Spec.ClusterIP = nil, "None" })},
		{name: "port 0", obj: service(func(s *corev1.Service) { s.Spec.Ports[0].Port = 0 }),
			want: []string{"spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"}},
		{name: "two ports, one unnamed", obj: service(func(s *corev1.Service) {
			s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Name: "https", Port: 443, Protocol: "TCP", TargetPort: intstr.FromInt32(443)})
		}), want: []string{"spec.ports[0].name: Required value"}},
		{name: "two ports with one name", obj: service(func(s *corev1.Service) {
			s.Spec.Ports[0].Name = "web"
			s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Name: "web", Port: 443, Protocol: "TCP", TargetPort: intstr.FromInt32(443)})
		}), want: []string{`spec.ports[1].name: Duplicate value: "web"`}},
		{name: "invalid selector label", obj: service(func(s *corev1.Service) { s.Spec.Selector = map[string]string{"app": "-bad"} }),
			want: []string{`spec.selector: Invalid value: "-bad"`}},
		{name: "unknown type", obj: service(func(s *corev1.Service) { s.Spec.Type = "Internal" }),
			want: []string{`spec.type: Unsupported value: "Internal"`}},
		{name: "changed clusterIP", old: service(func(s *corev1.Service) { s.Spec.ClusterIP = "10.96.0.10" }),
			obj:  service(func(s *corev1.Service) { s.Spec.ClusterIP = "10.96.0.11" }),
			want: []string{"spec.clusterIPs[0]: Invalid value", "may not change once set"}},
		{name: "endpoints with a bad IP", obj: &corev1.Endpoints{Subsets: []corev1.EndpointSubset{{
			Addresses: []corev1.EndpointAddress{{IP: "10.0.0.300"}}, Ports: []corev1.EndpointPort{{Port: 80, Protocol: "TCP"}}}}},
			want: []string{`subsets[0].addresses[0].ip: Invalid value: "10.0.0.300"`}},
	})
}

func TestValidateRBACRulesAndBindings(t *testing.T) {
	rb := func(kind string) *rbacv1.RoleBinding {
		return &rbacv1.RoleBinding{RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: kind, Name: "view"},
			Subjects: []rbacv1.Subject{{Kind: "User", APIGroup: rbacv1.GroupName, Name: "alice"}}}
	}
	run(t, []validationCase{
		{name: "a rule without verbs", obj: &rbacv1.Role{Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}}}},
			want: []string{"rules[0].verbs: Required value: verbs must contain at least one value"}},
		{name: "a rule without resources", obj: &rbacv1.ClusterRole{Rules: []rbacv1.PolicyRule{{Verbs: []string{"get"}, APIGroups: []string{""}}}},
			want: []string{"rules[0].resources: Required value"}},
		{name: "a namespaced rule on a URL", obj: &rbacv1.Role{Rules: []rbacv1.PolicyRule{{Verbs: []string{"get"}, NonResourceURLs: []string{"/healthz"}}}},
			want: []string{"namespaced rules cannot apply to non-resource URLs"}},
		{name: "a valid binding", obj: rb("ClusterRole")},
		{name: "a binding to an unknown kind", obj: rb("Team"), want: []string{`roleRef.kind: Unsupported value: "Team"`}},
		{name: "a changed roleRef", old: rb("ClusterRole"), obj: rb("Role"), want: []string{"roleRef: Invalid value", "cannot change roleRef"}},
		{name: "a subject of unknown kind", obj: func() *rbacv1.RoleBinding {
			b := rb("Role")
			b.Subjects[0].Kind = "Robot"
			return b
		}(), want: []string{`subjects[0].kind: Unsupported value: "Robot"`}},
	})
}

func TestValidateTheSmallerKinds(t *testing.T) {
	big := strings.Repeat("x", maxSize+1)
	run(t, []validationCase{
		{name: "a configmap key with a slash", obj: &corev1.ConfigMap{Data: map[string]string{"a/b": "1"}},
			want: []string{`data[a/b]: Invalid value: "a/b"`}},
		{name: "a configmap over 1 MiB", obj: &corev1.ConfigMap{Data: map[string]string{"big": big}},
			want: []string{"Too long: may not be more than 1048576 bytes"}},
		{name: "a change to an immutable configmap", old: &corev1.ConfigMap{Immutable: ptr.To(true), Data: map[string]string{"a": "1"}},
			obj:  &corev1.ConfigMap{Immutable: ptr.To(true), Data: map[string]string{"a": "2"}},
			want: []string{"data: Forbidden: field is immutable when `immutable` is set"}},
		{name: "a tls secret without a key", obj: &corev1.Secret{Type: corev1.SecretTypeTLS, Data: map[string][]byte{"tls.crt": []byte("c")}},
			want: []string{"data[tls.key]: Required value"}},
		{name: "a secret over 1 MiB", obj: &corev1.Secret{Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"big": []byte(big)}},
			want: []string{"data: Too long"}},
		{name: "a changed secret type", old: &corev1.Secret{Type: corev1.SecretTypeOpaque}, obj: &corev1.Secret{Type: corev1.SecretTypeBasicAuth,
			Data: map[string][]byte{"username": nil}}, want: []string{"type: Invalid value", "field is immutable"}},
		{name: "a node with a bad podCIDR", obj: &corev1.Node{Spec: corev1.NodeSpec{PodCIDR: "10.244.1.0/33"}},
			want: []string{`spec.podCIDR: Invalid value: "10.244.1.0/33"`}},
		{name: "a node whose podCIDR changes", old: &corev1.Node{Spec: corev1.NodeSpec{PodCIDR: "10.244.1.0/24"}},
			obj: &corev1.Node{Spec: corev1.NodeSpec{PodCIDR: "10.244.2.0/24"}}, want: []string{"node updates may not change podCIDR"}},
		{name: "a taint without effect", obj: &corev1.Node{Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "gpu"}}}},
			want: []string{"spec.taints[0].effect: Required value"}},
		{name: "a namespace finalizer that is not a name", obj: &corev1.Namespace{Spec: corev1.NamespaceSpec{Finalizers: []corev1.FinalizerName{"not valid!"}}},
			want: []string{"spec.finalizers[0]: Invalid value"}},
		{name: "a quota on an unknown resource", obj: &corev1.ResourceQuota{Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"widgets": quantity("1")}}},
			want: []string{`spec.hard[widgets]: Invalid value: "widgets": must be a standard resource for quota`}},
		{name: "a quota with negative pods", obj: &corev1.ResourceQuota{Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"pods": quantity("-1")}}},
			want: []string{"spec.hard[pods]: Invalid value: \"-1\": must be greater than or equal to 0"}},
		{name: "a quota with half a pod", obj: &corev1.ResourceQuota{Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"pods": quantity("500m")}}},
			want: []string{"must be an integer"}},
		{name: "an event in another namespace than its object", obj: &corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: "a"},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "b"}}, want: []string{`involvedObject.namespace: Invalid value: "b": does not match event.namespace`}},
		{name: "a node event in default", obj: &corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: "default"},
			InvolvedObject: corev1.ObjectReference{Kind: "Node", Name: "node-1"}}},
		{name: "a lease of 0 seconds", obj: &coordinationv1.Lease{Spec: coordinationv1.LeaseSpec{LeaseDurationSeconds: ptr.To(int32(0))}},
			want: []string{"spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"}},
	})
}

func TestValidatePodRefusesAffinityTermsAndSpreadConstraintsThatCouldNeverPlaceIt(t *testing.T) {
	web := &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	spread := func(edit func(*corev1.TopologySpreadConstraint)) func(*corev1.Pod) {
		return func(p *corev1.Pod) {
			c := corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: "kubernetes.io/hostname",
				WhenUnsatisfiable: corev1.DoNotSchedule, LabelSelector: web}
			edit(&c)
			p.Spec.TopologySpreadConstraints = append(p.Spec.TopologySpreadConstraints, c)
		}
	}
	run(t, []validationCase{
		{name: "anti-affinity by hostname and a spread constraint", obj: pod(func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{
				{LabelSelector: web, TopologyKey: "kubernetes.io/hostname"}}}}
		}, spread(func(*corev1.TopologySpreadConstraint) {}))},
		{name: "a required term without a topology key", obj: pod(func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{
				{LabelSelector: web}}}}
		}), want: []string{"spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty"}},
		{name: "a preferred term weighing 0", obj: pod(func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{
				{Weight: 0, PodAffinityTerm: corev1.PodAffinityTerm{LabelSelector: web, TopologyKey: "zone"}}}}}
		}), want: []string{"spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100"}},
		{name: "maxSkew 0", obj: pod(spread(func(c *corev1.TopologySpreadConstraint) { c.MaxSkew = 0 })),
			want: []string{"spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero"}},
		{name: "no topology key", obj: pod(spread(func(c *corev1.TopologySpreadConstraint) { c.TopologyKey = "" })),
			want: []string{"spec.topologySpreadConstraints[0].topologyKey: Required value: can not be empty"}},
		{name: "unknown whenUnsatisfiable", obj: pod(spread(func(c *corev1.TopologySpreadConstraint) { c.WhenUnsatisfiable = "Sometimes" })),
			want: []string{`spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Sometimes": supported values: "DoNotSchedule", "ScheduleAnyway"`}},
		{name: "two constraints of one kind", obj: pod(spread(func(*corev1.TopologySpreadConstraint) {}), spread(func(*corev1.TopologySpreadConstraint) {})),
			want: []string{`spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}: Duplicate value: "{kubernetes.io/hostname, DoNotSchedule}"`}},
		{name: "minDomains with ScheduleAnyway", obj: pod(spread(func(c *corev1.TopologySpreadConstraint) {
			c.WhenUnsatisfiable, c.MinDomains = corev1.ScheduleAnyway, ptr.To(int32(2))
		})), want: []string{"spec.topologySpreadConstraints[0].minDomains: Invalid value: 2: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway"}},
		{name: "a Deployment's template is checked too", obj: deployment(func(d *appsv1.Deployment) {
			d.Spec.Template.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 0, TopologyKey: "zone",
				WhenUnsatisfiable: corev1.DoNotSchedule, LabelSelector: web}}
		}), want: []string{"spec.template.spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero"}},
	})
}
