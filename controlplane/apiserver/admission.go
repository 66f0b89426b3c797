package apiserver

// admit runs the admission chain (package admission) and records each plugin
// as a step: the JSON patch a mutating plugin applied, or why a plugin refused.
// Deletes go through the plugins that judge them, too.

import (
	"encoding/json"
	"reflect"

	"gomodules.xyz/jsonpatch/v2"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/glassplane/glassplane/controlplane/apiserver/admission"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// AdmissionDetail is the detail of an admit step.
type AdmissionDetail struct {
	Plugin string          `json:"plugin"`
	Patch  json.RawMessage `json:"patch,omitempty"`
	Error  string          `json:"error,omitempty"`
}

func (s *Server) admit(q *apiRequest, obj, old runtime.Object) error {
	if err := s.paceStage(q, steps.Admit); err != nil {
		return err
	}
	op := admission.Create
	if old != nil {
		op = admission.Update
	}
	return s.runAdmission(q, op, obj, old)
}

// admitDelete asks the plugins that judge deletes whether cur may be
// deleted. The only delete rule Glassplane has is NamespaceLifecycle's
// (default, kube-system and kube-public stay), so only a namespace's delete
// goes through the chain; other deletes keep their traces as short as before.
func (s *Server) admitDelete(q *apiRequest, cur runtime.Object) error {
	if q.res.Group != "" || q.res.Resource != "namespaces" {
		return nil
	}
	return s.runAdmission(q, admission.Delete, nil, cur)
}

func (s *Server) runAdmission(q *apiRequest, op string, obj, old runtime.Object) error {
	subject := obj
	if subject == nil {
		subject = old
	}
	m, _ := meta.Accessor(subject)
	a := &admission.Attributes{Operation: op, Resource: q.res, Subresource: q.info.Subresource, Name: m.GetName(),
		Object: obj, Old: old, User: q.user, DryRun: isDryRun(q), Store: s.Store, Caches: s.AdmissionCaches}
	// before is the object as the last mutating plugin left it: what the
	// next one's patch starts from. Only a plugin that changed something
	// has a patch to work out, and only then is the object encoded.
	var before runtime.Object
	for _, p := range s.Admission {
		if !admission.Handles(p, op) || !admission.HandlesResource(p, q.res) {
			continue
		}
		mutates := p.Mutating() && obj != nil
		if mutates && before == nil {
			before = obj.DeepCopyObject()
		}
		err := p.Admit(q.ctx, a)
		d := AdmissionDetail{Plugin: p.Name()}
		outcome := steps.OK
		if err != nil {
			d.Error, outcome = err.Error(), steps.Denied
		} else if mutates && !reflect.DeepEqual(before, obj) {
			d.Patch = patchBetween(before, obj)
			before = obj.DeepCopyObject()
		}
		s.Steps.Record(q.ctx, steps.Step{Component: steps.APIServer, Stage: steps.Admit, Outcome: outcome,
			Object: objectOf(subject), Message: steps.Msg("apiserver.admit."+outcome, "plugin", p.Name()), Detail: d})
		if err != nil {
			return err
		}
	}
	return nil
}

// patchBetween is the RFC 6902 patch from before to after, for the step's
// detail: nil when their JSON is the same.
func patchBetween(before, after runtime.Object) json.RawMessage {
	b, err := json.Marshal(before)
	if err != nil {
		return nil
	}
	a, err := json.Marshal(after)
	if err != nil {
		return nil
	}
	ops, err := jsonpatch.CreatePatch(b, a)
	if err != nil || len(ops) == 0 {
		return nil
	}
	p, _ := json.Marshal(ops)
	return p
}
