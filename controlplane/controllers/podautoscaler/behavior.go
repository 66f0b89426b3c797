package podautoscaler

// Behavior: how fast the autoscaler may move, after kube's
// normalizeDesiredReplicasWithBehaviors. Two brakes act on the count the
// metrics ask for:
//
//   - stabilization: the autoscaler remembers its recommendations. Scaling
//     down, it takes the highest of those within scaleDown's window (300 s by
//     default), so the count only falls once the load has stayed low that
//     long; scaling up, the lowest within scaleUp's window (0 by default:
//     at once);
//   - rate: each direction's policies (by default, up by 4 pods or 100% per
//     15 s, whichever is more; down by 100% per 15 s) bound the change
//     against the count at the start of each policy's period, counting the
//     scale events already made in it.
//
// Then minReplicas and maxReplicas bound it. Each brake that acted names
// itself in a condition: AbleToScale (ScaleDownStabilized …) and
// ScalingLimited (TooManyReplicas, ScaleUpLimit …).
//
// Glassplane's clusters may run the autoscaler's time faster (Options.Second):
// every window and period is counted in those seconds.

import (
	"math"
	"sync"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
)

// recommendation is one desired count the metrics gave, and when.
type recommendation struct {
	replicas int32
	at       time.Time
}

// scaleEvent is one change the autoscaler made to its target.
type scaleEvent struct {
	change int32
	at     time.Time
}

// memory keeps each autoscaler's recent recommendations and scale events,
// by key, as kube's controller does in memory (a restarted controller
// starts afresh).
type memory struct {
	mu              sync.Mutex // guards the maps
	recommendations map[string][]recommendation
	upEvents        map[string][]scaleEvent
	downEvents      map[string][]scaleEvent
}

func newMemory() *memory {
	return &memory{recommendations: map[string][]recommendation{}, upEvents: map[string][]scaleEvent{}, downEvents: map[string][]scaleEvent{}}
}

// forget drops what is remembered of a deleted autoscaler.
func (m *memory) forget(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.recommendations, key)
	delete(m.upEvents, key)
	delete(m.downEvents, key)
}

// limit is what the brakes made of a recommendation.
type limit struct {
	replicas                        int32
	stabilizedReason, stabilizedMsg string
	stabilized                      bool
	limitedReason, limitedMsg       string
	limited                         bool
}

// normalize applies stabilization, the rate policies and the bounds to
// desired, recording desired as this sync's recommendation.
func (m *memory) normalize(key string, b *autoscalingv2.HorizontalPodAutoscalerBehavior, minReplicas, maxReplicas, current, desired int32, now time.Time, second time.Duration) limit {
	m.mu.Lock()
	defer m.mu.Unlock()
	up, down := rulesOrDefault(b)
	window := func(r *autoscalingv2.HPAScalingRules) time.Duration {
		if r.StabilizationWindowSeconds == nil {
			return 0
		}
		return time.Duration(*r.StabilizationWindowSeconds) * second
	}
	upWindow, downWindow := window(up), window(down)
	upRec, downRec := desired, desired
	kept := m.recommendations[key][:0]
	for _, r := range m.recommendations[key] {
		if r.at.After(now.Add(-upWindow)) {
			upRec = min(upRec, r.replicas)
		}
		if r.at.After(now.Add(-downWindow)) {
			downRec = max(downRec, r.replicas)
		}
		if r.at.After(now.Add(-max(upWindow, downWindow))) {
			kept = append(kept, r)
		}
	}
	m.recommendations[key] = append(kept, recommendation{replicas: desired, at: now})

	l := limit{replicas: current, stabilizedReason: "ReadyForNewScale", stabilizedMsg: "recommended size matches current size"}
	if l.replicas < upRec {
		l.replicas = upRec
	}
	if l.replicas > downRec {
		l.replicas = downRec
	}
	if l.replicas != desired {
		l.stabilized = true
		if desired < current {
			l.stabilizedReason, l.stabilizedMsg = "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation"
		} else {
			l.stabilizedReason, l.stabilizedMsg = "ScaleUpStabilized", "recent recommendations were lower than current one, applying the lowest recent recommendation"
		}
	}
	stabilized := l.replicas
	l.replicas, l.limitedReason, l.limitedMsg = m.rateLimited(key, up, down, minReplicas, maxReplicas, current, stabilized, now, second)
	l.limited = l.replicas != stabilized
	return l
}

// rateLimited is kube's convertDesiredReplicasWithBehaviorRate.
func (m *memory) rateLimited(key string, up, down *autoscalingv2.HPAScalingRules, minReplicas, maxReplicas, current, desired int32, now time.Time, second time.Duration) (int32, string, string) {
	switch {
	case desired > current:
		upLimit := max(scaleUpLimit(current, m.upEvents[key], m.downEvents[key], up, now, second), current)
		allowed, reason, msg := maxReplicas, "TooManyReplicas", "the desired replica count is more than the maximum replica count"
		if allowed > upLimit {
			allowed, reason, msg = upLimit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"
		}
		if desired > allowed {
			return allowed, reason, msg
		}
	case desired < current:
		downLimit := min(scaleDownLimit(current, m.upEvents[key], m.downEvents[key], down, now, second), current)
		allowed, reason, msg := minReplicas, "TooFewReplicas", "the desired replica count is less than the minimum replica count"
		if allowed < downLimit {
			allowed, reason, msg = downLimit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate"
		}
		if desired < allowed {
			return allowed, reason, msg
		}
	}
	return desired, "DesiredWithinRange", "the desired count is within the acceptable range"
}

// changedWithin adds up the changes of events within the last period.
func changedWithin(events []scaleEvent, period time.Duration, now time.Time) int32 {
	var n int32
	for _, e := range events {
		if e.at.After(now.Add(-period)) {
			n += e.change
		}
	}
	return n
}

func scaleUpLimit(current int32, ups, downs []scaleEvent, r *autoscalingv2.HPAScalingRules, now time.Time, second time.Duration) int32 {
	if r.SelectPolicy != nil && *r.SelectPolicy == autoscalingv2.DisabledPolicySelect {
		return current
	}
	pickMin := r.SelectPolicy != nil && *r.SelectPolicy == autoscalingv2.MinChangePolicySelect
	result := int32(math.MinInt32)
	if pickMin {
		result = math.MaxInt32
	}
	for _, p := range r.Policies {
		period := time.Duration(p.PeriodSeconds) * second
		start := current - changedWithin(ups, period, now) + changedWithin(downs, period, now)
		proposed := start + p.Value
		if p.Type == autoscalingv2.PercentScalingPolicy {
			proposed = int32(math.Ceil(float64(start) * (1 + float64(p.Value)/100)))
		}
		if pickMin {
			result = min(result, proposed)
		} else {
			result = max(result, proposed)
		}
	}
	return result
}

func scaleDownLimit(current int32, ups, downs []scaleEvent, r *autoscalingv2.HPAScalingRules, now time.Time, second time.Duration) int32 {
	if r.SelectPolicy != nil && *r.SelectPolicy == autoscalingv2.DisabledPolicySelect {
		return current
	}
	pickMin := r.SelectPolicy != nil && *r.SelectPolicy == autoscalingv2.MinChangePolicySelect
	result := int32(math.MaxInt32)
	if pickMin {
		result = math.MinInt32
	}
	for _, p := range r.Policies {
		period := time.Duration(p.PeriodSeconds) * second
		start := current + changedWithin(downs, period, now) - changedWithin(ups, period, now)
		proposed := start - p.Value
		if p.Type == autoscalingv2.PercentScalingPolicy {
			proposed = int32(float64(start) * (1 - float64(p.Value)/100))
		}
		if pickMin {
			result = max(result, proposed) // the smallest change
		} else {
			result = min(result, proposed) // the biggest change
		}
	}
	return result
}

// recordScale remembers a change from old to replicas, dropping events
// older than the longest policy period.
func (m *memory) recordScale(key string, b *autoscalingv2.HorizontalPodAutoscalerBehavior, old, replicas int32, now time.Time, second time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	up, down := rulesOrDefault(b)
	prune := func(events []scaleEvent, r *autoscalingv2.HPAScalingRules) []scaleEvent {
		var longest int32
		for _, p := range r.Policies {
			longest = max(longest, p.PeriodSeconds)
		}
		kept := events[:0]
		for _, e := range events {
			if e.at.After(now.Add(-time.Duration(longest) * second)) {
				kept = append(kept, e)
			}
		}
		return kept
	}
	if replicas > old {
		m.upEvents[key] = append(prune(m.upEvents[key], up), scaleEvent{change: replicas - old, at: now})
	} else if replicas < old {
		m.downEvents[key] = append(prune(m.downEvents[key], down), scaleEvent{change: old - replicas, at: now})
	}
}

// rulesOrDefault returns the behavior's rules; the API server's defaults
// fill them in, so the zero rules only stand in for an object written
// around them.
func rulesOrDefault(b *autoscalingv2.HorizontalPodAutoscalerBehavior) (up, down *autoscalingv2.HPAScalingRules) {
	up, down = &autoscalingv2.HPAScalingRules{}, &autoscalingv2.HPAScalingRules{}
	if b != nil && b.ScaleUp != nil {
		up = b.ScaleUp
	}
	if b != nil && b.ScaleDown != nil {
		down = b.ScaleDown
	}
	return up, down
}
