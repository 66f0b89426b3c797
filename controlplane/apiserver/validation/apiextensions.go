package validation

// A CustomResourceDefinition is validated by apiextensions-apiserver's own
// rules (k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation),
// which kube-apiserver runs: the name must be <plural>.<group>, the names
// DNS labels, exactly one version the storage version, and the schema
// structural (every field typed, no unknown-field loopholes unless declared
// with x-kubernetes-preserve-unknown-fields). Those rules are written against
// the internal type, so the v1 object is converted first.

import (
	"context"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	crdvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// crdScheme converts CustomResourceDefinitions between v1 and the internal
// type the validation is written against.
var crdScheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(apiextensions.AddToScheme(s))
	utilruntime.Must(apiextensionsv1.AddToScheme(s))
	return s
}()

// ToInternalCRD converts a v1 CustomResourceDefinition to the internal type.
func ToInternalCRD(crd *apiextensionsv1.CustomResourceDefinition) (*apiextensions.CustomResourceDefinition, error) {
	out := &apiextensions.CustomResourceDefinition{}
	if err := crdScheme.Convert(crd.DeepCopy(), out, nil); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidateCustomResourceDefinition validates a new CRD, or (old not nil)
// an update of one.
func ValidateCustomResourceDefinition(crd, old *apiextensionsv1.CustomResourceDefinition) field.ErrorList {
	in, err := ToInternalCRD(crd)
	if err != nil {
		return field.ErrorList{field.InternalError(field.NewPath("spec"), err)}
	}
	if old == nil {
		return crdvalidation.ValidateCustomResourceDefinition(context.Background(), in)
	}
	was, err := ToInternalCRD(old)
	if err != nil {
		return field.ErrorList{field.InternalError(field.NewPath("spec"), err)}
	}
	return crdvalidation.ValidateCustomResourceDefinitionUpdate(context.Background(), in, was)
}
