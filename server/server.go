// Package server is Glassplane's web server: the page a learner opens, and
// (as the app grows) the app API and the step stream for the browser. It
// knows the control plane only through controlplane.Cluster.
package server

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/apiserver"
)

// Config says where to listen and what to show.
type Config struct {
	Listen  string
	Cluster *controlplane.Cluster
}

// Web is a running web server.
type Web struct {
	Addr string
	e    *echo.Echo
	done chan struct{}
}

// Start listens on cfg.Listen and serves until Close.
func Start(cfg Config) (*Web, error) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(middleware.Recover())
	e.GET("/", func(c echo.Context) error { return home(c, cfg.Cluster) })
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("the web server cannot listen on %s: %w", cfg.Listen, err)
	}
	e.Listener = ln
	w := &Web{Addr: ln.Addr().String(), e: e, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		if err := e.Start(""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Printf("web server stopped: %v\n", err)
		}
	}()
	return w, nil
}

// Close stops the web server.
func (w *Web) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := w.e.Shutdown(ctx)
	<-w.done
	return err
}

var homePage = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Glassplane</title>
<style>body{font:18px/1.5 system-ui,sans-serif;max-width:46em;margin:3em auto;padding:0 1em;color:#1b1f24}
code{background:#eef1f4;padding:.1em .3em;border-radius:4px}li{margin:.3em 0}</style></head>
<body><h1>Glassplane</h1>
<p>A Kubernetes control plane you can see through. Running now:</p>
<ul>
<li>etcd (embedded), keeping every object under <code>/registry/</code></li>
<li>the Kubernetes API server {{.Version}} at <code>https://{{.Addr}}</code></li>
<li>{{.Steps}} steps recorded so far</li>
</ul>
<p>Try it: <code>glassplane kubectl get namespaces</code>, or with your own kubectl:
<code>glassplane kubeconfig &gt; kc; kubectl --kubeconfig kc get ns</code>.</p>
</body></html>`))

func home(c echo.Context, cl *controlplane.Cluster) error {
	c.Response().Header().Set("Content-Type", "text/html; charset=utf-8")
	return homePage.Execute(c.Response(), map[string]any{
		"Addr": cl.Addr, "Version": apiserver.Version().GitVersion, "Steps": cl.Steps.Last(),
	})
}
