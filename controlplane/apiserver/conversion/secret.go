package conversion

// A Secret's stringData is a write-only convenience: a client may give
// values as plain text there instead of base64 in data. Kubernetes' internal
// Secret has no stringData field, so converting the request to it (kube's
// Convert_v1_Secret_To_core_Secret) merges every stringData entry into data,
// overwriting a data key of the same name, and stringData is never stored
// or shown. data holds bytes; JSON encodes them as base64.

import corev1 "k8s.io/api/core/v1"

// mergeStringData moves secret.StringData into secret.Data.
func mergeStringData(secret *corev1.Secret) *corev1.Secret {
	if len(secret.StringData) == 0 {
		secret.StringData = nil
		return secret
	}
	if secret.Data == nil {
		secret.Data = make(map[string][]byte, len(secret.StringData))
	}
	for k, v := range secret.StringData {
		secret.Data[k] = []byte(v)
	}
	secret.StringData = nil
	return secret
}
