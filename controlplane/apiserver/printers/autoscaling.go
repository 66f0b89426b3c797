// HorizontalPodAutoscalers, with kube's columns: NAME, REFERENCE (the
// target, "Deployment/web"), TARGETS (each metric as current/target, "cpu:
// 80%/50%", "<unknown>" until the controller has measured it; two at most,
// then "+ N more..."), MINPODS, MAXPODS, REPLICAS (the current count), AGE.
package printers

import (
	"fmt"
	"strings"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var hpaColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Reference", Type: "string", Description: autoscalingv2.HorizontalPodAutoscalerSpec{}.SwaggerDoc()["scaleTargetRef"]},
	{Name: "Targets", Type: "string", Description: autoscalingv2.HorizontalPodAutoscalerSpec{}.SwaggerDoc()["metrics"]},
	{Name: "MinPods", Type: "string", Description: autoscalingv2.HorizontalPodAutoscalerSpec{}.SwaggerDoc()["minReplicas"]},
	{Name: "MaxPods", Type: "integer", Description: autoscalingv2.HorizontalPodAutoscalerSpec{}.SwaggerDoc()["maxReplicas"]},
	{Name: "Replicas", Type: "integer", Description: autoscalingv2.HorizontalPodAutoscalerStatus{}.SwaggerDoc()["currentReplicas"]},
	ageColumn,
}

func init() {
	register(hpaColumns, printHPA)
}

func printHPA(hpa *autoscalingv2.HorizontalPodAutoscaler) metav1.TableRow {
	ref := hpa.Spec.ScaleTargetRef.Kind + "/" + hpa.Spec.ScaleTargetRef.Name
	minPods := "<unset>"
	if hpa.Spec.MinReplicas != nil {
		minPods = fmt.Sprint(*hpa.Spec.MinReplicas)
	}
	return cells(hpa.Name, ref, hpaTargets(hpa.Spec.Metrics, hpa.Status.CurrentMetrics), minPods,
		int64(hpa.Spec.MaxReplicas), int64(hpa.Status.CurrentReplicas), age(hpa.CreationTimestamp))
}

// hpaTargets is kube's formatHPAMetrics for the resource metrics Glassplane
// measures; other sources show their name with <unknown>.
func hpaTargets(specs []autoscalingv2.MetricSpec, statuses []autoscalingv2.MetricStatus) string {
	if len(specs) == 0 {
		return "<none>"
	}
	var list []string
	for i, spec := range specs {
		if spec.Resource == nil {
			list = append(list, fmt.Sprintf("%s: <unknown>", spec.Type))
			continue
		}
		current := "<unknown>"
		var st *autoscalingv2.ResourceMetricStatus
		if len(statuses) > i {
			st = statuses[i].Resource
		}
		if t := spec.Resource.Target; t.AverageValue != nil {
			if st != nil && st.Current.AverageValue != nil {
				current = st.Current.AverageValue.String()
			}
			list = append(list, fmt.Sprintf("%s: %s/%s", spec.Resource.Name, current, t.AverageValue.String()))
			continue
		}
		if st != nil && st.Current.AverageUtilization != nil {
			current = fmt.Sprintf("%d%%", *st.Current.AverageUtilization)
		}
		target := "<auto>"
		if u := spec.Resource.Target.AverageUtilization; u != nil {
			target = fmt.Sprintf("%d%%", *u)
		}
		list = append(list, fmt.Sprintf("%s: %s/%s", spec.Resource.Name, current, target))
	}
	if len(list) > 2 {
		return fmt.Sprintf("%s + %d more...", strings.Join(list[:2], ", "), len(list)-2)
	}
	return strings.Join(list, ", ")
}
