package serviceaccount

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
)

func TestSyncCreatesTheDefaultServiceAccountOnlyWhereMissing(t *testing.T) {
	active := func(name string) *corev1.Namespace {
		return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.NamespaceStatus{Phase: corev1.NamespaceActive}}
	}
	terminating := active("going")
	terminating.Status.Phase = corev1.NamespaceTerminating
	existing := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "has-one"}}
	tests := []struct {
		namespace string
		creates   int
	}{{"new", 1}, {"has-one", 0}, {"going", 0}, {"absent", 0}}
	for _, tt := range tests {
		t.Run(tt.namespace, func(t *testing.T) {
			objs := []runtime.Object{active("new"), active("has-one"), terminating, existing}
			client := fake.NewClientset(objs...)
			factory := informers.NewSharedInformerFactory(client, 0)
			c := New(client, factory, nil)
			for _, o := range objs[:3] {
				_ = factory.Core().V1().Namespaces().Informer().GetIndexer().Add(o)
			}
			_ = factory.Core().V1().ServiceAccounts().Informer().GetIndexer().Add(existing)
			if err := c.syncNamespace(context.Background(), tt.namespace); err != nil {
				t.Fatal(err)
			}
			creates := 0
			for _, a := range client.Actions() {
				if a.GetVerb() == "create" && a.GetResource().Resource == "serviceaccounts" && a.GetNamespace() == tt.namespace {
					creates++
				}
			}
			if creates != tt.creates {
				t.Errorf("%d creates, want %d", creates, tt.creates)
			}
		})
	}
}
