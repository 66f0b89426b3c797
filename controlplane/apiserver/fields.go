package apiserver

// Field ownership: metadata.managedFields, and server-side apply.
//
// Every write records who set which fields. A request names its manager
// with ?fieldManager= (kubectl sends "kubectl-create",
// "kubectl-client-side-apply", "kubectl-edit", ...); without one the manager
// is the client's user agent up to its first "/" ("kube-controller-manager").
// The API server compares the object before and after the write, field by
// field, and moves the fields that changed into that manager's entry of
// metadata.managedFields, together with the operation (Update or Apply), the
// apiVersion the manager used and, for a write to status or scale, the
// subresource. `kubectl get -o yaml --show-managed-fields` shows them.
//
// Server-side apply (`kubectl apply --server-side`, a PATCH with content
// type application/apply-patch+yaml) uses that record. The manifest is the
// manager's whole intent: fields it names are set and owned by it, fields it
// named last time and no longer names are removed (unless someone else owns
// them too), and a field another manager owns with a different value is a
// 409 Conflict naming the field and its owner, unless the client forces
// (--force-conflicts), which takes the field over.
//
// The comparing and merging is k8s.io/apimachinery's managedfields package
// (the code kube-apiserver runs), driven by the served OpenAPI schemas: they
// say which lists merge by which key (containers by name) and which are
// atomic. Glassplane only chooses the manager, passes objects in the storage
// version with a converter to the request's version, and says which fields a
// write to the main resource or to status may not touch.

import (
	"fmt"
	"strings"
	"sync"
	"unicode"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/glassplane/glassplane/controlplane/apiserver/conversion"
	"github.com/glassplane/glassplane/controlplane/apiserver/defaults"
)

// fieldManagerMaxLength is kube's limit on a manager's name.
const fieldManagerMaxLength = 128

// fieldManagers holds one field manager per kind, version and subresource,
// made on first use.
type fieldManagers struct {
	types managedfields.TypeConverter // nil: managedFields are not kept
	mu    sync.Mutex                  // guards m
	m     map[fieldsKey]*managedfields.FieldManager
}

type fieldsKey struct {
	kind        schema.GroupVersionKind // the request's
	hub         schema.GroupVersion     // the storage version
	subresource string
}

// manager returns the field manager for q's kind in q's version, writing
// subresource ("", "status" or "scale").
func (f *fieldManagers) manager(q *apiRequest, subresource string) (*managedfields.FieldManager, error) {
	k := fieldsKey{kind: q.gvk(), hub: q.res.GroupVersion, subresource: subresource}
	f.mu.Lock()
	defer f.mu.Unlock()
	if m, ok := f.m[k]; ok {
		return m, nil
	}
	reset := fieldpath.NewExcludeSetFilter(fieldpath.NewSet(fieldpath.MakePathOrDie("status")))
	if subresource == "status" {
		reset = fieldpath.NewExcludeSetFilter(fieldpath.NewSet(fieldpath.MakePathOrDie("spec")))
	}
	resetFields := map[fieldpath.APIVersion]fieldpath.Filter{fieldpath.APIVersion(k.kind.GroupVersion().String()): reset}
	m, err := managedfields.NewDefaultFieldManager(f.types, storageConverter{}, objectDefaulter{}, scheme.Scheme,
		k.kind, k.hub, subresource, resetFields)
	if err != nil {
		return nil, err
	}
	if f.m == nil {
		f.m = map[fieldsKey]*managedfields.FieldManager{}
	}
	f.m[k] = m
	return m, nil
}

// update records in obj's managedFields the fields q's manager changed from
// live (nil for a create). If ownership cannot be worked out, the write
// still happens, keeping live's record, as kube-apiserver does.
func (s *Server) updateManagedFields(q *apiRequest, live, obj runtime.Object, subresource string) (runtime.Object, error) {
	if s.fields.types == nil || q.cr != nil { // the served schemas are the built-in kinds'
		return obj, nil
	}
	name, err := managerName(q)
	if err != nil {
		return nil, err
	}
	m, err := s.fields.manager(q, subresource)
	if err != nil {
		return obj, nil
	}
	if live == nil {
		if live, err = scheme.Scheme.New(q.res.GroupVersion.WithKind(q.res.Kind)); err != nil {
			return obj, nil
		}
	}
	return m.UpdateNoErrors(live, obj, name), nil
}

// managerName is the request's fieldManager, or its user agent's product.
func managerName(q *apiRequest) (string, error) {
	name := q.r.URL.Query().Get("fieldManager")
	if name == "" {
		name = prefixFromUserAgent(q.r.UserAgent())
	}
	if err := validateManagerName(name, optionsKind(q)); err != nil {
		return "", err
	}
	return name, nil
}

// optionsKind names the options a request's fieldManager belongs to, as
// kube-apiserver's errors name them.
func optionsKind(q *apiRequest) string {
	switch q.info.Verb {
	case "create":
		return "CreateOptions"
	case "update":
		return "UpdateOptions"
	}
	return "PatchOptions"
}

func validateManagerName(name, kind string) error {
	path := field.NewPath("fieldManager")
	var errs field.ErrorList
	if len(name) > fieldManagerMaxLength {
		errs = append(errs, field.TooLong(path, "", fieldManagerMaxLength))
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			errs = append(errs, field.Invalid(path, name, "must only contain printable characters"))
			break
		}
	}
	if len(errs) > 0 {
		return apierrors.NewInvalid(schema.GroupKind{Group: metav1.GroupName, Kind: kind}, "", errs)
	}
	return nil
}

// prefixFromUserAgent is kube's default manager: "kubectl/v1.37.2 (linux)"
// manages as "kubectl".
func prefixFromUserAgent(ua string) string {
	name, _, _ := strings.Cut(ua, "/")
	name = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, name)
	if len(name) > fieldManagerMaxLength {
		name = name[:fieldManagerMaxLength]
	}
	return name
}

// storageConverter converts between the storage version and the versions
// served beside it (apps/v1beta2 for apps/v1), for the field manager, which
// records each manager's fields in the version it used.
type storageConverter struct{}

func (storageConverter) Convert(in, out, context any) error {
	return scheme.Scheme.Convert(in, out, context)
}

func (storageConverter) ConvertFieldLabel(gvk schema.GroupVersionKind, label, value string) (string, string, error) {
	return scheme.Scheme.ConvertFieldLabel(gvk, label, value)
}

func (storageConverter) ConvertToVersion(in runtime.Object, target runtime.GroupVersioner) (runtime.Object, error) {
	if u, ok := in.(*unstructured.Unstructured); ok {
		typed, err := scheme.Scheme.New(u.GroupVersionKind())
		if err != nil {
			return nil, err
		}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, typed); err != nil {
			return nil, err
		}
		typed.GetObjectKind().SetGroupVersionKind(u.GroupVersionKind())
		in = typed
	}
	from := in.GetObjectKind().GroupVersionKind()
	if from.Empty() {
		kinds, _, err := scheme.Scheme.ObjectKinds(in)
		if err != nil {
			return nil, err
		}
		from = kinds[0]
	}
	to, ok := target.KindForGroupVersionKinds([]schema.GroupVersionKind{from})
	if !ok {
		return nil, fmt.Errorf("%s cannot be converted to %v", from, target)
	}
	if to.GroupVersion() == from.GroupVersion() {
		in.GetObjectKind().SetGroupVersionKind(from)
		return in, nil
	}
	out, err := conversion.FromStorage(in, to.GroupVersion())
	if err != nil { // in is in an older version: to is the storage version
		out, err = conversion.ToStorage(in)
	}
	if err != nil {
		return nil, err
	}
	if got := out.GetObjectKind().GroupVersionKind().GroupVersion(); got != to.GroupVersion() {
		return nil, fmt.Errorf("%s cannot be converted to %s", from, to.GroupVersion())
	}
	return out, nil
}

// objectDefaulter defaults what server-side apply made, as a create or
// update of the same object would have been defaulted.
type objectDefaulter struct{}

func (objectDefaulter) Default(obj runtime.Object) { defaults.Default(obj) }
