package podautoscaler

// What the autoscaler reads and reports: each metric's figures from the
// resource metrics API, the count they ask for, and the conditions that say
// why the count is what it is.

import (
	"context"
	"fmt"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// replicasForMetrics is kube's computeReplicasForMetrics: the largest count
// any metric asks for, that metric's name for the rescale reason, and each
// metric's current figures.
func (c *Controller) replicasForMetrics(ctx context.Context, hpa *autoscalingv2.HorizontalPodAutoscaler, sc *autoscalingv1.Scale, current int32) (int32, string, []autoscalingv2.MetricStatus, error) {
	selector, err := labels.Parse(sc.Status.Selector)
	if sc.Status.Selector == "" || err != nil {
		msg := "selector is required"
		if err != nil {
			msg = fmt.Sprintf("couldn't convert selector into a corresponding internal selector object: %v", err)
		}
		c.events.Event(hpa, corev1.EventTypeWarning, "SelectorRequired", msg)
		setCondition(hpa, autoscalingv2.ScalingActive, corev1.ConditionFalse, "InvalidSelector", "the HPA target's scale is missing a selector")
		return 0, "", nil, fmt.Errorf("%s", msg)
	}
	statuses := make([]autoscalingv2.MetricStatus, len(hpa.Spec.Metrics))
	var replicas int32
	var name string
	var lastErr error
	valid := 0
	for i, spec := range hpa.Spec.Metrics {
		n, metricName, st, err := c.replicasForMetric(ctx, hpa, spec, selector, current)
		if err != nil {
			lastErr = err
			continue
		}
		statuses[i] = st
		valid++
		if replicas == 0 || n > replicas {
			replicas, name = n, metricName
		}
	}
	if valid == 0 {
		return 0, "", statuses, lastErr
	}
	setCondition(hpa, autoscalingv2.ScalingActive, corev1.ConditionTrue, "ValidMetricFound", "the HPA was able to successfully calculate a replica count from %s", name)
	return replicas, name, statuses, nil
}

// replicasForMetric computes one metric. Glassplane reads resource metrics
// (cpu, memory); other sources need adapters it does not have.
func (c *Controller) replicasForMetric(ctx context.Context, hpa *autoscalingv2.HorizontalPodAutoscaler, spec autoscalingv2.MetricSpec, selector labels.Selector, current int32) (int32, string, autoscalingv2.MetricStatus, error) {
	if spec.Type != autoscalingv2.ResourceMetricSourceType || spec.Resource == nil {
		err := fmt.Errorf("unable to get %s metric: Glassplane serves resource metrics only", spec.Type)
		c.events.Event(hpa, corev1.EventTypeWarning, "FailedGetExternalMetric", err.Error())
		setCondition(hpa, autoscalingv2.ScalingActive, corev1.ConditionFalse, "InvalidMetricSourceType", "the HPA was unable to compute the replica count: %v", err)
		return 0, "", autoscalingv2.MetricStatus{}, err
	}
	res := spec.Resource.Name
	fail := func(err error) (int32, string, autoscalingv2.MetricStatus, error) {
		err = fmt.Errorf("failed to get %s utilization: %v", res, err)
		c.events.Event(hpa, corev1.EventTypeWarning, "FailedGetResourceMetric", err.Error())
		setCondition(hpa, autoscalingv2.ScalingActive, corev1.ConditionFalse, "FailedGetResourceMetric", "the HPA was unable to compute the replica count: %v", err)
		return 0, "", autoscalingv2.MetricStatus{}, err
	}
	list, err := c.metrics.PodMetricses(hpa.Namespace).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return fail(fmt.Errorf("unable to get metrics for resource %s: unable to fetch metrics from resource metrics API: %v", res, err))
	}
	if len(list.Items) == 0 {
		return fail(fmt.Errorf("unable to get metrics for resource %s: no metrics returned from resource metrics API", res))
	}
	metrics := podMetrics{}
	for _, m := range list.Items {
		containers := map[string]corev1.ResourceList{}
		for _, ctr := range m.Containers {
			containers[ctr.Name] = ctr.Usage
		}
		metrics[m.Name] = usageOf(containers, res)
	}
	pods, err := c.podLister.Pods(hpa.Namespace).List(selector)
	if err != nil {
		return fail(err)
	}
	target := spec.Resource.Target
	var utilization int32
	if target.AverageUtilization != nil && target.AverageValue == nil {
		utilization = *target.AverageUtilization
	}
	n, util, average, err := resourceReplicas(current, pods, metrics, res, utilization, target.AverageValue)
	if err != nil {
		return fail(err)
	}
	status := autoscalingv2.MetricStatus{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{
		Name: res, Current: autoscalingv2.MetricValueStatus{AverageValue: resource.NewMilliQuantity(average, resource.DecimalSI)}}}
	name := fmt.Sprintf("%s resource", res)
	if target.AverageValue == nil {
		status.Resource.Current.AverageUtilization = &util
		name = fmt.Sprintf("%s resource utilization (percentage of request)", res)
	}
	return n, name, status, nil
}

// setCondition sets a condition of hpa, keeping its transition time when
// its status does not change (kube's setConditionInList).
func setCondition(hpa *autoscalingv2.HorizontalPodAutoscaler, t autoscalingv2.HorizontalPodAutoscalerConditionType, status corev1.ConditionStatus, reason, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	conds := hpa.Status.Conditions
	for i := range conds {
		if conds[i].Type != t {
			continue
		}
		if conds[i].Status != status {
			conds[i].LastTransitionTime = metav1.Now()
		}
		conds[i].Status, conds[i].Reason, conds[i].Message = status, reason, msg
		return
	}
	hpa.Status.Conditions = append(conds, autoscalingv2.HorizontalPodAutoscalerCondition{Type: t, Status: status,
		Reason: reason, Message: msg, LastTransitionTime: metav1.Now()})
}
