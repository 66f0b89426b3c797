package apiserver

// Get and list. A list reads one etcd range; its resourceVersion is where a
// watch should start to miss nothing.

import (
	"fmt"
	"strconv"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/glassplane/glassplane/controlplane/apiserver/registry"
)

func (s *Server) get(q *apiRequest) (runtime.Object, error) {
	return s.Store.Get(q.ctx, q.res, q.info.Namespace, q.info.Name)
}

func (s *Server) list(q *apiRequest) (runtime.Object, error) {
	sel, err := selection(q)
	if err != nil {
		return nil, err
	}
	rev, exact, err := listRevision(q)
	if err != nil {
		return nil, err
	}
	if rev > 0 {
		// A revision etcd has not reached yet: wait a little, then 504.
		if err := s.Store.WaitForRevision(q.ctx, rev); err != nil {
			return nil, err
		}
	}
	if !exact {
		// NotOlderThan (the default): the latest revision is never older.
		rev = 0
	}
	page, err := listPage(q)
	if err != nil {
		return nil, err
	}
	if page.Limit > 0 || page.Continue != "" {
		return s.Store.ListPage(q.ctx, q.res, sel, rev, page)
	}
	return s.Store.List(q.ctx, q.res, sel, rev)
}

// listPage reads limit and continue, for a list in chunks (registry.ListPage).
// A continued list is read at its first chunk's revision, so it may not
// name a resourceVersion of its own.
func listPage(q *apiRequest) (registry.Page, error) {
	query := q.r.URL.Query()
	page := registry.Page{Continue: query.Get("continue")}
	if v := query.Get("limit"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return page, apierrors.NewBadRequest(fmt.Sprintf("limit must be an integer, not %q", v))
		}
		page.Limit = max(n, 0)
	}
	if rv := query.Get("resourceVersion"); page.Continue != "" && rv != "" && rv != "0" {
		return page, apierrors.NewBadRequest("specifying resource version is not allowed when using continue")
	}
	return page, nil
}

// selection parses the label and field selectors of a list or watch.
func selection(q *apiRequest) (registry.Selection, error) {
	sel := registry.Selection{Namespace: q.info.Namespace, Labels: labels.Everything(), Fields: fields.Everything()}
	query := q.r.URL.Query()
	if v := query.Get("labelSelector"); v != "" {
		ls, err := labels.Parse(v)
		if err != nil {
			return sel, apierrors.NewBadRequest(fmt.Sprintf("unable to parse requirement: %v", err))
		}
		sel.Labels = ls
	}
	if v := query.Get("fieldSelector"); v != "" {
		fs, err := fields.ParseSelector(v)
		if err != nil {
			return sel, apierrors.NewBadRequest(fmt.Sprintf("invalid field selector: %v", err))
		}
		if err := checkFieldLabels(q.res, fs); err != nil {
			return sel, err
		}
		sel.Fields = fs
	}
	if q.info.Name != "" {
		// A watch on one object (legacy /watch/…/name paths).
		sel.Fields = fields.AndSelectors(sel.Fields, fields.OneTermEqualSelector("metadata.name", q.info.Name))
	}
	return sel, nil
}

// checkFieldLabels refuses field selectors on fields the resource cannot
// select by, with kube-apiserver's message.
func checkFieldLabels(r *registry.Resource, fs fields.Selector) error {
	known := r.SelectableFields(r.New())
	known["metadata.name"], known["metadata.namespace"] = "", ""
	for _, req := range fs.Requirements() {
		if _, ok := known[req.Field]; !ok {
			return apierrors.NewBadRequest(fmt.Sprintf("field label not supported: %s", req.Field))
		}
	}
	return nil
}

// listRevision reads resourceVersion for a list ("" or "0" mean the latest:
// 0) and whether resourceVersionMatch asks for exactly that revision.
func listRevision(q *apiRequest) (rev int64, exact bool, err error) {
	v := q.r.URL.Query().Get("resourceVersion")
	if v == "" || v == "0" {
		return 0, false, nil
	}
	rev, err = strconv.ParseInt(v, 10, 64)
	if err != nil || rev < 0 {
		return 0, false, apierrors.NewBadRequest(fmt.Sprintf("invalid resourceVersion %q", v))
	}
	return rev, q.r.URL.Query().Get("resourceVersionMatch") == "Exact", nil
}
