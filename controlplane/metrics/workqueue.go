package metrics

// Every controller's work queue reports its depth, adds, latencies and
// retries as kube-controller-manager's do: client-go's workqueue calls the
// MetricsProvider set with workqueue.SetProvider for each named queue, and
// the metrics carry the queue's name (the controller's) in the "name" label.

import (
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/client-go/util/workqueue"
)

const workqueueSubsystem = "workqueue"

var (
	workqueueDepth = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Subsystem: workqueueSubsystem, Name: "depth", Help: "Current depth of workqueue"}, []string{"name"})
	workqueueAdds = prometheus.NewCounterVec(prometheus.CounterOpts{
		Subsystem: workqueueSubsystem, Name: "adds_total", Help: "Total number of adds handled by workqueue"}, []string{"name"})
	workqueueLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Subsystem: workqueueSubsystem, Name: "queue_duration_seconds",
		Help:    "How long in seconds an item stays in workqueue before being requested.",
		Buckets: prometheus.ExponentialBuckets(10e-9, 10, 10)}, []string{"name"})
	workqueueWorkDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Subsystem: workqueueSubsystem, Name: "work_duration_seconds",
		Help:    "How long in seconds processing an item from workqueue takes.",
		Buckets: prometheus.ExponentialBuckets(10e-9, 10, 10)}, []string{"name"})
	workqueueUnfinished = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Subsystem: workqueueSubsystem, Name: "unfinished_work_seconds",
		Help: "How many seconds of work has done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads."}, []string{"name"})
	workqueueLongest = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Subsystem: workqueueSubsystem, Name: "longest_running_processor_seconds",
		Help: "How many seconds has the longest running processor for workqueue been running."}, []string{"name"})
	workqueueRetries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Subsystem: workqueueSubsystem, Name: "retries_total", Help: "Total number of retries handled by workqueue"}, []string{"name"})
)

type workqueueProvider struct{}

func registerWorkqueueProvider() {
	Registry.MustRegister(workqueueDepth, workqueueAdds, workqueueLatency, workqueueWorkDuration,
		workqueueUnfinished, workqueueLongest, workqueueRetries)
	workqueue.SetProvider(workqueueProvider{})
}

func (workqueueProvider) NewDepthMetric(name string) workqueue.GaugeMetric {
	return workqueueDepth.WithLabelValues(name)
}
func (workqueueProvider) NewAddsMetric(name string) workqueue.CounterMetric {
	return workqueueAdds.WithLabelValues(name)
}
func (workqueueProvider) NewLatencyMetric(name string) workqueue.HistogramMetric {
	return workqueueLatency.WithLabelValues(name)
}
func (workqueueProvider) NewWorkDurationMetric(name string) workqueue.HistogramMetric {
	return workqueueWorkDuration.WithLabelValues(name)
}
func (workqueueProvider) NewUnfinishedWorkSecondsMetric(name string) workqueue.SettableGaugeMetric {
	return workqueueUnfinished.WithLabelValues(name)
}
func (workqueueProvider) NewLongestRunningProcessorSecondsMetric(name string) workqueue.SettableGaugeMetric {
	return workqueueLongest.WithLabelValues(name)
}
func (workqueueProvider) NewRetriesMetric(name string) workqueue.CounterMetric {
	return workqueueRetries.WithLabelValues(name)
}
