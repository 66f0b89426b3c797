package admission

// DefaultStorageClass (kubernetes/plugin/pkg/admission/storage/storageclass/
// setdefault) gives a new PersistentVolumeClaim that names no storage class
// the cluster's default one: the class annotated
// storageclass.kubernetes.io/is-default-class: "true" (the newest, if an
// administrator marked several). So `kubectl apply` of a claim without
// storageClassName gets a provisioned volume, as on any managed cluster.
//
// Only a claim whose storageClassName is absent gets one: an empty string
// ("") is the user saying "no class, bind me to a volume without one".

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	storageutil "k8s.io/kubectl/pkg/util/storage"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
)

// DefaultStorageClass is the mutating plugin of the same name.
type DefaultStorageClass struct{}

func (DefaultStorageClass) Name() string   { return "DefaultStorageClass" }
func (DefaultStorageClass) Mutating() bool { return true }

// Handles: only creation; a claim's class is fixed once it exists.
func (DefaultStorageClass) Handles(operation string) bool { return operation == Create }

// HandlesResource: only claims.
func (DefaultStorageClass) HandlesResource(r *registry.Resource) bool {
	return r.Group == "" && r.Resource == "persistentvolumeclaims"
}

func (DefaultStorageClass) Admit(ctx context.Context, a *Attributes) error {
	pvc, ok := a.Object.(*corev1.PersistentVolumeClaim)
	if !ok || a.Subresource != "" || pvc.Spec.StorageClassName != nil {
		return nil
	}
	res, _ := registry.Lookup("storage.k8s.io", "storageclasses")
	list, err := a.Store.List(ctx, res, registry.Selection{}, 0)
	if err != nil {
		return err
	}
	var chosen *storagev1.StorageClass
	for i, sc := range list.(*storagev1.StorageClassList).Items {
		if storageutil.IsDefaultAnnotationText(sc.ObjectMeta) != "Yes" {
			continue
		}
		if chosen == nil || sc.CreationTimestamp.After(chosen.CreationTimestamp.Time) ||
			sc.CreationTimestamp.Equal(&chosen.CreationTimestamp) && sc.Name < chosen.Name {
			chosen = &list.(*storagev1.StorageClassList).Items[i]
		}
	}
	if chosen != nil {
		name := chosen.Name
		pvc.Spec.StorageClassName = &name
	}
	return nil
}
