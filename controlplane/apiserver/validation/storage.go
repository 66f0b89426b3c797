package validation

// PersistentVolumes, PersistentVolumeClaims (kubernetes/pkg/apis/core/validation)
// and StorageClasses (kubernetes/pkg/apis/storage/validation), the parts a
// learner meets.
//
// A volume says what it is (one source: hostPath, nfs, csi …), how big, and
// how it may be mounted (access modes). A claim says what it needs: at least
// one access mode and a storage request. Once made, a claim's request is
// fixed, except that the binder fills in the volume it was bound to and
// defaulting may fill in a class it was created without. A class's
// provisioner and parameters are fixed too: volumes already made from it
// would no longer match it.

import (
	"reflect"
	"strings"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var (
	accessModes = sets.New(corev1.ReadWriteOnce, corev1.ReadOnlyMany, corev1.ReadWriteMany, corev1.ReadWriteOncePod)
	reclaims    = sets.New(corev1.PersistentVolumeReclaimDelete, corev1.PersistentVolumeReclaimRecycle, corev1.PersistentVolumeReclaimRetain)
	bindModes   = sets.New(storagev1.VolumeBindingImmediate, storagev1.VolumeBindingWaitForFirstConsumer)
)

// ValidatePersistentVolume checks pv's spec.
func ValidatePersistentVolume(pv *corev1.PersistentVolume) field.ErrorList {
	spec := field.NewPath("spec")
	errs := validateAccessModes(pv.Spec.AccessModes, spec.Child("accessModes"), "must specify at least 1 access mode")
	if len(pv.Spec.Capacity) == 0 {
		errs = append(errs, field.Required(spec.Child("capacity"), ""))
	} else if q, ok := pv.Spec.Capacity[corev1.ResourceStorage]; !ok || len(pv.Spec.Capacity) > 1 {
		errs = append(errs, field.NotSupported(spec.Child("capacity"), pv.Spec.Capacity, []corev1.ResourceName{corev1.ResourceStorage}))
	} else {
		errs = append(errs, validatePositiveQuantity(q, spec.Child("capacity").Key(string(corev1.ResourceStorage)))...)
	}
	if p := pv.Spec.PersistentVolumeReclaimPolicy; p != "" && !reclaims.Has(p) {
		errs = append(errs, field.NotSupported(spec.Child("persistentVolumeReclaimPolicy"), p, sets.List(reclaims)))
	}
	if c := pv.Spec.StorageClassName; c != "" {
		errs = append(errs, dns1123Subdomain(c, spec.Child("storageClassName"))...)
	}
	errs = append(errs, validateVolumeSource(&pv.Spec.PersistentVolumeSource, spec)...)
	return errs
}

// validateVolumeSource wants exactly one source; of the sources it knows
// how to check, hostPath needs a path.
func validateVolumeSource(src *corev1.PersistentVolumeSource, spec *field.Path) field.ErrorList {
	n := 0
	v := reflect.ValueOf(src).Elem()
	for i := range v.NumField() {
		if !v.Field(i).IsNil() {
			n++
		}
	}
	switch {
	case n == 0:
		return field.ErrorList{field.Required(spec, "must specify a volume type")}
	case n > 1:
		return field.ErrorList{field.Forbidden(spec, "may not specify more than 1 volume type")}
	case src.HostPath != nil && src.HostPath.Path == "":
		return field.ErrorList{field.Required(spec.Child("hostPath", "path"), "")}
	}
	return nil
}

// ValidatePersistentVolumeClaim checks pvc's spec, and on update that only
// what the binder and defaulting fill in has changed.
func ValidatePersistentVolumeClaim(pvc, old *corev1.PersistentVolumeClaim) field.ErrorList {
	spec := field.NewPath("spec")
	errs := validateAccessModes(pvc.Spec.AccessModes, spec.Child("accessModes"), "at least 1 access mode is required")
	storage := spec.Child("resources", "requests").Key(string(corev1.ResourceStorage))
	if q, ok := pvc.Spec.Resources.Requests[corev1.ResourceStorage]; !ok {
		errs = append(errs, field.Required(storage, ""))
	} else {
		errs = append(errs, validatePositiveQuantity(q, storage)...)
	}
	if c := pvc.Spec.StorageClassName; c != nil && *c != "" {
		errs = append(errs, dns1123Subdomain(*c, spec.Child("storageClassName"))...)
	}
	if old == nil {
		return errs
	}
	was := old.Spec.DeepCopy()
	if was.VolumeName == "" {
		was.VolumeName = pvc.Spec.VolumeName
	}
	if was.StorageClassName == nil {
		was.StorageClassName = pvc.Spec.StorageClassName
	}
	if !equality.Semantic.DeepEqual(*was, pvc.Spec) {
		errs = append(errs, field.Forbidden(spec, "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"))
	}
	return errs
}

func validateAccessModes(modes []corev1.PersistentVolumeAccessMode, path *field.Path, missing string) field.ErrorList {
	if len(modes) == 0 {
		return field.ErrorList{field.Required(path, missing)}
	}
	var errs field.ErrorList
	for _, m := range modes {
		if !accessModes.Has(m) {
			errs = append(errs, field.NotSupported(path, m, sets.List(accessModes)))
		}
	}
	if len(modes) > 1 && sets.New(modes...).Has(corev1.ReadWriteOncePod) {
		errs = append(errs, field.Forbidden(path, "may not use ReadWriteOncePod with other access modes"))
	}
	return errs
}

func validatePositiveQuantity(q resource.Quantity, path *field.Path) field.ErrorList {
	if q.Sign() <= 0 {
		return field.ErrorList{field.Invalid(path, q.String(), "must be greater than zero")}
	}
	return nil
}

// ValidateStorageClass checks sc, and on update that what volumes were made
// from has not changed.
func ValidateStorageClass(sc, old *storagev1.StorageClass) field.ErrorList {
	var errs field.ErrorList
	if sc.Provisioner == "" {
		errs = append(errs, field.Required(field.NewPath("provisioner"), ""))
	} else {
		for _, msg := range validation.IsQualifiedName(strings.ToLower(sc.Provisioner)) {
			errs = append(errs, field.Invalid(field.NewPath("provisioner"), sc.Provisioner, msg))
		}
	}
	if p := sc.ReclaimPolicy; p != nil && *p != corev1.PersistentVolumeReclaimDelete && *p != corev1.PersistentVolumeReclaimRetain {
		errs = append(errs, field.NotSupported(field.NewPath("reclaimPolicy"), *p,
			[]corev1.PersistentVolumeReclaimPolicy{corev1.PersistentVolumeReclaimDelete, corev1.PersistentVolumeReclaimRetain}))
	}
	if m := sc.VolumeBindingMode; m != nil && !bindModes.Has(*m) {
		errs = append(errs, field.NotSupported(field.NewPath("volumeBindingMode"), *m, sets.List(bindModes)))
	}
	if old == nil {
		return errs
	}
	if sc.Provisioner != old.Provisioner {
		errs = append(errs, field.Forbidden(field.NewPath("provisioner"), "updates to provisioner are forbidden."))
	}
	if !reflect.DeepEqual(sc.Parameters, old.Parameters) {
		errs = append(errs, field.Forbidden(field.NewPath("parameters"), "updates to parameters are forbidden."))
	}
	if !reflect.DeepEqual(sc.ReclaimPolicy, old.ReclaimPolicy) {
		errs = append(errs, field.Forbidden(field.NewPath("reclaimPolicy"), "updates to reclaimPolicy are forbidden."))
	}
	if !reflect.DeepEqual(sc.VolumeBindingMode, old.VolumeBindingMode) {
		errs = append(errs, field.Forbidden(field.NewPath("volumeBindingMode"), "field is immutable"))
	}
	return errs
}
