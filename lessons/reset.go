package lessons

// A lesson's reset: clearing the ground before its first step.
//
// A lesson's steps are checks on the cluster, so a cluster that already has
// what a step makes passes that step before the learner does anything — or
// worse, lets an action fail: `kubectl create` of a Deployment that exists
// answers AlreadyExists. A learner who tried the seed in the playground, or
// walks lesson 1 a second time, would meet exactly that. So a lesson names,
// in its `reset`, what it makes and how to put the sandbox back (the pacer
// in live mode, a node uncordoned, the seed Deployment deleted), and the
// engine runs it when the learner starts the lesson or starts it over.
//
// Rules: Reset first ends the sandbox's background kubectl (a create still
// held by the pacer from an earlier try would otherwise land after the
// delete), then runs the actions in order and stops at the first that
// fails. A delete waits until the objects are gone — for a Pod, until its
// kubelet confirmed it stopped — so the first step starts from the state its
// check expects.

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// deleteWaitLimit bounds how long a delete action waits for its objects to go.
const deleteWaitLimit = 90 * time.Second

// deletePoll is how often a delete action looks whether its objects are gone.
const deletePoll = 200 * time.Millisecond

// Reset runs the reset of lesson lessonID in sb: what Start over and the
// first start of a lesson do before step 1.
func (e *Engine) Reset(ctx context.Context, sb *Sandbox, lessonID string) ([]ActionResult, error) {
	l, err := e.lesson(lessonID)
	if err != nil {
		return nil, err
	}
	e.endBackground(sb.ID)
	results := []ActionResult{}
	for _, a := range l.Reset {
		r := ActionResult{Action: describeAction(a)}
		out, err := e.do(ctx, sb, l, 0, a)
		r.Output = out
		if err != nil {
			r.Error = err.Error()
			return append(results, r), fmt.Errorf("%s: %w", r.Action, err)
		}
		results = append(results, r)
	}
	return results, nil
}

// endBackground ends the background kubectl of a sandbox; the next one
// runs under a fresh context.
func (e *Engine) endBackground(sandboxID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.endBackgroundLocked(sandboxID)
}

func (e *Engine) endBackgroundLocked(sandboxID string) {
	if w, ok := e.work[sandboxID]; ok {
		w.cancel()
		delete(e.work, sandboxID)
	}
}

// deleteAndWait deletes the objects ref names and waits until none is left.
//
// The delete is a foreground one (kubectl delete --cascade=foreground): an
// owner stays, marked for deletion, until the garbage collector has deleted
// its dependents. A background delete removes the Deployment at once, and a
// Deployment controller that still has it in its cache when the garbage
// collector deletes its ReplicaSet makes a new one, which appears after the
// reset has looked and makes step 1's "no ReplicaSet yet" false. A
// controller skips an owner marked for deletion, so a foreground delete
// leaves nothing to make anew.
func (e *Engine) deleteAndWait(ctx context.Context, sb *Sandbox, ref ObjectRef) error {
	cl, err := e.clientsFor(sb)
	if err != nil {
		return err
	}
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return err
	}
	mapping, err := cl.mapping(gv.WithKind(ref.Kind))
	if err != nil {
		return fmt.Errorf("the API server does not serve %s %s", ref.APIVersion, ref.Kind)
	}
	ns := ""
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		ns = ref.Namespace
		if ns == "" {
			ns = "default"
		}
	}
	what := describeObjects(&ObjectCheck{Kind: ref.Kind, Name: ref.Name, Selector: ref.Selector}, ns)
	res := cl.dynamic.Resource(mapping.Resource).Namespace(ns)
	foreground := metav1.DeletePropagationForeground
	deadline := time.Now().Add(deleteWaitLimit)
	for {
		objs, err := cl.find(ctx, mapping.Resource, ns, ref.Name, ref.Selector)
		if err != nil {
			return fmt.Errorf("reading %s: %w", what, err)
		}
		if len(objs) == 0 {
			return nil
		}
		for _, o := range objs {
			if o.GetDeletionTimestamp() != nil {
				continue // on its way out
			}
			err := res.Delete(ctx, o.GetName(), metav1.DeleteOptions{PropagationPolicy: &foreground})
			if err != nil && !apierrors.IsNotFound(err) {
				return fmt.Errorf("deleting %s %s: %w", ref.Kind, o.GetName(), err)
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %d still there after %v (a Pod goes only when its node's kubelet confirms it stopped)",
				what, len(objs), deleteWaitLimit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(deletePoll):
		}
	}
}
