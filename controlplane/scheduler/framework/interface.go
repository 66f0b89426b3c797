package framework

// The plugin interfaces: the extension points Glassplane's scheduler runs.
//
//	PreFilter — once per cycle, before any node is judged. A plugin may
//	         refuse the pod outright (a pod whose volumes are not ready
//	         fails here, before any node is looked at), and a plugin that
//	         judges a node by the pods on other nodes (inter-pod affinity,
//	         topology spread) counts them here, over every node, keeping
//	         the counts in the pod's State for Filter and Score.
//	Filter — may this pod go on this node? Every filter plugin judges every
//	         node; a node is feasible when all of them say Success.
//	Score  — how good is this feasible node? Each score plugin gives each
//	         feasible node a number. If the plugin also normalizes, its raw
//	         numbers are rescaled to 0..MaxNodeScore across the nodes of this
//	         cycle; otherwise they already lie in that range. The scheduler
//	         multiplies by the plugin's weight and adds the plugins up.
//
// Plugins are pure: they read the pod and the NodeInfos and decide. They never
// call the API server and keep no state between cycles (what they learn in a
// cycle lives in that cycle's PodInfo.State), so each can be tested with a
// table of pods and nodes. (A PreFilter may read the scheduler's informer
// caches, as VolumeBinding reads claims.)

// MaxNodeScore is the most one plugin may give one node (before its weight).
const MaxNodeScore int64 = 100

// Plugin has a name, the one kube-scheduler's configuration uses.
type Plugin interface {
	Name() string
}

// PreFilterPlugin looks at the pod and every node once per cycle, before
// Filter, and may write what it found into pod.State. A failure fails the
// cycle: no node is judged, and its reasons are the whole of the "0/N nodes
// are available" message.
type PreFilterPlugin interface {
	Plugin
	PreFilter(pod *PodInfo, nodes []*NodeInfo) *Status
}

// FilterPlugin judges whether a pod may run on a node.
type FilterPlugin interface {
	Plugin
	Filter(pod *PodInfo, node *NodeInfo) *Status
}

// ScorePlugin ranks the feasible nodes for a pod.
type ScorePlugin interface {
	Plugin
	Score(pod *PodInfo, node *NodeInfo) int64
}

// ScoreNormalizer is a ScorePlugin whose raw scores are rescaled to
// 0..MaxNodeScore across the nodes of one cycle. scores is rewritten in place.
type ScoreNormalizer interface {
	NormalizeScore(scores []int64)
}

// PreScorer is a ScorePlugin that looks at the cycle once before Score and
// may sit the pod out: PreScore returning false means the plugin does not
// score this pod at all. feasible are the nodes to be scored, all every node.
type PreScorer interface {
	PreScore(pod *PodInfo, feasible, all []*NodeInfo) bool
}

// WeightedScore is a score plugin and how much its opinion counts.
type WeightedScore struct {
	Plugin ScorePlugin
	Weight int64
}

// Profile is the set of plugins one scheduler runs, in order.
type Profile struct {
	// PreFilters run before any other plugin's PreFilter: plugins that only
	// prefilter (VolumeBinding). A Filter or Score plugin with a PreFilter
	// needs no entry here.
	PreFilters []PreFilterPlugin
	Filters    []FilterPlugin
	Scores     []WeightedScore
}

// DefaultNormalizeScore rescales scores so the largest becomes maxScore;
// reverse turns the scale round (the largest raw score becomes 0), for
// plugins that count something bad, like untolerated taints. This is
// kube-scheduler's helper.DefaultNormalizeScore.
func DefaultNormalizeScore(maxScore int64, reverse bool, scores []int64) {
	var highest int64
	for _, s := range scores {
		highest = max(highest, s)
	}
	if highest == 0 {
		if reverse {
			for i := range scores {
				scores[i] = maxScore
			}
		}
		return
	}
	for i, s := range scores {
		s = maxScore * s / highest
		if reverse {
			s = maxScore - s
		}
		scores[i] = s
	}
}
