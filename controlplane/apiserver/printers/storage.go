// Storage: PersistentVolumes (a piece of storage in the cluster),
// PersistentVolumeClaims (a pod's request for one) and StorageClasses (how a
// claim gets a volume made for it). The columns are kube's: a claim shows
// its volume, capacity and access modes only once it is bound; the default
// class is printed "standard (default)".
package printers

import (
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	storageutil "k8s.io/kubectl/pkg/util/storage"
)

var persistentVolumeColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Capacity", Type: "string", Description: corev1.PersistentVolumeSpec{}.SwaggerDoc()["capacity"]},
	{Name: "Access Modes", Type: "string", Description: corev1.PersistentVolumeSpec{}.SwaggerDoc()["accessModes"]},
	{Name: "Reclaim Policy", Type: "string", Description: corev1.PersistentVolumeSpec{}.SwaggerDoc()["persistentVolumeReclaimPolicy"]},
	{Name: "Status", Type: "string", Description: corev1.PersistentVolumeStatus{}.SwaggerDoc()["phase"]},
	{Name: "Claim", Type: "string", Description: corev1.PersistentVolumeSpec{}.SwaggerDoc()["claimRef"]},
	{Name: "StorageClass", Type: "string", Description: "StorageClass of the pv"},
	{Name: "VolumeAttributesClass", Type: "string", Description: "VolumeAttributesClass of the pv"},
	{Name: "Reason", Type: "string", Description: corev1.PersistentVolumeStatus{}.SwaggerDoc()["reason"]},
	ageColumn,
	{Name: "VolumeMode", Type: "string", Priority: 1, Description: corev1.PersistentVolumeSpec{}.SwaggerDoc()["volumeMode"]},
}

var persistentVolumeClaimColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Status", Type: "string", Description: corev1.PersistentVolumeClaimStatus{}.SwaggerDoc()["phase"]},
	{Name: "Volume", Type: "string", Description: corev1.PersistentVolumeClaimSpec{}.SwaggerDoc()["volumeName"]},
	{Name: "Capacity", Type: "string", Description: corev1.PersistentVolumeClaimStatus{}.SwaggerDoc()["capacity"]},
	{Name: "Access Modes", Type: "string", Description: corev1.PersistentVolumeClaimStatus{}.SwaggerDoc()["accessModes"]},
	{Name: "StorageClass", Type: "string", Description: "StorageClass of the pvc"},
	{Name: "VolumeAttributesClass", Type: "string", Description: "VolumeAttributesClass of the pvc"},
	ageColumn,
	{Name: "VolumeMode", Type: "string", Priority: 1, Description: corev1.PersistentVolumeClaimSpec{}.SwaggerDoc()["volumeMode"]},
}

var storageClassColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Provisioner", Type: "string", Description: "Indicates the type of the provisioner."},
	{Name: "ReclaimPolicy", Type: "string", Description: "Indicates the type of the reclaim policy."},
	{Name: "VolumeBindingMode", Type: "string", Description: "Indicates how PersistentVolumeClaims should be provisioned and bound"},
	{Name: "AllowVolumeExpansion", Type: "string", Description: "Indicates whether the storage class allow volume expand"},
	ageColumn,
}

func init() {
	register(persistentVolumeColumns, printPersistentVolume)
	register(persistentVolumeClaimColumns, printPersistentVolumeClaim)
	register(storageClassColumns, printStorageClass)
}

func printPersistentVolume(pv *corev1.PersistentVolume) metav1.TableRow {
	claim := ""
	if ref := pv.Spec.ClaimRef; ref != nil {
		claim = ref.Namespace + "/" + ref.Name
	}
	size := pv.Spec.Capacity[corev1.ResourceStorage]
	phase := string(pv.Status.Phase)
	if pv.DeletionTimestamp != nil {
		phase = "Terminating"
	}
	return cells(pv.Name, size.String(), storageutil.GetAccessModesAsString(pv.Spec.AccessModes),
		string(pv.Spec.PersistentVolumeReclaimPolicy), phase, claim, storageutil.GetPersistentVolumeClass(pv),
		unsetOr(pv.Spec.VolumeAttributesClassName), pv.Status.Reason, age(pv.CreationTimestamp),
		volumeModeCell(pv.Spec.VolumeMode))
}

// printPersistentVolumeClaim leaves capacity and access modes blank until
// the claim is bound: before then it has asked, not got.
func printPersistentVolumeClaim(pvc *corev1.PersistentVolumeClaim) metav1.TableRow {
	phase := string(pvc.Status.Phase)
	if pvc.DeletionTimestamp != nil {
		phase = "Terminating"
	}
	capacity, modes := "", ""
	if pvc.Spec.VolumeName != "" {
		size := pvc.Status.Capacity[corev1.ResourceStorage]
		capacity, modes = size.String(), storageutil.GetAccessModesAsString(pvc.Status.AccessModes)
	}
	return cells(pvc.Name, phase, pvc.Spec.VolumeName, capacity, modes, storageutil.GetPersistentVolumeClaimClass(pvc),
		unsetOr(pvc.Spec.VolumeAttributesClassName), age(pvc.CreationTimestamp), volumeModeCell(pvc.Spec.VolumeMode))
}

func printStorageClass(sc *storagev1.StorageClass) metav1.TableRow {
	name := sc.Name
	if storageutil.IsDefaultAnnotationText(sc.ObjectMeta) == "Yes" {
		name += " (default)"
	}
	reclaim := string(corev1.PersistentVolumeReclaimDelete)
	if sc.ReclaimPolicy != nil {
		reclaim = string(*sc.ReclaimPolicy)
	}
	mode := string(storagev1.VolumeBindingImmediate)
	if sc.VolumeBindingMode != nil {
		mode = string(*sc.VolumeBindingMode)
	}
	expand := false
	if sc.AllowVolumeExpansion != nil {
		expand = *sc.AllowVolumeExpansion
	}
	return cells(name, sc.Provisioner, reclaim, mode, expand, age(sc.CreationTimestamp))
}

func unsetOr(s *string) string {
	if s == nil {
		return "<unset>"
	}
	return *s
}

func volumeModeCell(m *corev1.PersistentVolumeMode) string {
	if m == nil {
		return "<unset>"
	}
	return string(*m)
}
