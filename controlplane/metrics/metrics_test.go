package metrics

import (
	"net/http/httptest"
	"strings"
	"testing"

	"k8s.io/client-go/util/workqueue"
)

func scrape(t *testing.T) string {
	t.Helper()
	w := httptest.NewRecorder()
	Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	return w.Body.String()
}

func TestAControllersWorkQueueReportsDepthAndAddsByItsName(t *testing.T) {
	q := workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
		workqueue.TypedRateLimitingQueueConfig[string]{Name: "examplecontroller"})
	defer q.ShutDown()
	q.Add("default/a")
	q.Add("default/b")
	out := scrape(t)
	for _, want := range []string{`workqueue_depth{name="examplecontroller"} 2`, `workqueue_adds_total{name="examplecontroller"} 2`} {
		if !strings.Contains(out, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestSchedulingAttemptsAreCountedByResultAndProfile(t *testing.T) {
	SchedulingAttempt("unschedulable", "default-scheduler", 0)
	out := scrape(t)
	for _, want := range []string{`scheduler_schedule_attempts_total{profile="default-scheduler",result="unschedulable"} 1`,
		`scheduler_scheduling_attempt_duration_seconds_count{profile="default-scheduler",result="unschedulable"} 1`} {
		if !strings.Contains(out, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
