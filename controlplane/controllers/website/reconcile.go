package website

// One sync of one Website: make its Deployment and its Service exist and
// match its spec, then write what they report into its status. Each write is
// preceded by the operator's decision step, so a learner sees "create
// Deployment blog for Website blog" in the trace of the Website that caused
// it, and then the Deployment controller's own work as the next link.

import (
	"context"
	"fmt"
	"reflect"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
)

// Event reasons, as kube's controllers and kubernetes/sample-controller
// name them.
const (
	SuccessfulCreate  = "SuccessfulCreate"
	SuccessfulUpdate  = "SuccessfulUpdate"
	ErrResourceExists = "ErrResourceExists"
)

// DefaultImage is what a Website serves when its spec names no image (the
// CRD's schema defaults it too; this is for a CRD written without defaults).
const DefaultImage = "nginx:1.27"

// spec is what a Website asks for.
type spec struct {
	replicas int32
	image    string
}

func specOf(w *unstructured.Unstructured) spec {
	s := spec{replicas: 1, image: DefaultImage}
	if n, ok, _ := unstructured.NestedInt64(w.Object, "spec", "replicas"); ok {
		s.replicas = int32(n)
	}
	if img, ok, _ := unstructured.NestedString(w.Object, "spec", "image"); ok && img != "" {
		s.image = img
	}
	return s
}

func (s spec) String() string {
	return fmt.Sprintf("%d replicas of %s, a Service on port 80", s.replicas, s.image)
}

func (c *Controller) syncWebsite(ctx context.Context, key string) error {
	websites := c.lister()
	if websites == nil {
		return nil // the kind is not served (any more)
	}
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	obj, err := websites.ByNamespace(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		return nil // deleted: the garbage collector takes what it owned
	}
	if err != nil {
		return err
	}
	w, ok := obj.(*unstructured.Unstructured)
	if !ok || w.GetDeletionTimestamp() != nil {
		return nil
	}
	ctx = c.rec.ContextFor(ctx, w)
	s := specOf(w)
	d, err := c.ensureDeployment(ctx, w, s)
	if err != nil || d == nil {
		return err
	}
	if err := c.ensureService(ctx, w, s); err != nil {
		return err
	}
	return c.reportStatus(ctx, w, s, d)
}

// decide records the operator's decision for w (held first as the pacer
// asks) and returns ctx with it as the cause of the next write.
func (c *Controller) decide(ctx context.Context, w *unstructured.Unstructured, s spec, actual, decision string) context.Context {
	return trace.Decided(ctx, c.rec, APIVersion, Kind, w, trace.Reconcile{
		Controller: Name, Desired: s.String(), Actual: actual, Decision: decision})
}

// ensureDeployment creates or corrects w's Deployment; it returns nil
// without an error when the Deployment is not w's to manage.
func (c *Controller) ensureDeployment(ctx context.Context, w *unstructured.Unstructured, s spec) (*appsv1.Deployment, error) {
	name, namespace := w.GetName(), w.GetNamespace()
	d, err := c.deploymentLister.Deployments(namespace).Get(name)
	switch {
	case apierrors.IsNotFound(err):
		ctx = c.decide(ctx, w, s, "no Deployment", fmt.Sprintf("create Deployment %s for Website %s", name, name))
		d, err = c.client.AppsV1().Deployments(namespace).Create(ctx, desiredDeployment(w, s), metav1.CreateOptions{})
		if err != nil {
			return nil, err // AlreadyExists too: the cache is behind; the next sync sees it
		}
		c.eventRecorder.Eventf(w, corev1.EventTypeNormal, SuccessfulCreate, "Created Deployment: %s", name)
		return d, nil
	case err != nil:
		return nil, err
	case !metav1.IsControlledBy(d, w):
		c.decide(ctx, w, s, fmt.Sprintf("a Deployment %s not managed by it", name),
			fmt.Sprintf("leave Deployment %s alone: it is not managed by Website %s", name, name))
		c.eventRecorder.Eventf(w, corev1.EventTypeWarning, ErrResourceExists,
			"Resource %q already exists and is not managed by Website", name)
		return nil, nil
	}
	found := spec{replicas: ptr.Deref(d.Spec.Replicas, 1), image: imageOf(d)}
	if found.replicas == s.replicas && found.image == s.image {
		return d, nil
	}
	ctx = c.decide(ctx, w, s, "Deployment with "+found.String(),
		fmt.Sprintf("update Deployment %s to %d replicas of %s", name, s.replicas, s.image))
	d = d.DeepCopy()
	d.Spec.Replicas = ptr.To(s.replicas)
	d.Spec.Template.Spec.Containers[0].Image = s.image
	d, err = c.client.AppsV1().Deployments(namespace).Update(ctx, d, metav1.UpdateOptions{})
	if err != nil {
		return nil, err
	}
	c.eventRecorder.Eventf(w, corev1.EventTypeNormal, SuccessfulUpdate, "Updated Deployment: %s", name)
	return d, nil
}

// ensureService creates w's Service if it has none; the Service never
// needs correcting, because nothing in a Website's spec changes it.
func (c *Controller) ensureService(ctx context.Context, w *unstructured.Unstructured, s spec) error {
	name, namespace := w.GetName(), w.GetNamespace()
	_, err := c.serviceLister.Services(namespace).Get(name)
	if !apierrors.IsNotFound(err) {
		return err
	}
	ctx = c.decide(ctx, w, s, "no Service", fmt.Sprintf("create Service %s for Website %s", name, name))
	if _, err := c.client.CoreV1().Services(namespace).Create(ctx, desiredService(w), metav1.CreateOptions{}); err != nil {
		return err
	}
	c.eventRecorder.Eventf(w, corev1.EventTypeNormal, SuccessfulCreate, "Created Service: %s", name)
	return nil
}

// reportStatus writes what d reports into w's status, if that changed.
func (c *Controller) reportStatus(ctx context.Context, w *unstructured.Unstructured, s spec, d *appsv1.Deployment) error {
	current, _, _ := unstructured.NestedMap(w.Object, "status")
	next := statusFor(w, s, d, current)
	if reflect.DeepEqual(current, next) {
		return nil
	}
	ctx = c.decide(ctx, w, s, fmt.Sprintf("%d of %d replicas ready", d.Status.ReadyReplicas, s.replicas),
		fmt.Sprintf("report %d of %d replicas ready in Website %s's status", d.Status.ReadyReplicas, s.replicas, w.GetName()))
	w = w.DeepCopy()
	if err := unstructured.SetNestedMap(w.Object, next, "status"); err != nil {
		return err
	}
	_, err := c.dyn.Resource(GVR).Namespace(w.GetNamespace()).UpdateStatus(ctx, w, metav1.UpdateOptions{})
	return err
}

// labels are the labels of a Website's Pods, and its Service's selector.
func labels(w *unstructured.Unstructured) map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":       "website",
		"app.kubernetes.io/instance":   w.GetName(),
		"app.kubernetes.io/managed-by": Name,
	}
}

// ownerReference makes w the controller of what the operator creates, so
// the garbage collector deletes it with w.
func ownerReference(w *unstructured.Unstructured) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: APIVersion, Kind: Kind, Name: w.GetName(), UID: w.GetUID(),
		Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}
}

// ownerWebsite names the Website that controls an object, if one does.
func ownerWebsite(refs []metav1.OwnerReference) (string, bool) {
	for _, r := range refs {
		if r.APIVersion == APIVersion && r.Kind == Kind && ptr.Deref(r.Controller, false) {
			return r.Name, true
		}
	}
	return "", false
}

func desiredDeployment(w *unstructured.Unstructured, s spec) *appsv1.Deployment {
	l := labels(w)
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: w.GetName(), Namespace: w.GetNamespace(), Labels: l,
			OwnerReferences: []metav1.OwnerReference{ownerReference(w)}},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(s.replicas),
			Selector: &metav1.LabelSelector{MatchLabels: l},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: l},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "web", Image: s.image,
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 80}},
				}}},
			},
		},
	}
}

func desiredService(w *unstructured.Unstructured) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: w.GetName(), Namespace: w.GetNamespace(), Labels: labels(w),
			OwnerReferences: []metav1.OwnerReference{ownerReference(w)}},
		Spec: corev1.ServiceSpec{
			Selector: labels(w),
			Ports:    []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http")}},
		},
	}
}

func imageOf(d *appsv1.Deployment) string {
	if cs := d.Spec.Template.Spec.Containers; len(cs) > 0 {
		return cs[0].Image
	}
	return ""
}

// statusFor is w's status as d reports it. The Ready condition keeps its
// lastTransitionTime from current while its status does not change.
func statusFor(w *unstructured.Unstructured, s spec, d *appsv1.Deployment, current map[string]any) map[string]any {
	ready := d.Status.ReadyReplicas
	cond := map[string]any{"type": "Ready", "status": "False", "reason": "ReplicasNotReady",
		"message": fmt.Sprintf("%d of %d replicas ready", ready, s.replicas)}
	if ready >= s.replicas && d.Status.Replicas == s.replicas {
		cond["status"], cond["reason"] = "True", "AllReplicasReady"
	}
	cond["lastTransitionTime"] = metav1.Now().UTC().Format("2006-01-02T15:04:05Z")
	if old := readyCondition(current); old != nil && old["status"] == cond["status"] {
		cond["lastTransitionTime"] = old["lastTransitionTime"]
	}
	return map[string]any{
		"replicas":           int64(d.Status.Replicas),
		"readyReplicas":      int64(ready),
		"selector":           metav1.FormatLabelSelector(d.Spec.Selector),
		"url":                fmt.Sprintf("http://%s.%s.svc.cluster.local", w.GetName(), w.GetNamespace()),
		"observedGeneration": w.GetGeneration(),
		"conditions":         []any{cond},
	}
}

func readyCondition(status map[string]any) map[string]any {
	conditions, _ := status["conditions"].([]any)
	for _, c := range conditions {
		if m, ok := c.(map[string]any); ok && m["type"] == "Ready" {
			return m
		}
	}
	return nil
}
