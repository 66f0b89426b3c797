package server

// The app API's own clients: the playground's apply acts in a sandbox as its
// admin through the sandbox's real API server, with a dynamic client and a
// discovery-backed REST mapper made on first use and kept with the sandbox.

import (
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
)

// appClients are the clients the app API uses to act in a sandbox as its
// admin, through the sandbox's real API server.
type appClients struct {
	dynamic dynamic.Interface
	mapper  *restmapper.DeferredDiscoveryRESTMapper
}

func (sb *Sandbox) clients() (*appClients, error) {
	sb.clientsMu.Lock()
	defer sb.clientsMu.Unlock()
	if sb.appClients != nil {
		return sb.appClients, nil
	}
	cfg, err := sb.Cluster.ClientConfig("admin", "system:masters")
	if err != nil {
		return nil, err
	}
	cfg.UserAgent = "glassplane-playground"
	cfg.WarningHandlerWithContext = collectWarnings{} // each answer carries its own (warnings.go)
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	sb.appClients = &appClients{dynamic: dyn, mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))}
	return sb.appClients, nil
}
