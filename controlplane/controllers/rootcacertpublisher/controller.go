// Package rootcacertpublisher is the root CA certificate publisher: every
// namespace has a ConfigMap kube-root-ca.crt holding the cluster's CA
// certificate.
//
// A pod that talks to the API server (through kubernetes.default.svc) must
// trust the certificate the API server shows, and that certificate is signed
// by the cluster's CA. So kube-controller-manager publishes the CA into every
// namespace, and the projected service-account volume mounts it next to the
// token as ca.crt. This controller creates the ConfigMap when a namespace
// appears, puts its content back if someone changes it, and creates it again
// if someone deletes it. Its key is the namespace's name.
//
// Interface rules: as kubernetes/sample-controller, with the shared work
// loop (workloop).
package rootcacertpublisher

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"

	"github.com/glassplane/glassplane/controlplane/controllers/trace"
	"github.com/glassplane/glassplane/controlplane/controllers/workloop"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Name is the controller's name.
const Name = "root-ca-cert-publisher"

// ConfigMapName is the ConfigMap every namespace gets.
const ConfigMapName = "kube-root-ca.crt"

// description is kube's annotation on the ConfigMap.
const description = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."

// Controller is the root CA certificate publisher.
type Controller struct {
	client   kubernetes.Interface
	rec      *steps.Recorder
	caPEM    string
	nsLister corelisters.NamespaceLister
	cmLister corelisters.ConfigMapLister
	synced   []cache.InformerSynced
	queue    workqueue.TypedRateLimitingInterface[string]
}

// New returns a publisher of caPEM fed by factory's informers.
func New(client kubernetes.Interface, factory informers.SharedInformerFactory, rec *steps.Recorder, caPEM []byte) *Controller {
	ns := factory.Core().V1().Namespaces()
	cm := factory.Core().V1().ConfigMaps()
	c := &Controller{
		client: client, rec: rec, caPEM: string(caPEM), nsLister: ns.Lister(), cmLister: cm.Lister(),
		synced: []cache.InformerSynced{ns.Informer().HasSynced, cm.Informer().HasSynced},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "root_ca_cert_publisher"}),
	}
	_, _ = ns.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			c.watched("namespaces", "Namespace", trace.Added, obj)
			c.queue.Add(obj.(*corev1.Namespace).Name)
		},
	})
	_, _ = cm.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(_, cur any) {
			if m := cur.(*corev1.ConfigMap); m.Name == ConfigMapName && m.Data["ca.crt"] != c.caPEM {
				c.watched("configmaps", "ConfigMap", trace.Modified, m)
				c.queue.Add(m.Namespace)
			}
		},
		DeleteFunc: func(obj any) {
			if m, ok := trace.Tombstone(obj).(*corev1.ConfigMap); ok && m.Name == ConfigMapName {
				c.watched("configmaps", "ConfigMap", trace.Deleted, m)
				c.queue.Add(m.Namespace)
			}
		},
	})
	return c
}

// Run starts workers until ctx ends, and blocks until they have stopped.
func (c *Controller) Run(ctx context.Context, workers int) {
	workloop.Run(ctx, Name, c.queue, c.synced, workers, c.syncNamespace)
}

// syncNamespace makes sure namespace name holds the CA certificate.
func (c *Controller) syncNamespace(ctx context.Context, name string) error {
	ns, err := c.nsLister.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if ns.Status.Phase != corev1.NamespaceActive || ns.DeletionTimestamp != nil {
		return nil // new content in a terminating namespace is refused anyway
	}
	data := map[string]string{"ca.crt": c.caPEM}
	cur, err := c.cmLister.ConfigMaps(name).Get(ConfigMapName)
	switch {
	case apierrors.IsNotFound(err):
		ctx = c.reconciled(c.rec.ContextFor(ctx, ns), ns, trace.Reconcile{
			Desired: "ConfigMap " + ConfigMapName, Actual: "none", Decision: "create ConfigMap " + ConfigMapName})
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: ConfigMapName, Namespace: name,
			Annotations: map[string]string{"kubernetes.io/description": description}}, Data: data}
		_, err = c.client.CoreV1().ConfigMaps(name).Create(ctx, cm, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
		return err
	case err != nil:
		return err
	case cur.Data["ca.crt"] == c.caPEM && len(cur.Data) == 1:
		return nil
	}
	ctx = c.reconciled(c.rec.ContextFor(ctx, ns), ns, trace.Reconcile{
		Desired: "the cluster's CA certificate", Actual: "other data", Decision: "update ConfigMap " + ConfigMapName})
	next := cur.DeepCopy()
	next.Data, next.BinaryData = data, nil
	_, err = c.client.CoreV1().ConfigMaps(name).Update(ctx, next, metav1.UpdateOptions{})
	return err
}

// reconciled records the reconcile step for ns and returns the context its
// writes are filed under.
func (c *Controller) reconciled(ctx context.Context, ns *corev1.Namespace, d trace.Reconcile) context.Context {
	d.Controller = Name
	return trace.Decided(ctx, c.rec, "v1", "Namespace", ns, d)
}

// watched records that an informer delivered event for obj.
func (c *Controller) watched(informer, kind, event string, obj any) {
	trace.Watched(c.rec, "v1", kind, obj, trace.Watch{Controller: Name, Informer: informer, Event: event})
}
