package server

import (
	"sync"

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

var clientsMu sync.Mutex // guards Sandbox.appClients

func (sb *Sandbox) clients() (*appClients, error) {
	clientsMu.Lock()
	defer clientsMu.Unlock()
	if sb.appClients != nil {
		return sb.appClients, nil
	}
	cfg, err := sb.Cluster.ClientConfig("admin", "system:masters")
	if err != nil {
		return nil, err
	}
	cfg.UserAgent = "glassplane-playground"
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
