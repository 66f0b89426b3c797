package controlplane_test

// API semantics a client relies on: patches of each type, selectors, dry
// runs, finalizers and propagation policies, delete collections, and the
// status and scale subresources.

import (
	"context"
	"fmt"
	"testing"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

func TestPatchTypes(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx := context.Background()
	deps := c.Client("admin").AppsV1().Deployments("default")
	if _, err := deps.Create(ctx, deployment("web", 1), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		typ   types.PatchType
		patch string
		check func(t *testing.T, replicas int32, images []string)
	}{
		{"merge", types.MergePatchType, `{"spec":{"replicas":4}}`, func(t *testing.T, r int32, _ []string) {
			if r != 4 {
				t.Errorf("replicas %d, want 4", r)
			}
		}},
		{"json", types.JSONPatchType, `[{"op":"replace","path":"/spec/replicas","value":2}]`, func(t *testing.T, r int32, _ []string) {
			if r != 2 {
				t.Errorf("replicas %d, want 2", r)
			}
		}},
		{"strategic adds a container by name", types.StrategicMergePatchType,
			`{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}`,
			func(t *testing.T, _ int32, images []string) {
				if len(images) != 2 || !((images[0] == "nginx:1.25" && images[1] == "busybox") || (images[0] == "busybox" && images[1] == "nginx:1.25")) {
					t.Errorf("containers %v, want nginx:1.25 kept and busybox added", images)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := deps.Patch(ctx, "web", tc.typ, []byte(tc.patch), metav1.PatchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var images []string
			for _, ctr := range d.Spec.Template.Spec.Containers {
				images = append(images, ctr.Image)
			}
			tc.check(t, *d.Spec.Replicas, images)
		})
	}
	if _, err := deps.Patch(ctx, "web", types.JSONPatchType, []byte(`[{"op":"test","path":"/spec/replicas","value":99}]`), metav1.PatchOptions{}); !apierrors.IsBadRequest(err) && !apierrors.IsInvalid(err) {
		t.Errorf("a failing JSON patch test op: got %v, want 4xx", err)
	}
}

func TestSelectorsAndDryRun(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx := context.Background()
	pods := c.Client("admin").CoreV1().Pods("default")
	for _, p := range []struct{ name, node, tier string }{{"a", "node-1", "web"}, {"b", "node-2", "web"}, {"c", "", "db"}} {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: p.name, Labels: map[string]string{"tier": p.tier}},
			Spec: corev1.PodSpec{NodeName: p.node, Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
		if _, err := pods.Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	count := func(opts metav1.ListOptions) int {
		l, err := pods.List(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		return len(l.Items)
	}
	if n := count(metav1.ListOptions{LabelSelector: "tier=web"}); n != 2 {
		t.Errorf("tier=web matched %d pods, want 2", n)
	}
	if n := count(metav1.ListOptions{FieldSelector: "spec.nodeName=node-2"}); n != 1 {
		t.Errorf("spec.nodeName=node-2 matched %d, want 1", n)
	}
	if n := count(metav1.ListOptions{FieldSelector: "spec.nodeName=", LabelSelector: "tier"}); n != 1 {
		t.Errorf("unscheduled pods with a tier: %d, want 1", n)
	}
	if n := count(metav1.ListOptions{FieldSelector: "status.phase=Pending,metadata.name!=a"}); n != 2 {
		t.Errorf("pending pods other than a: %d, want 2", n)
	}
	dry := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "dry"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}
	out, err := pods.Create(ctx, dry, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if err != nil || out.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		t.Fatalf("dry run answered %v, %v; want the defaulted object", out, err)
	}
	if _, err := pods.Get(ctx, "dry", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("a dry-run create was stored: %v", err)
	}
}

func TestFinalizersHoldDeletionUntilRemoved(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx := context.Background()
	cms := c.Client("admin").CoreV1().ConfigMaps("default")
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "held", Finalizers: []string{"example.com/hold"}}}
	if _, err := cms.Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := cms.Delete(ctx, "held", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := cms.Get(ctx, "held", metav1.GetOptions{})
	if err != nil || got.DeletionTimestamp == nil {
		t.Fatalf("a deleted object with a finalizer: %v %v, want it kept with a deletionTimestamp", got, err)
	}
	got.Finalizers = nil
	if _, err := cms.Update(ctx, got, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cms.Get(ctx, "held", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("removing the last finalizer did not delete the object: %v", err)
	}
}

func TestPropagationPolicyAddsGarbageCollectorFinalizers(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx := context.Background()
	deps := c.Client("admin").AppsV1().Deployments("default")
	for _, tc := range []struct {
		policy    metav1.DeletionPropagation
		finalizer string
	}{{metav1.DeletePropagationForeground, metav1.FinalizerDeleteDependents}, {metav1.DeletePropagationOrphan, metav1.FinalizerOrphanDependents}} {
		d := deployment("web", 1)
		d.Name = "web-" + map[metav1.DeletionPropagation]string{metav1.DeletePropagationForeground: "fg", metav1.DeletePropagationOrphan: "orphan"}[tc.policy]
		if _, err := deps.Create(ctx, d, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := deps.Delete(ctx, d.Name, metav1.DeleteOptions{PropagationPolicy: ptr.To(tc.policy)}); err != nil {
			t.Fatal(err)
		}
		got, err := deps.Get(ctx, d.Name, metav1.GetOptions{})
		if err != nil || got.DeletionTimestamp == nil || len(got.Finalizers) != 1 || got.Finalizers[0] != tc.finalizer {
			t.Errorf("%s delete left %v (%v), want deletionTimestamp and finalizer %s", tc.policy, got, err, tc.finalizer)
		}
	}
}

func TestDeleteCollectionDeletesOnlySelected(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx := context.Background()
	cms := c.Client("admin").CoreV1().ConfigMaps("default")
	for _, n := range []string{"a", "b", "c"} {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: n, Labels: map[string]string{"drop": map[bool]string{true: "yes", false: "no"}[n != "c"]}}}
		if _, err := cms.Create(ctx, cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := cms.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: "drop=yes"}); err != nil {
		t.Fatal(err)
	}
	l, err := cms.List(ctx, metav1.ListOptions{})
	if err != nil || len(l.Items) != 1 || l.Items[0].Name != "c" {
		t.Errorf("after deletecollection drop=yes: %v %v, want only c", l, err)
	}
}

func TestStatusAndScaleSubresources(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx := context.Background()
	deps := c.Client("admin").AppsV1().Deployments("default")
	d, err := deps.Create(ctx, deployment("web", 1), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A main-resource update cannot write status …
	d.Status.Replicas = 7
	d, err = deps.Update(ctx, d, metav1.UpdateOptions{})
	if err != nil || d.Status.Replicas != 0 {
		t.Fatalf("update wrote status: %v %v", d.Status, err)
	}
	// … the status subresource can, and cannot write the spec.
	d.Status.Replicas = 7
	d.Spec.Replicas = ptr.To[int32](9)
	d, err = deps.UpdateStatus(ctx, d, metav1.UpdateOptions{})
	if err != nil || d.Status.Replicas != 7 || *d.Spec.Replicas != 1 {
		t.Fatalf("status update: status %d spec %d err %v; want 7 and 1", d.Status.Replicas, *d.Spec.Replicas, err)
	}
	sc, err := deps.GetScale(ctx, "web", metav1.GetOptions{})
	if err != nil || sc.Spec.Replicas != 1 || sc.Status.Selector != "app=web" {
		t.Fatalf("scale: %+v %v", sc, err)
	}
	sc.Spec.Replicas = 3
	if _, err := deps.UpdateScale(ctx, "web", sc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if d, _ = deps.Get(ctx, "web", metav1.GetOptions{}); *d.Spec.Replicas != 3 {
		t.Errorf("after scale, spec.replicas = %d", *d.Spec.Replicas)
	}
}

func TestServicesGetClusterIPsAndNodePorts(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx := context.Background()
	svcs := c.Client("admin").CoreV1().Services("default")
	k, err := svcs.Get(ctx, "kubernetes", metav1.GetOptions{})
	if err != nil || k.Spec.ClusterIP != "10.96.0.1" {
		t.Fatalf("the kubernetes service: %v %v", k, err)
	}
	mk := func(name string, typ corev1.ServiceType) *corev1.Service {
		s, err := svcs.Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: corev1.ServiceSpec{Type: typ, Selector: map[string]string{"app": name}, Ports: []corev1.ServicePort{{Port: 80}}}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := mk("a", corev1.ServiceTypeClusterIP), mk("b", corev1.ServiceTypeNodePort)
	if a.Spec.ClusterIP != "10.96.0.2" || b.Spec.ClusterIP != "10.96.0.3" {
		t.Errorf("cluster IPs %s and %s, want 10.96.0.2 and 10.96.0.3", a.Spec.ClusterIP, b.Spec.ClusterIP)
	}
	if p := b.Spec.Ports[0].NodePort; a.Spec.Ports[0].NodePort != 0 || p < 30000 || p > 32767 {
		t.Errorf("node ports %d and %d, want 0 and one in 30000-32767", a.Spec.Ports[0].NodePort, p)
	}
	// Node ports are picked at random, as kube picks them, not in order.
	ports := map[int32]bool{b.Spec.Ports[0].NodePort: true}
	inOrder := true
	for i := range 6 {
		p := mk(fmt.Sprintf("np-%d", i), corev1.ServiceTypeNodePort).Spec.Ports[0].NodePort
		if ports[p] {
			t.Errorf("node port %d handed out twice", p)
		}
		inOrder = inOrder && ports[p-1]
		ports[p] = true
	}
	if inOrder {
		t.Errorf("node ports were handed out in sequence: %v", ports)
	}
	if a.Spec.Ports[0].TargetPort.IntValue() != 80 {
		t.Errorf("targetPort defaulted to %v, want 80", a.Spec.Ports[0].TargetPort)
	}
}

// A scale update without a resourceVersion is applied to whatever version is
// current: when a controller writes the object between the API server's read
// and its write, the server tries again — with the body it already read.
func TestAnUnpinnedScaleUpdateSurvivesARacingStatusWriter(t *testing.T) {
	t.Parallel()
	c := testcluster.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	deps := c.Client("admin").AppsV1().Deployments("default")
	if _, err := deps.Create(ctx, deployment("web", 1), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	racer := make(chan struct{})
	go func() { // a controller writing status as fast as it can
		defer close(racer)
		for i := int32(0); ctx.Err() == nil; i++ {
			d, err := deps.Get(ctx, "web", metav1.GetOptions{})
			if err != nil {
				continue
			}
			d.Status.ObservedGeneration = int64(i)
			_, _ = deps.UpdateStatus(ctx, d, metav1.UpdateOptions{})
		}
	}()
	for i := int32(1); i <= 60; i++ {
		sc := &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"}, Spec: autoscalingv1.ScaleSpec{Replicas: i}}
		if _, err := deps.UpdateScale(ctx, "web", sc, metav1.UpdateOptions{}); err != nil && !apierrors.IsConflict(err) {
			t.Fatalf("scale update %d: %v", i, err)
		}
	}
	cancel()
	<-racer
}
