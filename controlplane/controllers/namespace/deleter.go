package namespace

// Emptying a namespace. The controller asks discovery for every namespaced
// resource the API server serves that can be listed and deleted, and deletes
// each resource's whole collection in the namespace (in the background: the
// garbage collector and the kubelets finish what takes time). Then it lists
// again and counts what is left — pods that stop gracefully, objects with
// finalizers, events written meanwhile.

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
)

// contentRemainingError says that some objects are still in the namespace.
type contentRemainingError struct {
	left map[string]int // resource → objects left
}

func (e *contentRemainingError) Error() string {
	return "some content remains: " + describe(e.left)
}

// RequeueAfter says when to look again: the namespace is not failing to
// empty, only not empty yet, so its key comes back without back-off.
func (e *contentRemainingError) RequeueAfter() time.Duration { return remainingDelay }

// deleteContent deletes everything in ns and returns how many objects of
// each resource are still there.
func (c *Controller) deleteContent(ctx context.Context, ns *corev1.Namespace) (map[string]int, error) {
	resources, err := deletableResources(c.client.Discovery())
	if err != nil {
		return nil, err
	}
	left := map[string]int{}
	background := metav1.DeletePropagationBackground
	for _, gvr := range resources {
		r := c.dynamic.Resource(gvr).Namespace(ns.Name)
		err := r.DeleteCollection(ctx, metav1.DeleteOptions{PropagationPolicy: &background}, metav1.ListOptions{})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsMethodNotSupported(err) {
			return nil, fmt.Errorf("deleting all %s: %w", gvr.Resource, err)
		}
		list, err := r.List(ctx, metav1.ListOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("listing %s: %w", gvr.Resource, err)
		}
		if err == nil && len(list.Items) > 0 {
			left[gvr.GroupResource().String()] = len(list.Items)
		}
	}
	return left, nil
}

// deletableResources lists the namespaced resources that can be listed and
// deleted as a collection, in their preferred versions.
func deletableResources(d discovery.DiscoveryInterface) ([]schema.GroupVersionResource, error) {
	lists, err := discovery.ServerPreferredNamespacedResources(d)
	if err != nil && len(lists) == 0 {
		return nil, err
	}
	var out []schema.GroupVersionResource
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range list.APIResources {
			if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "deletecollection") || !slices.Contains(r.Verbs, "list") {
				continue
			}
			out = append(out, gv.WithResource(r.Name))
		}
	}
	return out, nil
}

// describe summarises what is left: "pods: 2, events: 1".
func describe(left map[string]int) string {
	if len(left) == 0 {
		return "empty"
	}
	var parts []string
	for r, n := range left {
		parts = append(parts, fmt.Sprintf("%s: %d", r, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
