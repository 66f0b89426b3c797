package website

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/steps"
)

func crd(established bool) *unstructured.Unstructured {
	status := "False"
	if established {
		status = "True"
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": CRDName},
		"status":   map[string]any{"conditions": []any{map[string]any{"type": "Established", "status": status}}},
	}}
}

func websiteObject(name string, replicas int64) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": APIVersion, "kind": Kind,
		"metadata": map[string]any{"name": name, "namespace": "default", "uid": "uid-" + name, "generation": int64(1)},
		"spec":     map[string]any{"replicas": replicas, "image": "nginx:1.27"},
	}}
}

type fixture struct {
	client *fake.Clientset
	dyn    *dynamicfake.FakeDynamicClient
	c      *Controller
}

func start(t *testing.T, typed []runtime.Object, objs ...runtime.Object) *fixture {
	t.Helper()
	client := fake.NewClientset(typed...)
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), map[schema.GroupVersionResource]string{
		crdGVR: "CustomResourceDefinitionList", GVR: "WebsiteList"}, objs...)
	factory := informers.NewSharedInformerFactory(client, 0)
	c := New(client, dyn, factory, steps.NewRecorder(100))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx, 1) }()
	factory.Start(ctx.Done())
	t.Cleanup(func() { cancel(); <-done; factory.Shutdown() })
	return &fixture{client: client, dyn: dyn, c: c}
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (f *fixture) deployment(name string) *appsv1.Deployment {
	d, err := f.client.AppsV1().Deployments("default").Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		return nil
	}
	return d
}

func (f *fixture) website(t *testing.T, name string) *unstructured.Unstructured {
	w, err := f.dyn.Resource(GVR).Namespace("default").Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestAWebsiteGetsAnOwnedDeploymentAndServiceAndReportsTheirReadiness(t *testing.T) {
	f := start(t, nil, crd(true), websiteObject("blog", 2))
	eventually(t, "the operator creates Deployment blog", func() bool { return f.deployment("blog") != nil })
	d := f.deployment("blog")
	if *d.Spec.Replicas != 2 || d.Spec.Template.Spec.Containers[0].Image != "nginx:1.27" {
		t.Fatalf("Deployment blog = %d replicas of %s, want 2 of nginx:1.27", *d.Spec.Replicas, d.Spec.Template.Spec.Containers[0].Image)
	}
	if !metav1.IsControlledBy(d, websiteObject("blog", 2)) {
		t.Fatalf("Deployment blog's owners = %+v, want Website blog as controller", d.OwnerReferences)
	}
	eventually(t, "the operator creates Service blog", func() bool {
		svc, err := f.client.CoreV1().Services("default").Get(context.Background(), "blog", metav1.GetOptions{})
		return err == nil && svc.Spec.Selector["app.kubernetes.io/instance"] == "blog"
	})

	d.Status.Replicas, d.Status.ReadyReplicas = 2, 2
	if _, err := f.client.AppsV1().Deployments("default").UpdateStatus(context.Background(), d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Website blog reports 2 ready replicas and Ready=True", func() bool {
		w := f.website(t, "blog")
		ready, _, _ := unstructured.NestedInt64(w.Object, "status", "readyReplicas")
		return ready == 2 && readyCondition(w.Object["status"].(map[string]any))["status"] == "True"
	})

	w := f.website(t, "blog")
	_ = unstructured.SetNestedField(w.Object, int64(3), "spec", "replicas")
	w.SetResourceVersion("2") // the fake client does not count versions; the informer skips an update without one
	if _, err := f.dyn.Resource(GVR).Namespace("default").Update(context.Background(), w, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Deployment blog follows the Website to 3 replicas", func() bool {
		d := f.deployment("blog")
		return d != nil && *d.Spec.Replicas == 3
	})
}

func TestAWebsiteLeavesADeploymentItDoesNotOwnAlone(t *testing.T) {
	mine := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "blog", Namespace: "default"},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](7), Template: corev1.PodTemplateSpec{
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "httpd"}}}}}}
	f := start(t, []runtime.Object{mine}, crd(true), websiteObject("blog", 2))
	eventually(t, "the operator warns that the Deployment is not its own", func() bool {
		events, _ := f.client.CoreV1().Events("default").List(context.Background(), metav1.ListOptions{})
		for _, e := range events.Items {
			if e.Reason == ErrResourceExists && e.InvolvedObject.Name == "blog" {
				return true
			}
		}
		return false
	})
	if d := f.deployment("blog"); *d.Spec.Replicas != 7 || d.Spec.Template.Spec.Containers[0].Image != "httpd" {
		t.Fatalf("the operator changed a Deployment it does not own: %d replicas of %s", *d.Spec.Replicas, d.Spec.Template.Spec.Containers[0].Image)
	}
}

func TestTheOperatorWatchesWebsitesOnlyWhileTheirCRDIsEstablished(t *testing.T) {
	f := start(t, nil, crd(false), websiteObject("blog", 1))
	eventually(t, "the operator looks at the CRD it found", func() bool { return f.c.crdDecisions.Load() > 0 })
	if f.c.lister() != nil || f.deployment("blog") != nil {
		t.Fatal("the operator acted on Websites before their CRD was established")
	}
	crdRes := f.dyn.Resource(crdGVR)
	if _, err := crdRes.Update(context.Background(), crd(true), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the operator creates Deployment blog once the CRD is established", func() bool { return f.deployment("blog") != nil })
	if err := crdRes.Delete(context.Background(), CRDName, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the operator stops watching Websites when the CRD is deleted", func() bool { return f.c.lister() == nil })
}
