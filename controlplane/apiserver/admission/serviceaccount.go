package admission

// ServiceAccount gives every pod an identity (kubernetes/plugin/pkg/
// admission/serviceaccount).
//
// A pod runs as a ServiceAccount; one that names none runs as "default".
// The plugin fills that in, refuses a pod whose ServiceAccount does not
// exist, and mounts into every container a projected volume
// (kube-api-access-xxxxx) with what a program needs to call the API server
// as that ServiceAccount: a short-lived token, the cluster's CA certificate
// (the kube-root-ca.crt ConfigMap) and the pod's namespace, all under
// /var/run/secrets/kubernetes.io/serviceaccount. A pod or ServiceAccount
// with automountServiceAccountToken: false gets no volume.
//
// The ServiceAccount controller creates "default" in each new namespace a
// moment after the namespace appears; like kube, the plugin looks a few
// times for "default" before giving up, so a pod created right after its
// namespace is not refused for nothing.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/storage/names"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
)

const (
	// DefaultServiceAccountName is the ServiceAccount of a pod that names none.
	DefaultServiceAccountName = "default"
	// DefaultAPITokenMountPath is where every container finds its token.
	DefaultAPITokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount"
	// ServiceAccountVolumeName prefixes the projected volume's name.
	ServiceAccountVolumeName = "kube-api-access"
	// tokenExpirationSeconds is kube's WarnOnlyBoundTokenExpirationSeconds:
	// an hour and 7 seconds, which marks the token as one the kubelet renews.
	tokenExpirationSeconds = 3607
)

// ServiceAccount is the mutating plugin of the same name.
type ServiceAccount struct{}

func (ServiceAccount) Name() string   { return "ServiceAccount" }
func (ServiceAccount) Mutating() bool { return true }

func (ServiceAccount) Admit(ctx context.Context, a *Attributes) error {
	pod, ok := a.Object.(*corev1.Pod)
	if !ok || a.Operation != Create || a.Subresource != "" {
		return nil
	}
	if pod.Spec.ServiceAccountName == "" {
		pod.Spec.ServiceAccountName = pod.Spec.DeprecatedServiceAccount // the v1 alias, as kube's conversion reads it
	}
	if pod.Spec.ServiceAccountName == "" {
		pod.Spec.ServiceAccountName = DefaultServiceAccountName
	}
	pod.Spec.DeprecatedServiceAccount = pod.Spec.ServiceAccountName
	sa, err := getServiceAccount(ctx, a.Store, pod.Namespace, pod.Spec.ServiceAccountName)
	if err != nil {
		return apierrors.NewForbidden(a.Resource.GroupResource(), pod.Name,
			fmt.Errorf("error looking up service account %s/%s: %w", pod.Namespace, pod.Spec.ServiceAccountName, err))
	}
	if shouldAutomount(sa, pod) {
		mountServiceAccountToken(pod)
	}
	if len(pod.Spec.ImagePullSecrets) == 0 && len(sa.ImagePullSecrets) > 0 {
		pod.Spec.ImagePullSecrets = append([]corev1.LocalObjectReference(nil), sa.ImagePullSecrets...)
	}
	return nil
}

// getServiceAccount reads the ServiceAccount, trying "default" up to ten
// times 100–200ms apart, since its controller may not have created it yet.
func getServiceAccount(ctx context.Context, store *registry.Store, namespace, name string) (*corev1.ServiceAccount, error) {
	res, _ := registry.Lookup("", "serviceaccounts")
	attempts := 1
	if name == DefaultServiceAccountName {
		attempts = 10
	}
	interval := time.Duration(100+rand.IntN(100)) * time.Millisecond
	for i := 0; i < attempts; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(interval):
			}
		}
		obj, err := store.Get(ctx, res, namespace, name)
		if err == nil {
			return obj.(*corev1.ServiceAccount), nil
		}
		if !apierrors.IsNotFound(err) {
			return nil, err
		}
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "serviceaccount"}, name)
}

// shouldAutomount: the pod's choice wins, then the ServiceAccount's; the
// default is to mount.
func shouldAutomount(sa *corev1.ServiceAccount, pod *corev1.Pod) bool {
	if pod.Spec.AutomountServiceAccountToken != nil {
		return *pod.Spec.AutomountServiceAccountToken
	}
	if sa.AutomountServiceAccountToken != nil {
		return *sa.AutomountServiceAccountToken
	}
	return true
}

// mountServiceAccountToken mounts the token volume in every container that
// does not already mount something at the token path, and adds the volume
// if any container needs it.
func mountServiceAccountToken(pod *corev1.Pod) {
	volumeName := ""
	for _, v := range pod.Spec.Volumes {
		if strings.HasPrefix(v.Name, ServiceAccountVolumeName+"-") {
			volumeName = v.Name
			break
		}
	}
	hasVolume := volumeName != ""
	if !hasVolume {
		volumeName = names.SimpleNameGenerator.GenerateName(ServiceAccountVolumeName + "-")
	}
	mount := corev1.VolumeMount{Name: volumeName, ReadOnly: true, MountPath: DefaultAPITokenMountPath}
	needed := addMount(pod.Spec.InitContainers, mount)
	needed = addMount(pod.Spec.Containers, mount) || needed
	if needed && !hasVolume {
		pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: volumeName,
			VolumeSource: corev1.VolumeSource{Projected: TokenVolumeSource()}})
	}
}

func addMount(containers []corev1.Container, mount corev1.VolumeMount) bool {
	added := false
	for i := range containers {
		mounted := false
		for _, m := range containers[i].VolumeMounts {
			if m.MountPath == DefaultAPITokenMountPath {
				mounted = true
				break
			}
		}
		if !mounted {
			containers[i].VolumeMounts = append(containers[i].VolumeMounts, mount)
			added = true
		}
	}
	return added
}

// TokenVolumeSource is the projected volume kube mounts: token, CA, namespace.
func TokenVolumeSource() *corev1.ProjectedVolumeSource {
	return &corev1.ProjectedVolumeSource{
		DefaultMode: ptr.To(corev1.ProjectedVolumeSourceDefaultMode),
		Sources: []corev1.VolumeProjection{
			{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: ptr.To(int64(tokenExpirationSeconds))}},
			{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-root-ca.crt"},
				Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}},
			{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{Path: "namespace",
				FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"}}}}},
		},
	}
}
