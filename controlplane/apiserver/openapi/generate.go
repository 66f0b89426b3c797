package openapi

// zz_generated.openapi.go holds GetOpenAPIDefinitions: one OpenAPI schema
// (plus its dependencies) per Go type of the k8s.io/api and apimachinery
// packages listed below, produced by kube-openapi's openapi-gen from the Go
// types and their doc comments, exactly the way kube-apiserver produces
// k8s.io/kubernetes/pkg/generated/openapi. The tool runs at the
// k8s.io/kube-openapi version pinned in go.mod. The input packages carry a
// "+k8s:openapi-model-package" tag, so the generated map is keyed by
// kube-style model names ("io.k8s.api.apps.v1.Deployment"). API-rule
// violations of the upstream types are known and uninteresting here, so the
// report goes to /dev/null.
//
// The tool is a `tool` of go.mod, so `go mod tidy` keeps what it needs and
// `go generate` runs it at the pinned version.
//
//go:generate go tool openapi-gen --output-dir . --output-pkg github.com/glassplane/glassplane/controlplane/apiserver/openapi --output-file zz_generated.openapi.go --report-filename /dev/null k8s.io/api/core/v1 k8s.io/api/apps/v1 k8s.io/api/apps/v1beta2 k8s.io/api/apps/v1beta1 k8s.io/api/extensions/v1beta1 k8s.io/api/rbac/v1 k8s.io/api/coordination/v1 k8s.io/api/authorization/v1 k8s.io/api/authentication/v1 k8s.io/api/autoscaling/v1 k8s.io/api/autoscaling/v2 k8s.io/api/policy/v1 k8s.io/api/batch/v1 k8s.io/api/scheduling/v1alpha3 k8s.io/api/scheduling/v1 k8s.io/api/discovery/v1 k8s.io/api/storage/v1 k8s.io/api/networking/v1 k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1 k8s.io/apimachinery/pkg/apis/meta/v1 k8s.io/apimachinery/pkg/runtime k8s.io/apimachinery/pkg/version k8s.io/apimachinery/pkg/api/resource k8s.io/apimachinery/pkg/util/intstr
