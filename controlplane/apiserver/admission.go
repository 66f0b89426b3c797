package apiserver

// Admission runs after authorization and before storage. Mutating plugins may
// change the object (defaulting fills in what the user left out); validating
// plugins may only refuse it. Each plugin is a step whose detail says what it
// did: the JSON patch it applied, or why it refused.

import (
	"context"
	"encoding/json"
	"fmt"

	"gomodules.xyz/jsonpatch/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/glassplane/glassplane/controlplane/apiserver/defaults"
	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// AdmissionPlugin is one named admission plugin. Admit may change obj (for a
// mutating plugin) and returns an API error to refuse it. old is nil on create.
type AdmissionPlugin interface {
	Name() string
	Mutating() bool
	Admit(ctx context.Context, a *Admission) error
}

// Admission is what a plugin sees.
type Admission struct {
	Operation string // CREATE or UPDATE
	Resource  *registry.Resource
	Object    runtime.Object
	Old       runtime.Object
	Store     *registry.Store
}

// AdmissionDetail is the detail of an admit step.
type AdmissionDetail struct {
	Plugin string          `json:"plugin"`
	Patch  json.RawMessage `json:"patch,omitempty"`
	Error  string          `json:"error,omitempty"`
}

// DefaultAdmission is the plugin chain, in kube-apiserver's order.
func DefaultAdmission() []AdmissionPlugin {
	return []AdmissionPlugin{NamespaceLifecycle{}, Defaulting{}}
}

func (s *Server) admit(q *apiRequest, obj, old runtime.Object) error {
	op := "CREATE"
	if old != nil {
		op = "UPDATE"
	}
	a := &Admission{Operation: op, Resource: q.res, Object: obj, Old: old, Store: s.Store}
	for _, p := range s.admission() {
		before, _ := json.Marshal(obj)
		err := p.Admit(q.ctx, a)
		d := AdmissionDetail{Plugin: p.Name()}
		outcome := steps.OK
		if err != nil {
			d.Error, outcome = err.Error(), steps.Denied
		} else if p.Mutating() {
			d.Patch = jsonPatch(before, obj)
		}
		s.Steps.Record(q.ctx, steps.Step{Component: steps.APIServer, Stage: steps.Admit, Outcome: outcome,
			Object: objectOf(obj), Message: steps.Msg("apiserver.admit."+outcome, "plugin", p.Name()), Detail: d})
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) admission() []AdmissionPlugin {
	if s.Admission != nil {
		return s.Admission
	}
	return DefaultAdmission()
}

// jsonPatch is the RFC 6902 patch from before to obj, for the step's detail.
func jsonPatch(before []byte, obj runtime.Object) json.RawMessage {
	after, _ := json.Marshal(obj)
	ops, err := jsonpatch.CreatePatch(before, after)
	if err != nil || len(ops) == 0 {
		return nil
	}
	p, _ := json.Marshal(ops)
	return p
}

// Defaulting fills in the fields the user left out with Kubernetes' defaults.
type Defaulting struct{}

func (Defaulting) Name() string   { return "Defaulting" }
func (Defaulting) Mutating() bool { return true }
func (Defaulting) Admit(_ context.Context, a *Admission) error {
	defaults.Default(a.Object)
	return nil
}

// NamespaceLifecycle refuses new objects in a namespace that does not exist or
// is being deleted.
type NamespaceLifecycle struct{}

func (NamespaceLifecycle) Name() string   { return "NamespaceLifecycle" }
func (NamespaceLifecycle) Mutating() bool { return false }
func (NamespaceLifecycle) Admit(ctx context.Context, a *Admission) error {
	if a.Operation != "CREATE" || !a.Resource.Namespaced {
		return nil
	}
	m, _ := meta.Accessor(a.Object)
	nsRes, _ := registry.Lookup("", "namespaces")
	obj, err := a.Store.Get(ctx, nsRes, "", m.GetNamespace())
	if apierrors.IsNotFound(err) {
		return apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, m.GetNamespace())
	}
	if err != nil {
		return err
	}
	if ns := obj.(*corev1.Namespace); ns.Status.Phase == corev1.NamespaceTerminating && a.Resource.Resource != "events" {
		return apierrors.NewForbidden(a.Resource.GroupResource(), m.GetName(),
			fmt.Errorf("unable to create new content in namespace %s because it is being terminated", ns.Name))
	}
	return nil
}
