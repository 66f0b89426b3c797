// Package plugins is the registry of the scheduler's plugins: which ones run,
// in which order, and how much each score counts. It is kube-scheduler's
// default profile cut down to the plugins Glassplane has (no ports yet):
//
//	prefilter: VolumeBinding (WithVolumeBinding: it reads claims)
//	filter: NodeUnschedulable, NodeName, TaintToleration, NodeAffinity,
//	        NodeResourcesFit, PodTopologySpread, InterPodAffinity
//	score:  NodeResourcesFit ×1 (LeastAllocated),
//	        NodeResourcesBalancedAllocation ×1, TaintToleration ×3,
//	        NodeAffinity ×2, PodTopologySpread ×2, InterPodAffinity ×2
//
// The filter order matters for the failure message: Kubernetes reports, for
// each node, the reasons of the first filter that refused it.
package plugins

import (
	corelisters "k8s.io/client-go/listers/core/v1"

	"github.com/glassplane/glassplane/controlplane/scheduler/framework"
	"github.com/glassplane/glassplane/controlplane/scheduler/plugins/interpodaffinity"
	"github.com/glassplane/glassplane/controlplane/scheduler/plugins/nodeaffinity"
	"github.com/glassplane/glassplane/controlplane/scheduler/plugins/nodename"
	"github.com/glassplane/glassplane/controlplane/scheduler/plugins/noderesources"
	"github.com/glassplane/glassplane/controlplane/scheduler/plugins/nodeunschedulable"
	"github.com/glassplane/glassplane/controlplane/scheduler/plugins/podtopologyspread"
	"github.com/glassplane/glassplane/controlplane/scheduler/plugins/tainttoleration"
	"github.com/glassplane/glassplane/controlplane/scheduler/plugins/volumebinding"
)

// DefaultProfile returns the plugins of the default-scheduler profile.
func DefaultProfile() framework.Profile {
	fit := noderesources.NewFit()
	taints := tainttoleration.New()
	affinity := nodeaffinity.New()
	spread := podtopologyspread.New()
	podAffinity := interpodaffinity.New()
	return framework.Profile{
		Filters: []framework.FilterPlugin{
			nodeunschedulable.New(),
			nodename.New(),
			taints,
			affinity,
			fit,
			spread,
			podAffinity,
		},
		Scores: []framework.WeightedScore{
			{Plugin: fit, Weight: 1},
			{Plugin: noderesources.NewBalancedAllocation(), Weight: 1},
			{Plugin: taints, Weight: 3},
			{Plugin: affinity, Weight: 2},
			{Plugin: spread, Weight: 2},
			{Plugin: podAffinity, Weight: 2},
		},
	}
}

// WithVolumeBinding adds the VolumeBinding prefilter, which reads the pod's
// claims from claims, to p.
func WithVolumeBinding(p framework.Profile, claims corelisters.PersistentVolumeClaimLister) framework.Profile {
	p.PreFilters = append(p.PreFilters, volumebinding.New(claims))
	return p
}
