// Package printers builds the server-side "Table" responses (meta.k8s.io/v1
// Table) that kubectl asks for when it prints `kubectl get ...`.
//
// In Kubernetes this is the job of pkg/printers/internalversion: the API
// server, not kubectl, decides which columns a resource has and what each
// cell says. kubectl just lays the cells out, hiding columns with a
// priority above 0 unless `-o wide` is given.
//
// This file holds the dispatcher (TableFor) and helpers shared by the
// per-kind files (pods.go, apps.go, nodes.go, services.go, rbac.go, misc.go).
package printers

import (
	"fmt"
	"reflect"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/client-go/kubernetes/scheme"
)

// printer knows the columns of one kind and how to fill a row for one object.
type printer struct {
	columns []metav1.TableColumnDefinition
	row     func(obj runtime.Object) metav1.TableRow
}

// printersByType maps the Go type of a single object (e.g. *corev1.Pod) to its printer.
var printersByType = map[reflect.Type]printer{}

// register adds a printer for the object type T. Each kind file calls it from init().
func register[T runtime.Object](columns []metav1.TableColumnDefinition, row func(T) metav1.TableRow) {
	var zero T
	printersByType[reflect.TypeOf(zero)] = printer{
		columns: columns,
		row:     func(obj runtime.Object) metav1.TableRow { return row(obj.(T)) },
	}
}

// objectMetaDocs holds the API documentation of metadata fields; kube uses it
// as the description of the Name and Age columns.
var objectMetaDocs = metav1.ObjectMeta{}.SwaggerDoc()

// nameColumn and ageColumn appear in almost every table.
var (
	nameColumn = metav1.TableColumnDefinition{Name: "Name", Type: "string", Format: "name", Description: objectMetaDocs["name"]}
	ageColumn  = metav1.TableColumnDefinition{Name: "Age", Type: "string", Description: objectMetaDocs["creationTimestamp"]}
)

// defaultPrinter is used for kinds without their own printer. It matches
// kube-apiserver's default table convertor: NAME and CREATED AT.
var defaultPrinter = printer{
	columns: []metav1.TableColumnDefinition{
		nameColumn,
		{Name: "Created At", Type: "date", Description: objectMetaDocs["creationTimestamp"]},
	},
	row: func(obj runtime.Object) metav1.TableRow {
		m, _ := meta.Accessor(obj) // TableFor has already checked this works
		return cells(m.GetName(), createdAt(m.GetCreationTimestamp()))
	},
}

// TableFor converts one object or a list (e.g. *corev1.PodList) into a Table.
// Types without a printer get the default NAME / CREATED AT columns like
// kube-apiserver's default table convertor.
func TableFor(obj runtime.Object, opts *metav1.TableOptions) (*metav1.Table, error) {
	if opts == nil {
		opts = &metav1.TableOptions{}
	}
	items, itemType, err := splitItems(obj)
	if err != nil {
		return nil, err
	}
	p, ok := printersByType[itemType]
	if !ok {
		p = defaultPrinter
	}

	table := &metav1.Table{
		TypeMeta: metav1.TypeMeta{APIVersion: "meta.k8s.io/v1", Kind: "Table"},
		Rows:     []metav1.TableRow{},
	}
	if !opts.NoHeaders {
		table.ColumnDefinitions = slices.Clone(p.columns)
	}
	for _, item := range items {
		if _, err := meta.Accessor(item); err != nil {
			return nil, fmt.Errorf("cannot print %T as a table: %w", item, err)
		}
		row := p.row(item)
		if row.Object, err = rowObject(item, opts.IncludeObject); err != nil {
			return nil, err
		}
		table.Rows = append(table.Rows, row)
	}
	copyListMeta(obj, table)
	return table, nil
}

// splitItems returns the objects to print, one per row, plus the Go type of
// one item so TableFor can choose the printer even for an empty list.
func splitItems(obj runtime.Object) ([]runtime.Object, reflect.Type, error) {
	if !meta.IsListType(obj) {
		return []runtime.Object{obj}, reflect.TypeOf(obj), nil
	}
	items, err := meta.ExtractList(obj)
	if err != nil {
		return nil, nil, err
	}
	return items, listItemType(obj), nil
}

// listItemType reads the element type of a list's Items field:
// *corev1.PodList has Items []corev1.Pod, so the answer is *corev1.Pod.
func listItemType(list runtime.Object) reflect.Type {
	v := reflect.ValueOf(list)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	field := v.Elem().FieldByName("Items")
	if !field.IsValid() || field.Kind() != reflect.Slice {
		return nil
	}
	elem := field.Type().Elem()
	if elem.Kind() == reflect.Struct {
		return reflect.PointerTo(elem)
	}
	return elem
}

// copyListMeta copies resourceVersion, continue and remainingItemCount from a
// list (or just resourceVersion from a single object) onto the table.
func copyListMeta(obj runtime.Object, table *metav1.Table) {
	if l, err := meta.ListAccessor(obj); err == nil {
		table.ResourceVersion = l.GetResourceVersion()
		table.Continue = l.GetContinue()
		table.RemainingItemCount = l.GetRemainingItemCount()
		return
	}
	if m, err := meta.CommonAccessor(obj); err == nil {
		table.ResourceVersion = m.GetResourceVersion()
	}
}

// rowObject decides what travels with each row, following ?includeObject=:
// None, Object (the full object) or Metadata (the default: only metadata).
// RowObject is what a Table row carries of obj under policy: nothing, its
// metadata (the default) or the whole object.
func RowObject(obj runtime.Object, policy metav1.IncludeObjectPolicy) (runtime.RawExtension, error) {
	return rowObject(obj, policy)
}

func rowObject(obj runtime.Object, policy metav1.IncludeObjectPolicy) (runtime.RawExtension, error) {
	switch policy {
	case metav1.IncludeNone:
		return runtime.RawExtension{}, nil
	case metav1.IncludeObject:
		return runtime.RawExtension{Object: withTypeMeta(obj)}, nil
	default:
		m, err := meta.Accessor(obj)
		if err != nil {
			return runtime.RawExtension{}, err
		}
		partial := meta.AsPartialObjectMetadata(m)
		partial.APIVersion = "meta.k8s.io/v1"
		partial.Kind = "PartialObjectMetadata"
		return runtime.RawExtension{Object: partial}, nil
	}
}

// withTypeMeta returns a copy of obj with apiVersion and kind filled in.
// Typed Go objects usually leave TypeMeta empty, so we look it up in
// client-go's scheme of built-in types.
func withTypeMeta(obj runtime.Object) runtime.Object {
	out := obj.DeepCopyObject()
	if !out.GetObjectKind().GroupVersionKind().Empty() {
		return out
	}
	if kinds, _, err := scheme.Scheme.ObjectKinds(out); err == nil && len(kinds) > 0 {
		out.GetObjectKind().SetGroupVersionKind(kinds[0])
	}
	return out
}

// cells builds a row from its cell values.
func cells(values ...any) metav1.TableRow {
	return metav1.TableRow{Cells: values}
}

// age renders a timestamp the way the AGE column does: "5m", "3d2h", ...
func age(t metav1.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(time.Since(t.Time))
}

// microAge is age for the MicroTime fields used by events.
func microAge(t metav1.MicroTime) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(time.Since(t.Time))
}

// createdAt renders the CREATED AT column: an RFC 3339 timestamp in UTC.
func createdAt(t metav1.Time) string {
	return t.UTC().Format(time.RFC3339)
}

// orNone returns "<none>" for an empty string, as kubectl output does.
func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

// orUnknown returns "<unknown>" for an empty string.
func orUnknown(s string) string {
	if s == "" {
		return "<unknown>"
	}
	return s
}
