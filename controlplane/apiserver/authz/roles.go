package authz

// The default ClusterRoles every cluster starts with, as kube-apiserver's
// bootstrap policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy) makes
// them, trimmed to the resources Glassplane serves:
//
//	cluster-admin   everything, everywhere
//	admin           edit, plus Roles and RoleBindings in a namespace
//	edit            read and write most objects in a namespace, but not RBAC
//	view            read most objects in a namespace, but not Secrets
//	system:basic-user, system:discovery, system:public-info-viewer
//	                what any signed-in user may do: read discovery, /version
//	                and the OpenAPI documents, and ask "can I?"
//	system:monitoring  get /metrics and the health checks (group system:monitoring)
//	system:kube-scheduler, system:kube-controller-manager, system:node
//	                what each control plane component needs
//
// In Kubernetes admin, edit and view are aggregated from smaller roles by
// label; here each is written out as the concatenation.

import (
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var (
	read      = []string{"get", "list", "watch"}
	readWrite = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}
)

const (
	core          = ""
	apps          = "apps"
	extensions    = "extensions"
	rbacGroup     = "rbac.authorization.k8s.io"
	authorization = "authorization.k8s.io"
	authnGroup    = "authentication.k8s.io"
	coordination  = "coordination.k8s.io"
	eventsGroup   = "events.k8s.io"
	discoveryK8s  = "discovery.k8s.io"
	policyGroup   = "policy"
	batch         = "batch"
	storageGroup  = "storage.k8s.io"
	networking    = "networking.k8s.io"
	metricsGroup  = "metrics.k8s.io"
	autoscaling   = "autoscaling"
)

// ruleBuilder writes a PolicyRule the way Kubernetes' bootstrap policy does:
// newRule("get").groups("").resources("pods").rule().
type ruleBuilder struct{ r rbacv1.PolicyRule }

func newRule(verbs ...string) *ruleBuilder { return &ruleBuilder{rbacv1.PolicyRule{Verbs: verbs}} }

func (b *ruleBuilder) groups(g ...string) *ruleBuilder    { b.r.APIGroups = g; return b }
func (b *ruleBuilder) resources(r ...string) *ruleBuilder { b.r.Resources = r; return b }
func (b *ruleBuilder) names(n ...string) *ruleBuilder     { b.r.ResourceNames = n; return b }
func (b *ruleBuilder) urls(u ...string) *ruleBuilder      { b.r.NonResourceURLs = u; return b }
func (b *ruleBuilder) rule() rbacv1.PolicyRule            { return b.r }

func eventsRule() rbacv1.PolicyRule {
	return newRule("create", "update", "patch").groups(core, eventsGroup).resources("events").rule()
}

func viewRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		newRule(read...).groups(core).resources("pods", "serviceaccounts", "services", "services/status", "endpoints", "configmaps").rule(),
		newRule(read...).groups(core).resources("resourcequotas", "events", "pods/status", "resourcequotas/status", "namespaces/status", "pods/log").rule(),
		newRule(read...).groups(core).resources("namespaces").rule(),
		newRule(read...).groups(apps).resources("deployments", "deployments/scale", "deployments/status",
			"replicasets", "replicasets/scale", "replicasets/status").rule(),
		newRule(read...).groups(apps).resources("controllerrevisions", "daemonsets", "daemonsets/status",
			"statefulsets", "statefulsets/scale", "statefulsets/status").rule(),
		newRule(read...).groups(discoveryK8s).resources("endpointslices").rule(),
		newRule(read...).groups(policyGroup).resources("poddisruptionbudgets", "poddisruptionbudgets/status").rule(),
		newRule(read...).groups(batch).resources("jobs", "jobs/status", "cronjobs", "cronjobs/status").rule(),
		newRule(read...).groups(core).resources("persistentvolumeclaims", "persistentvolumeclaims/status",
			"replicationcontrollers", "replicationcontrollers/scale", "replicationcontrollers/status").rule(),
		newRule(read...).groups(networking).resources("ingresses", "ingresses/status").rule(),
		newRule(read...).groups(autoscaling).resources("horizontalpodautoscalers", "horizontalpodautoscalers/status").rule(),
		// system:aggregated-metrics-reader, which metrics-server aggregates
		// into view, edit and admin
		newRule(read...).groups(metricsGroup).resources("pods", "nodes").rule(),
	}
}

func editRules() []rbacv1.PolicyRule {
	return append([]rbacv1.PolicyRule{
		newRule("impersonate").groups(core).resources("serviceaccounts").rule(),
		newRule(readWrite...).groups(core).resources("pods").rule(),
		newRule(readWrite...).groups(core).resources("serviceaccounts", "services", "configmaps", "secrets", "events").rule(),
		newRule("create").groups(core).resources("serviceaccounts/token").rule(),
		newRule(readWrite...).groups(apps).resources("deployments", "deployments/scale", "replicasets", "replicasets/scale").rule(),
		newRule(readWrite...).groups(apps).resources("daemonsets", "statefulsets", "statefulsets/scale").rule(),
		newRule("create").groups(core).resources("pods/eviction").rule(),
		newRule("get", "create").groups(core).resources("pods/exec").rule(),
		newRule("get", "create").groups(core).resources("pods/attach", "pods/portforward").rule(),
		newRule(readWrite...).groups(policyGroup).resources("poddisruptionbudgets").rule(),
		newRule(readWrite...).groups(batch).resources("jobs", "cronjobs").rule(),
		newRule(readWrite...).groups(core).resources("persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale").rule(),
		newRule(readWrite...).groups(networking).resources("ingresses").rule(),
		newRule(readWrite...).groups(autoscaling).resources("horizontalpodautoscalers").rule(),
	}, viewRules()...)
}

func adminRules() []rbacv1.PolicyRule {
	return append([]rbacv1.PolicyRule{
		newRule(readWrite...).groups(rbacGroup).resources("roles", "rolebindings").rule(),
	}, editRules()...)
}

func schedulerRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		eventsRule(),
		newRule("create").groups(coordination).resources("leases").rule(),
		newRule("get", "update").groups(coordination).resources("leases").names("kube-scheduler").rule(),
		newRule(read...).groups(core).resources("nodes").rule(),
		newRule("get", "list", "watch", "delete").groups(core).resources("pods").rule(),
		newRule("create").groups(core).resources("pods/binding", "bindings").rule(),
		newRule("patch", "update").groups(core).resources("pods/status").rule(),
		newRule(read...).groups(core).resources("services", "namespaces").rule(),
		newRule(read...).groups(apps, extensions).resources("replicasets").rule(),
		newRule(read...).groups(core).resources("replicationcontrollers", "persistentvolumeclaims", "persistentvolumes").rule(),
		newRule(read...).groups(storageGroup).resources("storageclasses").rule(),
		newRule(read...).groups(policyGroup).resources("poddisruptionbudgets").rule(),
		newRule("create").groups(authorization).resources("subjectaccessreviews").rule(),
	}
}

// controllerManagerRules are kube's system:kube-controller-manager rules plus
// those of the per-controller roles (system:controller:deployment-controller
// and so on). Kubernetes gives each controller its own ServiceAccount
// (--use-service-account-credentials); Glassplane's controller manager runs
// all of them as one user, so its role is their union.
func controllerManagerRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		eventsRule(),
		newRule("create").groups(coordination).resources("leases").rule(),
		newRule("get", "update").groups(coordination).resources("leases").names("kube-controller-manager").rule(),
		newRule("list", "watch").groups("*").resources("*").rule(),
		// garbage collector and namespace controller
		newRule("get", "list", "watch", "patch", "update", "delete", "deletecollection").groups("*").resources("*").rule(),
		// deployment and replicaset controllers
		newRule("create").groups(apps, extensions).resources("replicasets").rule(),
		newRule("update").groups(apps, extensions).resources("deployments/status", "deployments/finalizers",
			"replicasets/status", "replicasets/finalizers").rule(),
		newRule("create").groups(core).resources("pods").rule(),
		// job and cronjob controllers
		newRule("create").groups(batch).resources("jobs").rule(),
		newRule("update").groups(batch).resources("jobs/status", "jobs/finalizers", "cronjobs/status", "cronjobs/finalizers").rule(),
		// daemonset and statefulset controllers
		newRule("create").groups(apps).resources("controllerrevisions").rule(),
		newRule("create").groups(core).resources("persistentvolumeclaims").rule(),
		newRule("update").groups(apps).resources("daemonsets/status", "daemonsets/finalizers",
			"statefulsets/status", "statefulsets/finalizers").rule(),
		// node lifecycle controller
		newRule("patch", "update").groups(core).resources("nodes/status", "pods/status").rule(),
		// the operators lesson's Website operator (in a real cluster, the
		// rules of the operator's own ServiceAccount)
		newRule("create").groups(apps).resources("deployments").rule(),
		newRule("create").groups(core).resources("services").rule(),
		// endpoints and endpointslice controllers
		newRule("create").groups(core).resources("endpoints", "endpoints/restricted").rule(),
		newRule("create").groups(discoveryK8s).resources("endpointslices").rule(),
		// namespace controller
		newRule("update").groups(core).resources("namespaces/finalize", "namespaces/status").rule(),
		// serviceaccount controller and tokens
		newRule("create").groups(core).resources("secrets", "serviceaccounts", "serviceaccounts/token").rule(),
		// persistentvolume-binder: provisions volumes for claims
		newRule("create").groups(core).resources("persistentvolumes").rule(),
		// horizontal pod autoscaler: scale any target, read resource metrics
		newRule("get", "update").groups("*").resources("*/scale").rule(),
		newRule("update").groups(autoscaling).resources("horizontalpodautoscalers/status").rule(),
		newRule("list").groups(metricsGroup).resources("pods").rule(),
		// root CA certificate publisher
		newRule("create").groups(core).resources("configmaps").rule(),
		newRule("create").groups(authorization).resources("subjectaccessreviews").rule(),
	}
}

func nodeRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		newRule("create").groups(authorization).resources("subjectaccessreviews").rule(),
		newRule(read...).groups(core).resources("services").rule(),
		newRule("create", "get", "list", "watch").groups(core).resources("nodes").rule(),
		newRule("update", "patch").groups(core).resources("nodes/status").rule(),
		newRule("update", "patch").groups(core).resources("nodes").rule(),
		newRule("create", "update", "patch").groups(core).resources("events").rule(),
		newRule(read...).groups(core).resources("pods").rule(),
		newRule("create", "delete").groups(core).resources("pods").rule(),
		newRule("update", "patch").groups(core).resources("pods/status").rule(),
		newRule("get", "list", "watch").groups(core).resources("secrets", "configmaps").rule(),
		newRule("get").groups(core).resources("endpoints").rule(),
		newRule("get", "create", "update", "patch", "delete").groups(coordination).resources("leases").rule(),
		newRule("create").groups(core).resources("serviceaccounts/token").rule(),
	}
}

// ClusterRoles returns the default cluster roles.
func ClusterRoles() []*rbacv1.ClusterRole {
	roles := map[string][]rbacv1.PolicyRule{
		"cluster-admin": {
			newRule("*").groups("*").resources("*").rule(),
			newRule("*").urls("*").rule(),
		},
		"admin": adminRules(),
		"edit":  editRules(),
		"view":  viewRules(),
		"system:basic-user": {
			newRule("create").groups(authorization).resources("selfsubjectaccessreviews", "selfsubjectrulesreviews").rule(),
			newRule("create").groups(authnGroup).resources("selfsubjectreviews").rule(),
		},
		"system:discovery": {
			newRule("get").urls("/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*", "/version", "/version/").rule(),
		},
		"system:public-info-viewer": {
			newRule("get").urls("/livez", "/readyz", "/healthz", "/version", "/version/").rule(),
		},
		"system:monitoring": {
			newRule("get").urls("/metrics", "/metrics/slis", "/livez", "/readyz", "/healthz",
				"/livez/*", "/readyz/*", "/healthz/*").rule(),
		},
		"system:kube-scheduler":          schedulerRules(),
		"system:kube-controller-manager": controllerManagerRules(),
		"system:node":                    nodeRules(),
	}
	var out []*rbacv1.ClusterRole
	for _, name := range []string{"cluster-admin", "admin", "edit", "view", "system:basic-user", "system:discovery",
		"system:public-info-viewer", "system:monitoring", "system:kube-scheduler", "system:kube-controller-manager", "system:node"} {
		out = append(out, &rbacv1.ClusterRole{ObjectMeta: bootstrapMeta(name, ""), Rules: roles[name]})
	}
	return out
}

// bootstrapMeta marks an object as part of the default policy, as Kubernetes
// does.
func bootstrapMeta(name, namespace string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: namespace,
		Labels:      map[string]string{"kubernetes.io/bootstrapping": "rbac-defaults"},
		Annotations: map[string]string{rbacv1.AutoUpdateAnnotationKey: "true"}}
}
