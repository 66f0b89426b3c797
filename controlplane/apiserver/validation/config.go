package validation

// ConfigMaps and Secrets (kubernetes/pkg/apis/core/validation:
// ValidateConfigMap, ValidateSecret).
//
// Both are bags of named values that pods mount as files or read as
// environment variables, so each key must be usable as a file name
// (letters, digits, '-', '_', '.'). Both live in etcd as one value, so
// together they may hold at most 1 MiB. A Secret's type promises keys: a
// kubernetes.io/tls Secret has tls.crt and tls.key. Once marked immutable,
// neither may change again (the kubelet stops watching them).

import (
	"encoding/json"
	"sort"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// maxSize is kube's MaxSecretSize, the limit for both kinds.
const maxSize = 1 * 1024 * 1024

const immutableMsg = "field is immutable when `immutable` is set"

// ValidateConfigMap validates a ConfigMap, and on update its immutability.
func ValidateConfigMap(cm, old *corev1.ConfigMap) field.ErrorList {
	var errs field.ErrorList
	size := 0
	for _, key := range sortedKeys(cm.Data) {
		p := field.NewPath("data").Key(key)
		errs = append(errs, configMapKey(key, p)...)
		if _, dup := cm.BinaryData[key]; dup {
			errs = append(errs, field.Invalid(p, key, "duplicate of key present in binaryData"))
		}
		size += len(cm.Data[key])
	}
	for _, key := range sortedKeys(cm.BinaryData) {
		errs = append(errs, configMapKey(key, field.NewPath("binaryData").Key(key))...)
		size += len(cm.BinaryData[key])
	}
	if size > maxSize {
		errs = append(errs, field.TooLong(field.NewPath(""), "", maxSize))
	}
	if old != nil && isTrue(old.Immutable) {
		errs = append(errs, immutableUpdate(cm.Immutable, []any{cm.Data, cm.BinaryData}, []any{old.Data, old.BinaryData}, "data", "binaryData")...)
	}
	return errs
}

// ValidateSecret validates a Secret, its type's required keys, and on
// update its type and immutability.
func ValidateSecret(s, old *corev1.Secret) field.ErrorList {
	var errs field.ErrorList
	data := field.NewPath("data")
	size := 0
	for _, key := range sortedKeys(s.Data) {
		errs = append(errs, configMapKey(key, data.Key(key))...)
		size += len(s.Data[key])
	}
	for _, key := range sortedKeys(s.StringData) {
		errs = append(errs, configMapKey(key, field.NewPath("stringData").Key(key))...)
		size += len(s.StringData[key])
	}
	if size > maxSize {
		errs = append(errs, field.TooLong(data, "", maxSize))
	}
	errs = append(errs, validateSecretType(s, data)...)
	if old != nil {
		errs = append(errs, apivalidation.ValidateImmutableField(s.Type, old.Type, field.NewPath("type"))...)
		if isTrue(old.Immutable) {
			errs = append(errs, immutableUpdate(s.Immutable, []any{s.Data}, []any{old.Data}, "data")...)
		}
	}
	return errs
}

// validateSecretType checks the keys each well-known type requires.
func validateSecretType(s *corev1.Secret, data *field.Path) field.ErrorList {
	has := func(key string) bool { _, ok := s.Data[key]; _, str := s.StringData[key]; return ok || str }
	var errs field.ErrorList
	switch s.Type {
	case corev1.SecretTypeServiceAccountToken:
		if s.Annotations[corev1.ServiceAccountNameKey] == "" {
			errs = append(errs, field.Required(field.NewPath("metadata", "annotations").Key(corev1.ServiceAccountNameKey), ""))
		}
	case corev1.SecretTypeDockercfg, corev1.SecretTypeDockerConfigJson:
		key := corev1.DockerConfigKey
		if s.Type == corev1.SecretTypeDockerConfigJson {
			key = corev1.DockerConfigJsonKey
		}
		if !has(key) {
			return append(errs, field.Required(data.Key(key), ""))
		}
		if err := json.Unmarshal(s.Data[key], &map[string]any{}); err != nil && s.Data[key] != nil {
			errs = append(errs, field.Invalid(data.Key(key), "<secret contents redacted>", err.Error()))
		}
	case corev1.SecretTypeBasicAuth:
		if !has(corev1.BasicAuthUsernameKey) && !has(corev1.BasicAuthPasswordKey) {
			errs = append(errs, field.Required(data.Key(corev1.BasicAuthUsernameKey), ""),
				field.Required(data.Key(corev1.BasicAuthPasswordKey), ""))
		}
	case corev1.SecretTypeSSHAuth:
		if !has(corev1.SSHAuthPrivateKey) {
			errs = append(errs, field.Required(data.Key(corev1.SSHAuthPrivateKey), ""))
		}
	case corev1.SecretTypeTLS:
		for _, key := range []string{corev1.TLSCertKey, corev1.TLSPrivateKeyKey} {
			if !has(key) {
				errs = append(errs, field.Required(data.Key(key), ""))
			}
		}
	}
	return errs
}

// immutableUpdate: an immutable object stays immutable, and its contents
// (one value per field name) stay as they were.
func immutableUpdate(immutable *bool, now, old []any, fields ...string) field.ErrorList {
	var errs field.ErrorList
	if !isTrue(immutable) {
		errs = append(errs, field.Forbidden(field.NewPath("immutable"), immutableMsg))
	}
	for i, name := range fields {
		if !equality.Semantic.DeepEqual(now[i], old[i]) {
			errs = append(errs, field.Forbidden(field.NewPath(name), immutableMsg))
		}
	}
	return errs
}

func configMapKey(key string, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsConfigMapKey(key) {
		errs = append(errs, field.Invalid(path, key, msg))
	}
	return errs
}

func isTrue(b *bool) bool { return b != nil && *b }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
