package garbagecollector

import (
	"context"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/kubernetes/scheme"
	core "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"
)

type resettable struct{ meta.RESTMapper }

func (resettable) Reset() {}

func newMapper() meta.ResettableRESTMapper {
	m := meta.NewDefaultRESTMapper(nil)
	m.Add(appsv1.SchemeGroupVersion.WithKind("ReplicaSet"), meta.RESTScopeNamespace)
	m.Add(appsv1.SchemeGroupVersion.WithKind("Deployment"), meta.RESTScopeNamespace)
	return resettable{m}
}

var rs = &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", UID: "rs-uid"}}

func podOwnedBy(owner metav1.Object) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "default", UID: "pod-uid",
		OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(owner, appsv1.SchemeGroupVersion.WithKind("ReplicaSet"))}}}
}

// syncWith puts cached in the informers and live in the API (the dynamic
// client), syncs the item for obj, and returns the dynamic client's writes.
func syncWith(t *testing.T, cached, live []runtime.Object, obj metav1.Object, resource string) []core.Action {
	t.Helper()
	dyn := dynamicfake.NewSimpleDynamicClient(scheme.Scheme, live...)
	// The fake cannot apply strategic merge patches to unstructured objects;
	// the patch itself is what the tests check.
	dyn.PrependReactor("patch", "*", func(core.Action) (bool, runtime.Object, error) { return true, nil, nil })
	factory := informers.NewSharedInformerFactory(fake.NewClientset(), 0)
	c := New(dyn, newMapper(), factory, nil)
	for _, o := range cached {
		for _, w := range c.graph {
			if kindOf(o) == w.gvk.Kind {
				_ = w.informer.GetIndexer().Add(o)
			}
		}
	}
	var it item
	for _, w := range c.graph {
		if w.gvr.Resource == resource {
			it = w.itemFor(obj)
		}
	}
	dyn.ClearActions()
	if err := c.syncItem(context.Background(), it); err != nil {
		t.Fatal(err)
	}
	var writes []core.Action
	for _, a := range dyn.Actions() {
		if a.GetVerb() != "get" && a.GetVerb() != "list" {
			writes = append(writes, a)
		}
	}
	return writes
}

func kindOf(o runtime.Object) string {
	switch o.(type) {
	case *appsv1.ReplicaSet:
		return "ReplicaSet"
	case *appsv1.Deployment:
		return "Deployment"
	case *corev1.Pod:
		return "Pod"
	}
	return ""
}

func TestDependentOfAGoneOwnerIsDeletedInTheBackground(t *testing.T) {
	pod := podOwnedBy(rs)
	writes := syncWith(t, []runtime.Object{pod}, []runtime.Object{pod}, pod, "pods")
	if len(writes) != 1 || writes[0].GetVerb() != "delete" {
		t.Fatalf("writes %v, want one delete", writes)
	}
	opts := writes[0].(core.DeleteActionImpl).DeleteOptions
	if *opts.PropagationPolicy != metav1.DeletePropagationBackground || *opts.Preconditions.UID != pod.UID {
		t.Errorf("delete options %+v", opts)
	}
}

func TestDependentOfALiveOwnerIsKept(t *testing.T) {
	pod := podOwnedBy(rs)
	// The owner is not in the collector's cache yet, but the API has it.
	if writes := syncWith(t, []runtime.Object{pod}, []runtime.Object{pod, rs}, pod, "pods"); len(writes) != 0 {
		t.Errorf("writes %v, want none", writes)
	}
}

func TestForegroundOwnerDeletesBlockingDependentsThenLosesItsFinalizer(t *testing.T) {
	owner := rs.DeepCopy()
	owner.DeletionTimestamp = ptr.To(metav1.Now())
	owner.Finalizers = []string{metav1.FinalizerDeleteDependents}
	pod := podOwnedBy(owner)

	writes := syncWith(t, []runtime.Object{owner, pod}, []runtime.Object{owner, pod}, owner, "replicasets")
	if len(writes) != 1 || writes[0].GetVerb() != "delete" || writes[0].GetResource().Resource != "pods" ||
		*writes[0].(core.DeleteActionImpl).DeleteOptions.PropagationPolicy != metav1.DeletePropagationForeground {
		t.Fatalf("with a blocking pod: writes %v, want the pod deleted in the foreground", writes)
	}
	writes = syncWith(t, []runtime.Object{owner}, []runtime.Object{owner}, owner, "replicasets")
	if len(writes) != 1 || writes[0].GetVerb() != "patch" || !strings.Contains(string(writes[0].(core.PatchActionImpl).Patch), `"finalizers":null`) {
		t.Errorf("without dependents: writes %v, want the finalizer patched away", writes)
	}
}

func TestOrphaningOwnerRemovesReferencesThenItsFinalizer(t *testing.T) {
	owner := rs.DeepCopy()
	owner.DeletionTimestamp = ptr.To(metav1.Now())
	owner.Finalizers = []string{metav1.FinalizerOrphanDependents}
	pod := podOwnedBy(owner)
	writes := syncWith(t, []runtime.Object{owner, pod}, []runtime.Object{owner, pod}, owner, "replicasets")
	if len(writes) != 2 || writes[0].GetResource().Resource != "pods" || writes[1].GetResource().Resource != "replicasets" {
		t.Fatalf("writes %v, want the pod patched, then the ReplicaSet", writes)
	}
	if p := string(writes[0].(core.PatchActionImpl).Patch); !strings.Contains(p, `"$patch":"delete","uid":"rs-uid"`) {
		t.Errorf("pod patch %s", p)
	}
}
