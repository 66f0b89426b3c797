package podautoscaler

// The replica calculation, after kube's replica_calculator.go. For a
// resource metric with a utilization target (cpu at 50% of the pods'
// requests):
//
//	utilization  = Σ usage / Σ requests            over the pods with figures
//	usageRatio   = utilization / target
//	desired      = ceil(usageRatio × ready pods)
//
// unless |1 − usageRatio| ≤ 10% (the tolerance): then the count stays, so
// small wobbles in the figures do not move pods. An average-value target
// (cpu 200m per pod) is the same with usage per pod over the target.
//
// Pods are grouped first: a pod being deleted or failed is ignored; a pod
// not yet Ready (or still Pending) is "unready" and a Ready pod with no
// figures "missing". kube then re-runs the sum assuming the worst for
// them — a missing pod uses 100% of its request when scaling down and 0 when
// scaling up, an unready pod 0 when scaling up — and keeps the count if that
// would flip the direction. (kube also treats a pod as unready for CPU in its
// first 5 minutes by the timing of its Ready condition; Glassplane counts
// only the condition itself.)

import (
	"fmt"
	"math"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Tolerance is kube's --horizontal-pod-autoscaler-tolerance: within 10% of
// the target nothing changes.
const Tolerance = 0.1

// podMetrics is each pod's usage of one resource, in milli-units, by pod name.
type podMetrics map[string]int64

// usageOf adds up the usage of resource over a PodMetrics' containers.
func usageOf(containers map[string]corev1.ResourceList, name corev1.ResourceName) int64 {
	var total int64
	for _, usage := range containers {
		q := usage[name]
		total += q.MilliValue()
	}
	return total
}

// podGroups sorts pods as kube's groupPods does.
type podGroups struct {
	ready            int
	unready, missing map[string]bool
	ignored          map[string]bool
}

func groupPods(pods []*corev1.Pod, metrics podMetrics) podGroups {
	g := podGroups{unready: map[string]bool{}, missing: map[string]bool{}, ignored: map[string]bool{}}
	for _, pod := range pods {
		_, measured := metrics[pod.Name]
		switch {
		case pod.DeletionTimestamp != nil || pod.Status.Phase == corev1.PodFailed:
			g.ignored[pod.Name] = true
		case pod.Status.Phase == corev1.PodPending:
			g.unready[pod.Name] = true
		case !measured:
			g.missing[pod.Name] = true
		case !podReady(pod):
			g.unready[pod.Name] = true
		default:
			g.ready++
		}
	}
	return g
}

func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// podRequests is each pod's request of resource, in milli-units; a pod
// whose containers do not all request it is an error, as in kube.
func podRequests(pods []*corev1.Pod, name corev1.ResourceName) (map[string]int64, error) {
	out := map[string]int64{}
	for _, pod := range pods {
		var sum int64
		for _, c := range pod.Spec.Containers {
			q, ok := c.Resources.Requests[name]
			if !ok {
				return nil, fmt.Errorf("missing request for %s in container %s of Pod %s", name, c.Name, pod.Name)
			}
			sum += q.MilliValue()
		}
		out[pod.Name] = sum
	}
	return out, nil
}

// utilizationRatio is kube's GetResourceUtilizationRatio: the pods'
// utilization (percent of their requests) over the target, the utilization,
// and the average usage per pod.
func utilizationRatio(metrics podMetrics, requests map[string]int64, target int32) (float64, int32, int64, error) {
	var usage, requested int64
	for name, v := range metrics {
		r, ok := requests[name]
		if !ok {
			continue
		}
		usage += v
		requested += r
	}
	if requested == 0 {
		return 0, 0, 0, fmt.Errorf("no metrics returned matched known pods")
	}
	utilization := int32(usage * 100 / requested)
	return float64(utilization) / float64(target), utilization, usage / int64(len(metrics)), nil
}

// resourceReplicas is kube's GetResourceReplicas (target > 0: a
// utilization in percent) and GetRawResourceReplicas (target == 0:
// averageValue, milli-units per pod).
func resourceReplicas(current int32, pods []*corev1.Pod, metrics podMetrics, name corev1.ResourceName,
	targetUtilization int32, averageValue *resource.Quantity) (replicas int32, utilization int32, average int64, err error) {
	if len(pods) == 0 {
		return 0, 0, 0, fmt.Errorf("no pods returned by selector while calculating replica count")
	}
	g := groupPods(pods, metrics)
	for n := range g.ignored {
		delete(metrics, n)
	}
	for n := range g.unready {
		delete(metrics, n)
	}
	if len(metrics) == 0 {
		return 0, 0, 0, fmt.Errorf("did not receive metrics for targeted pods (pods might be unready)")
	}
	var requests map[string]int64
	ratio := func(m podMetrics) (float64, error) {
		if averageValue != nil {
			var total int64
			for _, v := range m {
				total += v
			}
			average = total / int64(len(m))
			return float64(total) / float64(averageValue.MilliValue()) / float64(len(m)), nil
		}
		r, u, avg, err := utilizationRatio(m, requests, targetUtilization)
		utilization, average = u, avg
		return r, err
	}
	if averageValue == nil {
		if requests, err = podRequests(pods, name); err != nil {
			return 0, 0, 0, err
		}
	}
	usageRatio, err := ratio(metrics)
	if err != nil {
		return 0, 0, 0, err
	}
	firstUtilization, firstAverage := utilization, average
	scaleUpWithUnready := len(g.unready) > 0 && usageRatio > 1.0
	if !scaleUpWithUnready && len(g.missing) == 0 {
		if math.Abs(1.0-usageRatio) <= Tolerance {
			return current, utilization, average, nil
		}
		return int32(math.Ceil(usageRatio * float64(g.ready))), utilization, average, nil
	}
	// Assume the worst for the pods without figures, then see whether the
	// direction still holds.
	for n := range g.missing {
		switch {
		case usageRatio < 1.0 && averageValue == nil:
			metrics[n] = requests[n] * int64(max(100, targetUtilization)) / 100
		case usageRatio < 1.0:
			metrics[n] = averageValue.MilliValue()
		default:
			metrics[n] = 0
		}
	}
	if scaleUpWithUnready {
		for n := range g.unready {
			metrics[n] = 0
		}
	}
	newRatio, err := ratio(metrics)
	utilization, average = firstUtilization, firstAverage // the status reports what was measured
	if err != nil {
		return 0, 0, 0, err
	}
	if math.Abs(1.0-newRatio) <= Tolerance || (usageRatio < 1.0 && newRatio > 1.0) || (usageRatio > 1.0 && newRatio < 1.0) {
		return current, utilization, average, nil
	}
	replicas = int32(math.Ceil(newRatio * float64(len(metrics))))
	if (newRatio < 1.0 && replicas > current) || (newRatio > 1.0 && replicas < current) {
		return current, utilization, average, nil
	}
	return replicas, utilization, average, nil
}
