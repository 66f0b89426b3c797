package controlplane

// The default StorageClass. A Kubernetes cluster made by kind, minikube or a
// cloud comes with one storage class marked default
// (storageclass.kubernetes.io/is-default-class: "true"), so a claim that
// names no class still gets a volume: the DefaultStorageClass admission
// plugin writes the default's name into it, and the class's provisioner
// makes the volume. Glassplane's is "standard", provisioned by the
// persistentvolume-binder itself (hostPath volumes under /tmp/glassplane),
// binding Immediately and deleting a volume with its claim.

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/controllers/persistentvolume"
)

// DefaultStorageClass is the name of the class every cluster starts with.
const DefaultStorageClass = "standard"

// bootstrapStorageClass creates the default StorageClass if it is not there.
func (c *Cluster) bootstrapStorageClass(ctx context.Context) error {
	res, _ := registry.Lookup("storage.k8s.io", "storageclasses")
	sc := &storagev1.StorageClass{
		ObjectMeta: metav1.ObjectMeta{Name: DefaultStorageClass, UID: uuid.NewUUID(), CreationTimestamp: metav1.Now(),
			Annotations: map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}},
		Provisioner:       persistentvolume.Provisioner,
		ReclaimPolicy:     ptr.To(corev1.PersistentVolumeReclaimDelete),
		VolumeBindingMode: ptr.To(storagev1.VolumeBindingImmediate),
	}
	if _, err := c.Store.Create(ctx, res, sc); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating the default storage class: %w", err)
	}
	return nil
}
