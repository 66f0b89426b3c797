package apiserver

// Discovery is how a client learns what a server serves: /api and /apis list
// the groups and versions, /api/v1 and /apis/GROUP/VERSION the resources of
// one version with their kinds, verbs, short names (deploy, po, svc …) and
// categories (`kubectl get all`). kubectl reads it to turn "deploy" into a URL.

import (
	"encoding/json"
	"net"
	"net/http"
	"runtime"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"

	"github.com/glassplane/glassplane/controlplane/apiserver/openapi"
)

// KubernetesVersion is the Kubernetes API version Glassplane speaks: the
// version of the k8s.io/api types it serves.
const KubernetesVersion = "v1.37.2"

// Version describes this server for /version.
func Version() version.Info {
	return version.Info{Major: "1", Minor: "37", GitVersion: KubernetesVersion + "+glassplane",
		Platform: runtime.GOOS + "/" + runtime.GOARCH, GoVersion: runtime.Version(), Compiler: runtime.Compiler}
}

func serveVersion(w http.ResponseWriter, r *http.Request) {
	v := Version()
	writeJSON(w, &v)
}

func (s *Server) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 1 && parts[0] == "api":
		writeJSON(w, &metav1.APIVersions{TypeMeta: metav1.TypeMeta{Kind: "APIVersions"}, Versions: []string{"v1"},
			ServerAddressByClientCIDRs: []metav1.ServerAddressByClientCIDR{{ClientCIDR: "0.0.0.0/0", ServerAddress: hostOf(r)}}})
	case len(parts) == 1 && parts[0] == "apis":
		groups := append(apiGroups(), customGroups(s.servedCRDs(r.Context()))...)
		writeJSON(w, &metav1.APIGroupList{TypeMeta: metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"}, Groups: groups})
	case len(parts) == 2 && parts[0] == "api" && parts[1] == "v1":
		writeJSON(w, resourceList(schema.GroupVersion{Version: "v1"}))
	case len(parts) == 2 && parts[0] == "apis":
		for _, g := range append(apiGroups(), customGroups(s.servedCRDs(r.Context()))...) {
			if g.Name == parts[1] {
				g.Kind, g.APIVersion = "APIGroup", "v1"
				writeJSON(w, &g)
				return
			}
		}
		writeError(w, apierrors.NewNotFound(schema.GroupResource{}, ""))
	case len(parts) == 3 && parts[0] == "apis":
		gv := schema.GroupVersion{Group: parts[1], Version: parts[2]}
		if len(resourcesOf(gv)) == 0 {
			if list := customResourceList(s.servedCRDs(r.Context()), gv); list != nil {
				writeJSON(w, list)
				return
			}
			writeError(w, apierrors.NewNotFound(schema.GroupResource{}, ""))
			return
		}
		writeJSON(w, resourceList(gv))
	default:
		writeError(w, apierrors.NewNotFound(schema.GroupResource{}, ""))
	}
}

func hostOf(r *http.Request) string {
	if _, _, err := net.SplitHostPort(r.Host); err == nil {
		return r.Host
	}
	return r.Host + ":443"
}

// apiGroups lists the named groups with their versions, preferred first.
func apiGroups() []metav1.APIGroup {
	var groups []metav1.APIGroup
	index := map[string]int{}
	for _, gv := range servedGroupVersions() {
		if gv.Group == "" {
			continue
		}
		v := metav1.GroupVersionForDiscovery{GroupVersion: gv.String(), Version: gv.Version}
		i, ok := index[gv.Group]
		if !ok {
			index[gv.Group] = len(groups)
			groups = append(groups, metav1.APIGroup{Name: gv.Group, PreferredVersion: v})
			i = len(groups) - 1
		}
		groups[i].Versions = append(groups[i].Versions, v)
	}
	return groups
}

// subresourceKinds says which kind each subresource speaks.
var subresourceKinds = map[string]struct {
	group, version, kind string
	verbs                []string
}{
	"status":      {verbs: []string{"get", "patch", "update"}},
	"scale":       {group: "autoscaling", version: "v1", kind: "Scale", verbs: []string{"get", "patch", "update"}},
	"binding":     {kind: "Binding", verbs: []string{"create"}},
	"finalize":    {verbs: []string{"update"}},
	"log":         {kind: "Pod", verbs: []string{"get"}},
	"exec":        {kind: "PodExecOptions", verbs: []string{"create", "get"}},
	"attach":      {kind: "PodAttachOptions", verbs: []string{"create", "get"}},
	"portforward": {kind: "PodPortForwardOptions", verbs: []string{"create", "get"}},
	"token":       {group: "authentication.k8s.io", version: "v1", kind: "TokenRequest", verbs: []string{"create"}},
	"eviction":    {group: "policy", version: "v1", kind: "Eviction", verbs: []string{"create"}},
}

func resourceList(gv schema.GroupVersion) *metav1.APIResourceList {
	list := &metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, GroupVersion: gv.String()}
	for _, r := range resourcesOf(gv) {
		res := metav1.APIResource{Name: r.Resource, SingularName: strings.ToLower(r.Kind), Namespaced: r.Namespaced,
			Kind: r.Kind, Verbs: verbsOf(r)}
		if gv == r.GroupVersion {
			// Old versions get no short names or categories, so "deploy" and
			// "all" mean only the current version.
			res.ShortNames, res.Categories = r.ShortNames, r.Categories
		}
		list.APIResources = append(list.APIResources, res)
		for _, sub := range r.Subresources {
			k := subresourceKinds[sub]
			kind := k.kind
			if kind == "" {
				kind = r.Kind
			}
			list.APIResources = append(list.APIResources, metav1.APIResource{
				Name: r.Resource + "/" + sub, Namespaced: r.Namespaced, Kind: kind,
				Group: k.group, Version: k.version, Verbs: k.verbs,
			})
		}
	}
	return list
}

func writeJSON(w http.ResponseWriter, obj any) {
	w.Header().Set("Content-Type", "application/json")
	body, err := json.Marshal(obj)
	if err != nil {
		writeError(w, apierrors.NewInternalError(err))
		return
	}
	_, _ = w.Write(body)
}

// OpenAPIResources lists every served resource of every version, for the
// OpenAPI documents.
func OpenAPIResources() []openapi.Resource {
	var out []openapi.Resource
	for _, gv := range servedGroupVersions() {
		for _, r := range resourcesOf(gv) {
			if isMetrics(r) {
				continue // metrics-server publishes no OpenAPI of its own either
			}
			out = append(out, openapi.Resource{Group: gv.Group, Version: gv.Version, Resource: r.Resource,
				Kind: r.Kind, Namespaced: r.Namespaced, Verbs: verbsOf(r), Subresources: r.Subresources})
		}
	}
	return out
}
