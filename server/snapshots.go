package server

// A sandbox's snapshots, for the learner who wants to see a cluster come
// back from its etcd: save the state, break something (delete the
// Deployment), restore, and watch the controllers reconcile. The work is
// the cluster's (controlplane/snapshots.go); this is its app API.
//
//	GET  /sandboxes/{id}/snapshots                 the saved snapshots, oldest first
//	POST /sandboxes/{id}/snapshots                 save one now → 201
//	POST /sandboxes/{id}/snapshots/{name}/restore  put it back → 200

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/etcd"
)

func (w *Web) snapshotRoutes(sb *echo.Group) {
	sb.GET("/snapshots", w.listSnapshots)
	sb.POST("/snapshots", w.saveSnapshot)
	sb.POST("/snapshots/:name/restore", w.restoreSnapshot)
}

func (w *Web) listSnapshots(c echo.Context) error {
	all, err := sandboxOf(c).Cluster.Snapshots(c.Request().Context())
	if err != nil {
		return fail(c, http.StatusServiceUnavailable, "etcd: "+err.Error())
	}
	return c.JSON(http.StatusOK, all)
}

func (w *Web) saveSnapshot(c echo.Context) error {
	s, err := sandboxOf(c).Cluster.SaveSnapshot(c.Request().Context())
	switch {
	case errors.Is(err, controlplane.ErrSnapshotTooLarge):
		return fail(c, http.StatusRequestEntityTooLarge, err.Error())
	case err != nil:
		return fail(c, http.StatusServiceUnavailable, "etcd: "+err.Error())
	}
	return c.JSON(http.StatusCreated, s)
}

func (w *Web) restoreSnapshot(c echo.Context) error {
	r, err := sandboxOf(c).Cluster.RestoreSnapshot(c.Request().Context(), c.Param("name"))
	switch {
	case errors.Is(err, controlplane.ErrSnapshotNotFound):
		return fail(c, http.StatusNotFound, err.Error())
	case errors.Is(err, etcd.ErrPrefixBusy):
		c.Response().Header().Set("Retry-After", "1")
		return fail(c, http.StatusConflict, err.Error())
	case err != nil:
		return fail(c, http.StatusServiceUnavailable, "etcd: "+err.Error())
	}
	return c.JSON(http.StatusOK, r)
}
