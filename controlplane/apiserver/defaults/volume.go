// Volume defaults (kubernetes/pkg/apis/core/v1/defaults.go and the
// "+default=" markers in k8s.io/api/core/v1/types.go).
//
// A volume with no source at all becomes an emptyDir; files projected from
// Secrets, ConfigMaps and the downward API get mode 0644 (decimal 420).
package defaults

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

func volume(v *corev1.Volume) {
	if ptr.AllPtrFieldsNil(&v.VolumeSource) {
		v.VolumeSource = corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}
	}
	if v.HostPath != nil && v.HostPath.Type == nil {
		v.HostPath.Type = ptr.To(corev1.HostPathUnset)
	}
	if v.Secret != nil && v.Secret.DefaultMode == nil {
		v.Secret.DefaultMode = ptr.To(corev1.SecretVolumeSourceDefaultMode)
	}
	if v.ConfigMap != nil && v.ConfigMap.DefaultMode == nil {
		v.ConfigMap.DefaultMode = ptr.To(corev1.ConfigMapVolumeSourceDefaultMode)
	}
	if v.DownwardAPI != nil {
		downwardAPI(v.DownwardAPI)
	}
	if v.Projected != nil {
		projected(v.Projected)
	}
	if v.Image != nil && v.Image.PullPolicy == "" {
		v.Image.PullPolicy = pullPolicy(v.Image.Reference)
	}
	if v.Ephemeral != nil && v.Ephemeral.VolumeClaimTemplate != nil {
		claimSpec(&v.Ephemeral.VolumeClaimTemplate.Spec)
	}
	legacyVolume(&v.VolumeSource)
}

func downwardAPI(d *corev1.DownwardAPIVolumeSource) {
	if d.DefaultMode == nil {
		d.DefaultMode = ptr.To(corev1.DownwardAPIVolumeSourceDefaultMode)
	}
	for i := range d.Items {
		fieldSelector(d.Items[i].FieldRef)
	}
}

func projected(p *corev1.ProjectedVolumeSource) {
	if p.DefaultMode == nil {
		p.DefaultMode = ptr.To(corev1.ProjectedVolumeSourceDefaultMode)
	}
	for i := range p.Sources {
		s := &p.Sources[i]
		if s.DownwardAPI != nil {
			for j := range s.DownwardAPI.Items {
				fieldSelector(s.DownwardAPI.Items[j].FieldRef)
			}
		}
		if s.ServiceAccountToken != nil && s.ServiceAccountToken.ExpirationSeconds == nil {
			s.ServiceAccountToken.ExpirationSeconds = ptr.To(int64(3600)) // one hour
		}
	}
}

func claimSpec(s *corev1.PersistentVolumeClaimSpec) {
	if s.VolumeMode == nil {
		s.VolumeMode = ptr.To(corev1.PersistentVolumeFilesystem)
	}
	resourceList(s.Resources.Limits)
	resourceList(s.Resources.Requests)
}

// legacyVolume covers the old in-tree volume plugins, defaulted through
// "+default=" markers on their fields.
func legacyVolume(v *corev1.VolumeSource) {
	if v.ISCSI != nil && v.ISCSI.ISCSIInterface == "" {
		v.ISCSI.ISCSIInterface = "default"
	}
	if r := v.RBD; r != nil {
		r.RBDPool = orDefault(r.RBDPool, "rbd")
		r.RadosUser = orDefault(r.RadosUser, "admin")
		r.Keyring = orDefault(r.Keyring, "/etc/ceph/keyring")
	}
	if s := v.ScaleIO; s != nil {
		s.StorageMode = orDefault(s.StorageMode, "ThinProvisioned")
		s.FSType = orDefault(s.FSType, "xfs")
	}
	if a := v.AzureDisk; a != nil {
		if a.CachingMode == nil {
			a.CachingMode = ptr.To(corev1.AzureDataDiskCachingReadWrite)
		}
		if a.FSType == nil {
			a.FSType = ptr.To("ext4")
		}
		if a.ReadOnly == nil {
			a.ReadOnly = ptr.To(false)
		}
		if a.Kind == nil {
			a.Kind = ptr.To(corev1.AzureSharedBlobDisk)
		}
	}
}

func orDefault(value, def string) string {
	if value == "" {
		return def
	}
	return value
}
