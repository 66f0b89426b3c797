// Package metrics is what Glassplane tells Prometheus: the counters and
// histograms an operator of a real cluster scrapes from kube-apiserver,
// kube-scheduler and kube-controller-manager, under the same names and
// labels, plus a few of Glassplane's own (glassplane_*).
//
// Every metric lives in one registry, Registry, served by Handler on the web
// port's /metrics and on the API server's /metrics (there authorised like
// kube-apiserver's: the nonResourceURL /metrics, which cluster-admin and the
// system:monitoring role may get). The sandboxes of a classroom share the
// process, so they share the counters too: the figures are the server's.
//
// The components do not know Prometheus: they call the small functions
// below (RequestServed, EtcdRequest, SchedulingAttempt) or change a
// package-level gauge. client-go's workqueues report through the
// MetricsProvider this package installs before any queue is made.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds every metric Glassplane serves.
var Registry = prometheus.NewRegistry()

// Handler serves Registry in Prometheus' text format.
func Handler() http.Handler {
	return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{Registry: Registry})
}

var (
	apiserverRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "apiserver_request_total",
		Help: "Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.",
	}, []string{"verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component", "code"})
	apiserverLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "apiserver_request_duration_seconds",
		Help: "Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.",
		Buckets: []float64{0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3,
			4, 5, 6, 8, 10, 15, 20, 30, 45, 60},
	}, []string{"verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component"})
	etcdLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "etcd_request_duration_seconds",
		Help: "Etcd request latency in seconds for each operation and object type.",
		Buckets: []float64{0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3,
			4, 5, 6, 8, 10, 15, 20, 30, 45, 60},
	}, []string{"operation", "type"})
	scheduleAttempts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "scheduler_schedule_attempts_total",
		Help: "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.",
	}, []string{"result", "profile"})
	schedulingAttemptLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "scheduler_scheduling_attempt_duration_seconds",
		Help:    "Scheduling attempt latency in seconds (scheduling algorithm + binding)",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 15),
	}, []string{"result", "profile"})

	// Sandboxes is how many sandboxes (the local cluster included) run.
	Sandboxes = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "glassplane_sandboxes", Help: "Number of sandboxes (control planes) running, the local cluster included."})
	// WebSocketClients is how many browsers follow a step stream.
	WebSocketClients = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "glassplane_websocket_clients", Help: "Number of browsers connected to a step stream."})
	// StepsEmitted counts the steps the components recorded.
	StepsEmitted = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "glassplane_steps_emitted_total", Help: "Number of steps recorded by the control planes' components."})
	// StepsDropped counts the stream subscribers cut off for falling behind.
	StepsDropped = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "glassplane_steps_dropped_total", Help: "Number of step stream subscribers cut off because they fell behind (each then misses the steps until it resumes)."})
)

func init() {
	Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		apiserverRequests, apiserverLatency, etcdLatency, scheduleAttempts, schedulingAttemptLatency,
		Sandboxes, WebSocketClients, StepsEmitted, StepsDropped)
	registerWorkqueueProvider()
}

// Request is one API request as kube-apiserver's metrics label it.
type Request struct {
	Verb, DryRun, Group, Version, Resource, Subresource, Scope string
	Code                                                       int
}

// RequestServed counts a finished API request and its latency.
func RequestServed(q Request, elapsed time.Duration) {
	const component = "apiserver"
	apiserverRequests.WithLabelValues(q.Verb, q.DryRun, q.Group, q.Version, q.Resource, q.Subresource, q.Scope,
		component, codeLabel(q.Code)).Inc()
	apiserverLatency.WithLabelValues(q.Verb, q.DryRun, q.Group, q.Version, q.Resource, q.Subresource, q.Scope,
		component).Observe(elapsed.Seconds())
}

func codeLabel(code int) string {
	if code == 0 {
		code = http.StatusOK
	}
	return strconv.Itoa(code)
}

// EtcdRequest starts timing one etcd request; call the function it returns
// when the request is over. typ is the resource, as kube labels it.
func EtcdRequest(operation, typ string) func() {
	start := time.Now()
	return func() { etcdLatency.WithLabelValues(operation, typ).Observe(time.Since(start).Seconds()) }
}

// SchedulingAttempt counts one scheduling cycle of profile by its result:
// "scheduled", "unschedulable" or "error".
func SchedulingAttempt(result, profile string, elapsed time.Duration) {
	scheduleAttempts.WithLabelValues(result, profile).Inc()
	schedulingAttemptLatency.WithLabelValues(result, profile).Observe(elapsed.Seconds())
}
