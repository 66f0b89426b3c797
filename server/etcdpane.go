package server

// The etcd pane: the sandbox's keys as etcd holds them — key, create and mod
// revisions, version (writes since creation) and the stored JSON. It reads
// etcd directly, because showing what the API server wrote is its point; it
// never writes. With ?revision=N it shows the keys as they were at N, as
// etcd's multi-version store still holds them until compaction.

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// EtcdKey is one key of the pane.
type EtcdKey struct {
	Key            string `json:"key"`
	CreateRevision int64  `json:"createRevision"`
	ModRevision    int64  `json:"modRevision"`
	Version        int64  `json:"version"`
	Value          string `json:"value"`
}

const maxPaneKeys = 5000

func (w *Web) etcdKeys(c echo.Context) error {
	sb := sandboxOf(c)
	root := sb.Cluster.Store.Prefix() // e.g. /registry or /sandboxes/ID/registry
	prefix := c.QueryParam("prefix")
	if prefix == "" {
		prefix = root + "/"
	}
	if !strings.HasPrefix(prefix, root+"/") && prefix != root {
		return fail(c, http.StatusForbidden, "the pane shows only this sandbox's keys, under "+root+"/")
	}
	opts := []clientv3.OpOption{clientv3.WithPrefix(), clientv3.WithLimit(maxPaneKeys)}
	if r := c.QueryParam("revision"); r != "" {
		// The keys as they were at a past revision: what a page reloaded
		// after its oldest steps were forgotten starts from.
		rev, err := strconv.ParseInt(r, 10, 64)
		if err != nil || rev < 1 {
			return fail(c, http.StatusBadRequest, "revision must be a positive number")
		}
		opts = append(opts, clientv3.WithRev(rev))
	}
	resp, err := sb.Cluster.Etcd.Client.Get(c.Request().Context(), prefix, opts...)
	switch {
	case errors.Is(err, rpctypes.ErrCompacted):
		return fail(c, http.StatusGone, "etcd has compacted that revision away: "+err.Error())
	case errors.Is(err, rpctypes.ErrFutureRev):
		return fail(c, http.StatusBadRequest, "etcd has not reached that revision yet")
	case err != nil:
		return fail(c, http.StatusServiceUnavailable, err.Error())
	}
	keys := make([]EtcdKey, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		keys = append(keys, EtcdKey{Key: string(kv.Key), CreateRevision: kv.CreateRevision, ModRevision: kv.ModRevision,
			Version: kv.Version, Value: string(kv.Value)})
	}
	return c.JSON(http.StatusOK, map[string]any{"revision": resp.Header.Revision, "prefix": root, "keys": keys, "more": resp.More})
}
