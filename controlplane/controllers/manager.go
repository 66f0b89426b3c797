// Package controllers is the controller manager: one process (here, one
// goroutine tree) running every controller of the cluster, as
// kube-controller-manager does.
//
// In Kubernetes the controllers are independent loops that never call each
// other: each watches the API server and writes to it. What they share is
// the informer factory — one watch per resource, one cache, fed to every
// controller that asks — and the identity system:kube-controller-manager.
// Each controller lives in its own package (deployment, replicaset,
// endpoints, endpointslice, namespace, serviceaccount, rootcacertpublisher,
// resourcequota, disruption, job, cronjob, ttlafterfinished, daemonset,
// statefulset, garbagecollector, nodelifecycle, persistentvolume,
// podautoscaler, and the operators lesson's website operator; the
// ReplicationController controller is the replicaset package's, run over
// ReplicationControllers) and
// has the same shape:
//
//	New(client, …, factory, rec) *Controller   registers informer handlers
//	(*Controller).Run(ctx, workers)            waits for the caches, runs
//	                                           workers until ctx ends
//
// Shutdown protocol: Run starts the informers and every controller, and
// returns when ctx has ended and every controller's Run has returned (each
// waits for its workers); then the informers are shut down.
package controllers

import (
	"context"
	"fmt"
	"sync"

	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/scale"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned/typed/metrics/v1beta1"

	"github.com/glassplane/glassplane/controlplane/controllers/cronjob"
	"github.com/glassplane/glassplane/controlplane/controllers/daemonset"
	"github.com/glassplane/glassplane/controlplane/controllers/deployment"
	"github.com/glassplane/glassplane/controlplane/controllers/disruption"
	"github.com/glassplane/glassplane/controlplane/controllers/endpoints"
	"github.com/glassplane/glassplane/controlplane/controllers/endpointslice"
	"github.com/glassplane/glassplane/controlplane/controllers/garbagecollector"
	"github.com/glassplane/glassplane/controlplane/controllers/job"
	"github.com/glassplane/glassplane/controlplane/controllers/namespace"
	"github.com/glassplane/glassplane/controlplane/controllers/nodelifecycle"
	"github.com/glassplane/glassplane/controlplane/controllers/persistentvolume"
	"github.com/glassplane/glassplane/controlplane/controllers/podautoscaler"
	"github.com/glassplane/glassplane/controlplane/controllers/replicaset"
	"github.com/glassplane/glassplane/controlplane/controllers/resourcequota"
	"github.com/glassplane/glassplane/controlplane/controllers/rootcacertpublisher"
	"github.com/glassplane/glassplane/controlplane/controllers/serviceaccount"
	"github.com/glassplane/glassplane/controlplane/controllers/statefulset"
	"github.com/glassplane/glassplane/controlplane/controllers/ttlafterfinished"
	"github.com/glassplane/glassplane/controlplane/controllers/website"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// Controller is what every controller is to the manager.
type Controller interface {
	Run(ctx context.Context, workers int)
}

// Options tune the manager.
type Options struct {
	// Workers is how many keys each controller syncs at once (default 2).
	Workers int
	// NodeLifecycle tunes the node lifecycle controller (grace period,
	// eviction timeout); the zero value is kube's defaults.
	NodeLifecycle nodelifecycle.Options
	// Job tunes the Job controller's pod failure back-off.
	Job job.Options
	// CronJobClock is the CronJob controller's time (nil: the wall clock).
	CronJobClock cronjob.Clock
	// Autoscaler tunes the horizontal pod autoscaler's clock.
	Autoscaler podautoscaler.Options
	// RootCA is the cluster CA's certificate, which the root-CA publisher
	// copies into every namespace (default: the CA of cfg's TLS settings; a
	// configuration with an in-process transport has none).
	RootCA []byte
}

// Manager runs the controllers on one shared informer factory.
type Manager struct {
	factory     informers.SharedInformerFactory
	controllers map[string]Controller // by controller name
	workers     int
}

// NewManager builds every controller for the identity in cfg
// (system:kube-controller-manager). Nothing runs until Run.
func NewManager(cfg *rest.Config, rec *steps.Recorder, opts Options) (*Manager, error) {
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("controller manager client: %w", err)
	}
	rootCA := opts.RootCA
	if len(rootCA) == 0 {
		rootCA = cfg.CAData
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("controller manager dynamic client: %w", err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(client.Discovery()))
	scales, err := scale.NewForConfig(cfg, mapper, dynamic.LegacyAPIPathResolverFunc, scale.NewDiscoveryScaleKindResolver(client.Discovery()))
	if err != nil {
		return nil, fmt.Errorf("controller manager scale client: %w", err)
	}
	resourceMetrics, err := metricsclient.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("controller manager metrics client: %w", err)
	}
	factory := informers.NewSharedInformerFactory(client, 0)
	m := &Manager{factory: factory, workers: opts.Workers, controllers: map[string]Controller{
		deployment.Name:                      deployment.New(client, factory, rec),
		replicaset.Name:                      replicaset.New(client, factory, rec),
		endpoints.Name:                       endpoints.New(client, factory, rec),
		endpointslice.Name:                   endpointslice.New(client, factory, rec),
		namespace.Name:                       namespace.New(client, dyn, factory, rec),
		serviceaccount.Name:                  serviceaccount.New(client, factory, rec),
		garbagecollector.Name:                garbagecollector.New(dyn, mapper, factory, rec),
		nodelifecycle.Name:                   nodelifecycle.New(client, factory, rec, opts.NodeLifecycle),
		rootcacertpublisher.Name:             rootcacertpublisher.New(client, factory, rec, rootCA),
		resourcequota.Name:                   resourcequota.New(client, dyn, factory, rec),
		disruption.Name:                      disruption.New(client, factory, rec),
		job.Name:                             job.New(client, factory, rec, opts.Job),
		cronjob.Name:                         cronjob.New(client, factory, rec, opts.CronJobClock),
		ttlafterfinished.Name:                ttlafterfinished.New(client, factory, rec),
		daemonset.Name:                       daemonset.New(client, factory, rec),
		statefulset.Name:                     statefulset.New(client, factory, rec),
		replicaset.ReplicationControllerName: replicaset.NewForReplicationControllers(client, factory, rec),
		persistentvolume.Name:                persistentvolume.New(client, factory, rec),
		podautoscaler.Name:                   podautoscaler.New(client, scales, mapper, resourceMetrics, factory, rec, opts.Autoscaler),
		website.Name:                         website.New(client, dyn, factory, rec),
	}}
	if m.workers <= 0 {
		m.workers = 2
	}
	return m, nil
}

// Run runs every controller until ctx ends, and returns when all have stopped.
func (m *Manager) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, c := range m.controllers {
		wg.Go(func() { c.Run(ctx, m.workers) })
	}
	m.factory.Start(ctx.Done()) // after the controllers asked for their informers
	wg.Wait()
	m.factory.Shutdown()
	return nil
}
