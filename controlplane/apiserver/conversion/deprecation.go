// Deprecation warnings for removed API versions.
//
// Since v1.19 the API server sends a "Warning:" HTTP header when a request
// uses a deprecated version, and kubectl prints it. The text comes from the
// lifecycle markers generated into k8s.io/api (introduced/deprecated/removed
// release and replacement), formatted by k8s.io/apiserver, which we reuse.
package conversion

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/endpoints/deprecation"
	"k8s.io/client-go/kubernetes/scheme"
)

// Deprecation returns the Warning text kube would give for a removed version,
// e.g. for apps/v1beta2 Deployment, and ok=false for current versions.
func Deprecation(gvk schema.GroupVersionKind) (warning string, ok bool) {
	obj, err := scheme.Scheme.New(gvk)
	if err != nil {
		return "", false // a kind we do not know has no lifecycle information
	}
	obj.GetObjectKind().SetGroupVersionKind(gvk)
	warning = deprecation.WarningMessage(obj)
	return warning, warning != ""
}
