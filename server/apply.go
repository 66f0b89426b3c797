package server

// Apply: the playground's "Apply" button. The YAML (one or many documents) is
// sent through the sandbox's real API chain as its admin, one document at a
// time, each as one trace: get, then create or patch — what `kubectl apply`
// does. Each document's answer says what happened, with the Kubernetes Status
// on failure and, for YAML errors and invalid fields, the line in the editor.
//
// The HTTP status sums the documents up, so a script need not read every
// result to know whether it worked (applyStatus): 201 Created when all
// succeeded and one was created, 200 OK when all succeeded otherwise (or there
// was nothing to apply), 207 Multi-Status when some failed and some did not,
// and when all failed the failures' own code if they share one 4xx (409, 403,
// ...), else 422 Unprocessable Entity. The body is the same in every case:
// {"results": [...]}, one per document.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"

	"github.com/glassplane/glassplane/controlplane/apiserver"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// maxApplyBytes bounds the playground's YAML.
const maxApplyBytes = apiserver.MaxRequestBytes

// ApplyResult is the answer for one document.
type ApplyResult struct {
	Index     int            `json:"index"`
	Line      int            `json:"line"` // where the document starts
	Kind      string         `json:"kind,omitempty"`
	Name      string         `json:"name,omitempty"`
	Namespace string         `json:"namespace,omitempty"`
	Outcome   string         `json:"outcome"` // created | configured | unchanged | error
	Trace     string         `json:"trace,omitempty"`
	Status    *metav1.Status `json:"status,omitempty"`
	ErrorLine int            `json:"errorLine,omitempty"`
	// CauseLines maps each field cause of a 422 to its line.
	CauseLines []int `json:"causeLines,omitempty"`
	// Warnings are the API server's Warning headers, as kubectl prints
	// them after "Warning: " (apps/v1beta2 is converted with one).
	Warnings []string `json:"warnings,omitempty"`
}

const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

func (w *Web) apply(c echo.Context) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxApplyBytes+1))
	if err != nil || len(body) > maxApplyBytes {
		return fail(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("the YAML must be under %d bytes", maxApplyBytes))
	}
	sb := sandboxOf(c)
	client, err := sb.clients()
	if err != nil {
		return fail(c, http.StatusServiceUnavailable, err.Error())
	}
	var results []ApplyResult
	for i, doc := range splitDocuments(string(body)) {
		if strings.TrimSpace(stripComments(doc.text)) == "" {
			continue
		}
		r := client.applyDocument(c.Request().Context(), []byte(doc.text))
		r.Index, r.Line = i, doc.line
		if r.ErrorLine > 0 {
			r.ErrorLine += doc.line - 1
		}
		for j := range r.CauseLines {
			if r.CauseLines[j] > 0 {
				r.CauseLines[j] += doc.line - 1
			}
		}
		results = append(results, r)
	}
	return c.JSON(applyStatus(results), map[string]any{"results": results})
}

// applyStatus is the HTTP status that sums up the documents' outcomes.
func applyStatus(results []ApplyResult) int {
	failed, created, failCode := 0, false, 0
	for _, r := range results {
		switch {
		case r.Outcome != "error":
			created = created || r.Outcome == "created"
			continue
		case r.Status == nil || r.Status.Code < 400 || r.Status.Code > 499:
			failCode = -1 // not a client error: no one code speaks for all
		case failCode == 0:
			failCode = int(r.Status.Code)
		case failCode != int(r.Status.Code):
			failCode = -1
		}
		failed++
	}
	switch {
	case failed == 0 && created:
		return http.StatusCreated
	case failed == 0:
		return http.StatusOK
	case failed < len(results):
		return http.StatusMultiStatus
	case failCode > 0:
		return failCode
	}
	return http.StatusUnprocessableEntity
}

type document struct {
	text string
	line int // 1-based line of its first line
}

// splitDocuments splits a YAML stream at "---" lines, keeping where each
// document starts so errors can point at the editor's lines.
func splitDocuments(s string) []document {
	var docs []document
	lines := strings.SplitAfter(s, "\n")
	start, cur := 1, []string{}
	for i, l := range lines {
		t := strings.TrimRight(l, "\r\n")
		if t == "---" || strings.HasPrefix(t, "--- ") {
			docs = append(docs, document{strings.Join(cur, ""), start})
			cur, start = nil, i+2
			continue
		}
		cur = append(cur, l)
	}
	return append(docs, document{strings.Join(cur, ""), start})
}

func stripComments(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

func (a *appClients) applyDocument(ctx context.Context, doc []byte) ApplyResult {
	j, err := apiserver.YAMLToJSON(doc)
	if err != nil {
		return yamlFailure(err)
	}
	// A key set twice would be lost in the JSON (the last one wins); Apply
	// asks for strict field validation, so it is an error, at its line.
	if _, err := yaml.YAMLToJSONStrict(doc); err != nil {
		return yamlFailure(apierrors.NewBadRequest(fmt.Sprintf("strict decoding error: %v", err)))
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(j); err != nil {
		st := apierrors.NewBadRequest(fmt.Sprintf("the document is not a Kubernetes object: %v", err)).Status()
		return ApplyResult{Outcome: "error", Status: &st}
	}
	r := ApplyResult{Kind: obj.GetKind(), Name: obj.GetName(), Namespace: obj.GetNamespace(), Outcome: "error"}
	r.Trace = steps.NewTrace()
	ctx = steps.WithCause(ctx, steps.Cause{Trace: r.Trace})
	ctx, warned := withWarnings(ctx)
	outcome, err := a.applyObject(ctx, obj, j)
	r.Warnings = warned.list()
	if err != nil {
		st := statusOf(err)
		r.Status = &st
		if st.Details != nil {
			for _, cause := range st.Details.Causes {
				r.CauseLines = append(r.CauseLines, lineOf(doc, cause.Field))
			}
		}
		r.ErrorLine = unknownFieldLine(doc, st.Message)
		return r
	}
	r.Outcome, r.Namespace = outcome, obj.GetNamespace()
	return r
}

// unknownField finds the fields a strict decoding error names
// (`unknown field "metadata.labelz"`).
var unknownField = regexp.MustCompile(`unknown field "([^"]+)"`)

// unknownFieldLine is the line of the first unknown field msg names, or 0.
func unknownFieldLine(doc []byte, msg string) int {
	for _, m := range unknownField.FindAllStringSubmatch(msg, -1) {
		if line := lineOf(doc, m[1]); line > 0 {
			return line
		}
	}
	return 0
}

func yamlFailure(err error) ApplyResult {
	st := statusOf(err)
	r := ApplyResult{Outcome: "error", Status: &st}
	if m := yamlLine.FindStringSubmatch(st.Message); m != nil {
		r.ErrorLine, _ = strconv.Atoi(m[1])
	}
	return r
}

func statusOf(err error) metav1.Status {
	var se apierrors.APIStatus
	if errors.As(err, &se) {
		return se.Status()
	}
	return apierrors.NewBadRequest(err.Error()).Status()
}

// applyObject creates obj, or patches it to match when it exists.
func (a *appClients) applyObject(ctx context.Context, obj *unstructured.Unstructured, j []byte) (string, error) {
	gvk := obj.GroupVersionKind()
	if gvk.Kind == "" || gvk.Version == "" {
		return "", apierrors.NewBadRequest("the document needs apiVersion and kind")
	}
	mapping, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		a.mapper.Reset()
		if mapping, err = a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
			return "", apierrors.NewBadRequest(fmt.Sprintf("no kind %q is served in version %q", gvk.Kind, gvk.GroupVersion()))
		}
	}
	res := a.dynamic.Resource(mapping.Resource)
	var ri interface {
		Get(context.Context, string, metav1.GetOptions, ...string) (*unstructured.Unstructured, error)
		Create(context.Context, *unstructured.Unstructured, metav1.CreateOptions, ...string) (*unstructured.Unstructured, error)
		Patch(context.Context, string, types.PatchType, []byte, metav1.PatchOptions, ...string) (*unstructured.Unstructured, error)
	} = res
	if mapping.Scope.Name() == "namespace" {
		if obj.GetNamespace() == "" {
			obj.SetNamespace("default")
		}
		ri = res.Namespace(obj.GetNamespace())
	}
	ann := obj.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[lastApplied] = string(j)
	obj.SetAnnotations(ann)
	cur, err := ri.Get(ctx, obj.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		_, err = ri.Create(ctx, obj, metav1.CreateOptions{FieldManager: "glassplane-playground", FieldValidation: "Strict"})
		return "created", err
	}
	if err != nil {
		return "", err
	}
	patch, _ := json.Marshal(obj.Object)
	out, err := ri.Patch(ctx, obj.GetName(), types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "glassplane-playground", FieldValidation: "Strict"})
	if err != nil {
		return "", err
	}
	if out.GetResourceVersion() == cur.GetResourceVersion() {
		return "unchanged", nil
	}
	return "configured", nil
}
