package apiserver

// pods/eviction: a polite delete. `kubectl drain` evicts the pods of a node
// rather than deleting them, because an eviction asks first: if a
// PodDisruptionBudget covers the pod and allows no more disruptions now, the
// answer is 429 Too Many Requests — "Cannot evict pod as it would violate
// the pod's disruption budget" — and drain waits and tries again, while the
// controllers bring the replacements up elsewhere. An allowed eviction
// counts against the budget at once (status.disruptionsAllowed goes down,
// the pod joins status.disruptedPods), so two evictions racing each other
// cannot both take the last allowed disruption; then the pod is deleted
// with the eviction's DeleteOptions. kube-apiserver's rules
// (pkg/registry/core/pod/storage/eviction.go), shortened: a pod that has
// finished or is already being deleted is deleted without asking.

import (
	"fmt"
	"net/http"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
)

// disruptionBudgetCause is the cause type of a refused eviction.
const disruptionBudgetCause metav1.CauseType = "DisruptionBudget"

func (s *Server) evict(q *apiRequest) (runtime.Object, int, error) {
	if q.info.Verb != "create" {
		return nil, 0, apierrors.NewMethodNotSupported(q.res.GroupResource(), q.info.Verb+" eviction")
	}
	data, err := readBody(q.r)
	if err != nil {
		return nil, 0, err
	}
	ev := &policyv1.Eviction{}
	if _, err := decodeObject(data, policyv1.SchemeGroupVersion.WithKind("Eviction"), ev, metav1.FieldValidationStrict); err != nil {
		return nil, 0, err
	}
	if ev.Name != "" && ev.Name != q.info.Name {
		return nil, 0, apierrors.NewBadRequest(fmt.Sprintf("name in URL does not match name in Eviction object: %s vs %s", q.info.Name, ev.Name))
	}
	opts := ev.DeleteOptions
	if opts == nil {
		opts = &metav1.DeleteOptions{}
	}
	for attempt := 0; ; attempt++ {
		err := s.evictOnce(q, opts)
		if apierrors.IsConflict(err) && attempt < 5 {
			continue // the budget changed under us: judge again
		}
		if err != nil {
			return nil, 0, err
		}
		return &metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusSuccess,
			Code: http.StatusCreated}, http.StatusCreated, nil
	}
}

// evictOnce judges the eviction against the pod's budget, takes one
// disruption from it, and deletes the pod.
func (s *Server) evictOnce(q *apiRequest, opts *metav1.DeleteOptions) error {
	obj, err := s.Store.Get(q.ctx, q.res, q.info.Namespace, q.info.Name)
	if err != nil {
		return err
	}
	pod := obj.(*corev1.Pod)
	if pod.DeletionTimestamp == nil && pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed {
		if err := s.takeDisruption(q, pod); err != nil {
			return err
		}
	}
	_, _, err = s.deleteObject(q, pod, opts)
	return err
}

// takeDisruption finds the budget covering pod and takes one disruption from
// it, or refuses with 429 when it allows none.
func (s *Server) takeDisruption(q *apiRequest, pod *corev1.Pod) error {
	res, _ := registry.Lookup("policy", "poddisruptionbudgets")
	list, err := s.Store.List(q.ctx, res, registry.Selection{Namespace: pod.Namespace}, 0)
	if err != nil {
		return err
	}
	var covering []policyv1.PodDisruptionBudget
	for _, pdb := range list.(*policyv1.PodDisruptionBudgetList).Items {
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil || sel.Empty() || !sel.Matches(labels.Set(pod.Labels)) {
			continue
		}
		covering = append(covering, pdb)
	}
	switch {
	case len(covering) == 0:
		return nil
	case len(covering) > 1:
		return apierrors.NewInternalError(fmt.Errorf("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."))
	}
	pdb := covering[0].DeepCopy()
	if pdb.Status.ObservedGeneration < pdb.Generation || pdb.Status.DisruptionsAllowed <= 0 {
		err := apierrors.NewTooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 0)
		err.ErrStatus.Details.Causes = append(err.ErrStatus.Details.Causes, metav1.StatusCause{Type: disruptionBudgetCause,
			Message: fmt.Sprintf("The disruption budget %s needs %d healthy pods and has %d currently", pdb.Name, pdb.Status.DesiredHealthy, pdb.Status.CurrentHealthy)})
		return err
	}
	if isDryRun(q) {
		return nil
	}
	pdb.Status.DisruptionsAllowed--
	if pdb.Status.DisruptedPods == nil {
		pdb.Status.DisruptedPods = map[string]metav1.Time{}
	}
	pdb.Status.DisruptedPods[pod.Name] = metav1.NewTime(time.Now())
	_, err = s.Store.Update(q.ctx, res, pdb)
	return err
}
