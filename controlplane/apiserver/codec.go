package apiserver

// Encoding and decoding on the wire, as kube-apiserver does it:
//
//   - request bodies are JSON or YAML, at most 3 MiB (413 otherwise); YAML is
//     converted to JSON with alias expansion limited, so a "billion laughs"
//     document fails at once instead of eating memory;
//   - unknown or duplicated fields are rejected, warned about or ignored as the
//     fieldValidation parameter says (Strict, Warn — the default — or Ignore);
//   - responses are JSON, YAML, or a meta.k8s.io Table when the client asks
//     for one (that is how `kubectl get` prints columns the server chose);
//     a client whose first choice is Kubernetes' protobuf encoding (the
//     components, as kube's own ask for it) gets built-in objects in
//     protobuf, which costs both sides a fraction of JSON's encoding work;
//   - every error is a metav1.Status with Kubernetes' reason and code.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	protobufserializer "k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	"k8s.io/client-go/kubernetes/scheme"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// MaxRequestBytes is kube-apiserver's limit on a request body.
const MaxRequestBytes = 3 * 1024 * 1024

// readBody reads a request body within the size limit and returns it as JSON.
func readBody(r *http.Request) ([]byte, error) {
	data, _, err := readObjectBody(r)
	return data, err
}

// readObjectBody is readBody for an object's body, which also returns the
// keys a YAML body sets twice. Converting YAML to JSON keeps only the last of
// them, so the JSON decoder cannot see them; kube-apiserver finds them the
// same way (yaml.YAMLToJSONStrict on the original body) and treats them as it
// treats unknown fields, by the request's fieldValidation.
func readObjectBody(r *http.Request) (data []byte, duplicates error, err error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes+1))
	if err != nil {
		return nil, nil, apierrors.NewBadRequest(fmt.Sprintf("reading the request body: %v", err))
	}
	if len(body) > MaxRequestBytes {
		return nil, nil, apierrors.NewRequestEntityTooLargeError(fmt.Sprintf("limit is %d", MaxRequestBytes))
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil, apierrors.NewBadRequest("the request body is empty")
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == runtime.ContentTypeProtobuf {
		data, err = protobufToJSON(body)
		return data, nil, err
	}
	if ct == "application/yaml" || ct == "application/apply-patch+yaml" || !looksLikeJSON(body) {
		if data, err = YAMLToJSON(body); err != nil {
			return nil, nil, err
		}
		_, duplicates = yaml.YAMLToJSONStrict(body)
		return data, duplicates, nil
	}
	return body, nil, nil
}

func looksLikeJSON(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

// protobuf encodes and decodes Kubernetes' protobuf envelope (a magic
// prefix, then the object's apiVersion and kind beside its bytes) for the
// k8s.io/api types; protobufRaw is the bare encoding a watch's frames use.
var (
	protobuf    = protobufserializer.NewSerializer(scheme.Scheme, scheme.Scheme)
	protobufRaw = protobufserializer.NewRawSerializer(scheme.Scheme, scheme.Scheme)
)

// hasProtobuf reports whether objects of gvk have a protobuf form.
func hasProtobuf(gvk schema.GroupVersionKind) bool {
	obj, err := scheme.Scheme.New(gvk)
	if err != nil {
		return false
	}
	_, ok := obj.(interface{ Marshal() ([]byte, error) })
	return ok
}

// protobufToJSON turns a protobuf body (kubectl sends some objects so) into
// JSON, so the rest of the chain has one format to read.
func protobufToJSON(body []byte) ([]byte, error) {
	obj, gvk, err := protobuf.Decode(body, nil, nil)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the request body is not valid protobuf: %v", err))
	}
	obj.GetObjectKind().SetGroupVersionKind(*gvk)
	return json.Marshal(obj)
}

// YAMLToJSON converts one YAML document to JSON, refusing documents whose
// aliases would expand far beyond their size (CVE-2019-11253).
func YAMLToJSON(doc []byte) ([]byte, error) {
	if err := checkAliases(doc); err != nil {
		return nil, err
	}
	j, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the request body is not valid YAML or JSON: %v", err))
	}
	if len(j) > 4*MaxRequestBytes {
		return nil, apierrors.NewRequestEntityTooLargeError("the YAML expands beyond the size limit")
	}
	return j, nil
}

// decodeObject decodes JSON into a new object of gvk, checking that the body's
// own apiVersion and kind agree, and applying the fieldValidation directive.
// It returns the warnings a Warn directive produces.
func decodeObject(data []byte, gvk schema.GroupVersionKind, into runtime.Object, validation string) ([]string, error) {
	var tm metav1.TypeMeta
	if err := json.Unmarshal(data, &tm); err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the request body is not a JSON object: %v", err))
	}
	if tm.Kind != "" && tm.Kind != gvk.Kind {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the kind in the body (%s) does not match the kind of the URL (%s)", tm.Kind, gvk.Kind))
	}
	if tm.APIVersion != "" && tm.APIVersion != gvk.GroupVersion().String() {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("the API version in the data (%s) does not match the expected API version (%s)", tm.APIVersion, gvk.GroupVersion()))
	}
	strict, err := kjson.UnmarshalStrict(data, into)
	if err != nil {
		return nil, cannotBeHandled(gvk, err)
	}
	into.GetObjectKind().SetGroupVersionKind(gvk)
	if len(strict) == 0 {
		return nil, nil
	}
	msgs := make([]string, len(strict))
	for i, e := range strict {
		msgs[i] = e.Error()
	}
	switch validation {
	case metav1.FieldValidationStrict:
		return nil, cannotBeHandled(gvk, runtime.NewStrictDecodingError(strict))
	case metav1.FieldValidationIgnore:
		return nil, nil
	}
	return msgs, nil
}

// cannotBeHandled is kube-apiserver's 400 for a body that does not decode
// (its transformDecodeError): `ConfigMap in version "v1" cannot be handled
// as a ConfigMap: strict decoding error: unknown field "colour"`.
func cannotBeHandled(gvk schema.GroupVersionKind, err error) error {
	return apierrors.NewBadRequest(fmt.Sprintf("%s in version %q cannot be handled as a %s: %v", gvk.Kind, gvk.Version, gvk.Kind, err))
}

// fieldValidation reads and checks the fieldValidation parameter.
func fieldValidation(r *http.Request) (string, error) {
	v := r.URL.Query().Get("fieldValidation")
	switch v {
	case "":
		return metav1.FieldValidationWarn, nil
	case metav1.FieldValidationStrict, metav1.FieldValidationWarn, metav1.FieldValidationIgnore:
		return v, nil
	}
	return "", apierrors.NewBadRequest(fmt.Sprintf("fieldValidation must be one of Strict, Warn or Ignore, not %q", v))
}

// writeObject writes obj in the format the client accepts.
func writeObject(w http.ResponseWriter, r *http.Request, code int, obj runtime.Object) {
	var body []byte
	var err error
	if wantsProtobuf(r) {
		var buf bytes.Buffer
		if protobuf.Encode(obj, &buf) == nil {
			w.Header().Set("Content-Type", runtime.ContentTypeProtobuf)
			w.WriteHeader(code)
			_, _ = w.Write(buf.Bytes())
			return
		}
		// a custom object has no protobuf form; JSON it is, as the
		// client's Accept also allows
	}
	if wantsYAML(r) {
		w.Header().Set("Content-Type", "application/yaml")
		body, err = yaml.Marshal(obj)
	} else {
		w.Header().Set("Content-Type", "application/json")
		body, err = json.Marshal(obj)
	}
	if err != nil {
		writeError(w, apierrors.NewInternalError(err))
		return
	}
	w.WriteHeader(code)
	_, _ = w.Write(append(body, '\n'))
}

// wantsProtobuf reports whether the client's first choice is a plain object
// in protobuf. A protobuf choice with parameters (as=Table, as=Partial…) is
// a view this server answers in JSON, the client's next choice.
func wantsProtobuf(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil {
			return mt == runtime.ContentTypeProtobuf && len(params) == 0
		}
	}
	return false
}

func wantsYAML(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	return strings.HasPrefix(accept, "application/yaml") && !strings.Contains(accept, "json")
}

// wantsTable reports whether the client asked for a meta.k8s.io Table.
func wantsTable(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || mt != "application/json" {
			continue
		}
		if params["as"] == "Table" && params["g"] == "meta.k8s.io" && (params["v"] == "v1" || params["v"] == "v1beta1") {
			return true
		}
		return false // the client prefers a plain object
	}
	return false
}

// writeError writes err as a metav1.Status. Errors that are not API errors are
// the server's fault and become 500 Internal Error. A status that says when to
// retry (429 Too Many Requests) also says it in Retry-After, as
// kube-apiserver does: client-go waits that many seconds before it retries.
func writeError(w http.ResponseWriter, err error) {
	var st apierrors.APIStatus
	if !errors.As(err, &st) {
		st = apierrors.NewInternalError(err)
	}
	status := st.Status()
	status.Kind, status.APIVersion = "Status", "v1"
	status.Status = metav1.StatusFailure
	w.Header().Set("Content-Type", "application/json")
	if status.Details != nil && status.Details.RetryAfterSeconds > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(status.Details.RetryAfterSeconds)))
	}
	code := int(status.Code)
	if code == 0 {
		code = http.StatusInternalServerError
	}
	w.WriteHeader(code)
	body, _ := json.Marshal(status)
	_, _ = w.Write(append(body, '\n'))
}
