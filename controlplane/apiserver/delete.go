package apiserver

// Delete. Many objects cannot vanish at once:
//
//   - an object with finalizers only gets a deletionTimestamp; whoever owns
//     each finalizer does its clean-up and removes it, and the last removal
//     deletes the object (update.go's write);
//   - propagationPolicy Orphan or Foreground adds the garbage collector's
//     "orphan" or "foregroundDeletion" finalizer; Background (the default)
//     deletes now and leaves the dependents to the garbage collector;
//   - a pod running on a node is deleted gracefully: the kubelet stops its
//     containers within the grace period, then deletes it for good;
//   - a namespace turns Terminating until its contents are gone.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apiserver/pkg/util/dryrun"
	"k8s.io/client-go/kubernetes/scheme"
)

func (s *Server) delete(q *apiRequest) (runtime.Object, int, error) {
	opts, err := deleteOptions(q)
	if err != nil {
		return nil, 0, err
	}
	for attempt := 0; ; attempt++ {
		cur, err := s.Store.Get(q.ctx, q.res, q.info.Namespace, q.info.Name)
		if err != nil {
			return nil, 0, err
		}
		out, code, err := s.deleteObject(q, cur, opts)
		// A write that raced this delete is retried on the fresh object, as
		// kube's GuaranteedUpdate does; a uid precondition is checked again
		// there. Only a resourceVersion precondition makes a conflict final.
		if apierrors.IsConflict(err) && (opts.Preconditions == nil || opts.Preconditions.ResourceVersion == nil) && attempt < 5 {
			continue
		}
		return out, code, err
	}
}

func (s *Server) deleteObject(q *apiRequest, cur runtime.Object, opts *metav1.DeleteOptions) (runtime.Object, int, error) {
	m, _ := meta.Accessor(cur)
	if p := opts.Preconditions; p != nil {
		if p.UID != nil && *p.UID != m.GetUID() {
			return nil, 0, apierrors.NewConflict(q.res.GroupResource(), m.GetName(),
				fmt.Errorf("Precondition failed: UID in precondition: %v, UID in object meta: %v", *p.UID, m.GetUID()))
		}
		if p.ResourceVersion != nil && *p.ResourceVersion != m.GetResourceVersion() {
			return nil, 0, apierrors.NewConflict(q.res.GroupResource(), m.GetName(),
				fmt.Errorf("Precondition failed: ResourceVersion in precondition: %v, ResourceVersion in object meta: %v", *p.ResourceVersion, m.GetResourceVersion()))
		}
	}
	if err := s.admitDelete(q, cur); err != nil {
		return nil, 0, err
	}
	obj := cur.DeepCopyObject()
	om, _ := meta.Accessor(obj)
	graceful := addDeletionFinalizers(om, opts)
	grace := gracePeriod(obj, opts)
	if grace > 0 {
		graceful = true
	}
	if ns, ok := obj.(*corev1.Namespace); ok && len(ns.Spec.Finalizers) > 0 {
		ns.Status.Phase = corev1.NamespaceTerminating
		graceful = true
	}
	immediate := !graceful || (om.GetDeletionTimestamp() != nil && grace == 0 && finalizersLeft(obj) == 0)
	if immediate {
		if !isDryRun(q) {
			if err := s.deleteCustomObjects(q, cur); err != nil {
				return nil, 0, err
			}
			if _, err := s.Store.Delete(q.ctx, q.res, cur); err != nil {
				return nil, 0, err
			}
		}
		return successStatus(http.StatusOK, q.res.Resource, m.GetName(), m.GetUID()), http.StatusOK, nil
	}
	if om.GetDeletionTimestamp() == nil || grace < deref64(om.GetDeletionGracePeriodSeconds()) {
		now := metav1.NewTime(time.Now().Add(time.Duration(grace) * time.Second))
		om.SetDeletionTimestamp(&now)
		om.SetDeletionGracePeriodSeconds(&grace)
	}
	if isDryRun(q) {
		return obj, http.StatusOK, nil
	}
	if equality.Semantic.DeepEqual(obj, cur) {
		return cur, http.StatusOK, nil // already being deleted just so: nothing to write
	}
	out, err := s.Store.Update(q.ctx, q.res, obj)
	if err != nil {
		return nil, 0, err
	}
	return out, http.StatusOK, nil
}

// addDeletionFinalizers adds the garbage collector's finalizer the
// propagation policy asks for, and reports whether the object now waits.
func addDeletionFinalizers(m metav1.Object, opts *metav1.DeleteOptions) bool {
	policy := metav1.DeletePropagationBackground
	if opts.PropagationPolicy != nil {
		policy = *opts.PropagationPolicy
	} else if opts.OrphanDependents != nil && *opts.OrphanDependents {
		policy = metav1.DeletePropagationOrphan
	}
	add := ""
	switch policy {
	case metav1.DeletePropagationOrphan:
		add = metav1.FinalizerOrphanDependents
	case metav1.DeletePropagationForeground:
		add = metav1.FinalizerDeleteDependents
	}
	fins := m.GetFinalizers()
	if add != "" && !contains(fins, add) {
		fins = append(fins, add)
		m.SetFinalizers(fins)
	}
	return len(fins) > 0
}

// gracePeriod is how long a pod's containers get to stop: only pods that a
// node is running are deleted gracefully.
func gracePeriod(obj runtime.Object, opts *metav1.DeleteOptions) int64 {
	pod, ok := obj.(*corev1.Pod)
	if !ok || pod.Spec.NodeName == "" || pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return 0
	}
	if opts.GracePeriodSeconds != nil {
		return *opts.GracePeriodSeconds
	}
	if pod.Spec.TerminationGracePeriodSeconds != nil {
		return *pod.Spec.TerminationGracePeriodSeconds
	}
	return 30
}

// stillGraceful reports a pod whose kubelet has yet to stop it: it is removed
// by the kubelet's final delete, not by its last finalizer going.
func stillGraceful(obj runtime.Object) bool {
	pod, ok := obj.(*corev1.Pod)
	return ok && pod.Spec.NodeName != "" && deref64(pod.DeletionGracePeriodSeconds) > 0 &&
		pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed
}

func deref64(p *int64) int64 {
	if p == nil {
		return 1 << 62
	}
	return *p
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// deleteOptions reads DeleteOptions as kube-apiserver does: from the body
// when there is one (kubectl and client-go send them there, dryRun and
// preconditions included), else from the query parameters. A dry run asked
// for in the body makes the whole request a dry run.
func deleteOptions(q *apiRequest) (*metav1.DeleteOptions, error) {
	opts := &metav1.DeleteOptions{}
	var data []byte
	if q.r.ContentLength != 0 {
		var err error
		if data, err = readBody(q.r); err != nil && !isEmptyBody(err) {
			return nil, err
		}
	}
	if len(data) > 0 {
		if err := json.Unmarshal(data, opts); err != nil {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("the DeleteOptions are invalid: %v", err))
		}
	} else if err := scheme.ParameterCodec.DecodeParameters(q.r.URL.Query(), schema.GroupVersion{Version: "v1"}, opts); err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	if errs := metav1validation.ValidateDeleteOptions(opts); len(errs) > 0 {
		return nil, apierrors.NewInvalid(schema.GroupKind{Group: metav1.GroupName, Kind: "DeleteOptions"}, "", errs)
	}
	q.dryRun = q.dryRun || dryrun.IsDryRun(opts.DryRun)
	return opts, nil
}

func isEmptyBody(err error) bool {
	var st apierrors.APIStatus
	return errors.As(err, &st) && st.Status().Message == "the request body is empty"
}

// deleteCollection deletes every selected object, one by one, as kube does.
func (s *Server) deleteCollection(q *apiRequest) (runtime.Object, error) {
	opts, err := deleteOptions(q)
	if err != nil {
		return nil, err
	}
	list, err := s.list(q)
	if err != nil {
		return nil, err
	}
	items, _ := meta.ExtractList(list)
	for _, item := range items {
		if _, _, err := s.deleteObject(q, item, opts); err != nil && !apierrors.IsNotFound(err) {
			return nil, err
		}
	}
	return successStatus(http.StatusOK, q.res.Resource, "", ""), nil
}

func successStatus(code int, kind, name string, uid types.UID) *metav1.Status {
	return &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusSuccess,
		Code: int32(code), Details: &metav1.StatusDetails{Name: name, Kind: kind, UID: uid}}
}
