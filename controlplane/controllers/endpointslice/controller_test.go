package endpointslice

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// A sync that ran on a cache that had not yet seen a slice it made may make
// a second one; the slice's arrival wakes the Service's sync again, which
// deletes the extra.
func TestAnExtraSliceMadeOnAStaleCacheIsDeleted(t *testing.T) {
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", UID: "svc-uid"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"}, Ports: []corev1.ServicePort{{Port: 80}}}}
	client := fake.NewClientset(svc)
	var n atomic.Int32
	client.PrependReactor("create", "endpointslices", func(a k8stesting.Action) (bool, runtime.Object, error) {
		es := a.(k8stesting.CreateAction).GetObject().(*discoveryv1.EndpointSlice)
		if es.Name == "" {
			es.Name = fmt.Sprintf("%s%d", es.GenerateName, n.Add(1))
		}
		return false, nil, nil // the tracker stores it
	})
	factory := informers.NewSharedInformerFactory(client, 0)
	c := New(client, factory, steps.NewRecorder(100))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	factory.Start(ctx.Done())
	go c.Run(ctx, 1)

	slices := func() []discoveryv1.EndpointSlice {
		l, err := client.DiscoveryV1().EndpointSlices("default").List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return l.Items
	}
	waitFor(t, "the Service's placeholder slice", func() bool { return len(slices()) == 1 })
	extra := newSlice(svc, nil, nil)
	extra.Name = "web-extra"
	if _, err := client.DiscoveryV1().EndpointSlices("default").Create(ctx, extra, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the extra slice deleted", func() bool { return len(slices()) == 1 })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
