package registry

// CustomResourceDefinitions are objects like any other, but their Go types
// live in k8s.io/apiextensions-apiserver, not in k8s.io/api, so client-go's
// scheme (which the API server decodes request bodies with) does not know
// them until they are added to it here.

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/kubernetes/scheme"
)

func init() {
	utilruntime.Must(apiextensionsv1.AddToScheme(scheme.Scheme))
}
