package scheduler_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glassplane/glassplane/controlplane/scheduler"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// heldBindings holds every pods/binding request until want of them are in
// flight at once (or the deadline passes), and remembers the most it saw.
type heldBindings struct {
	base     http.RoundTripper
	want     int
	deadline time.Duration

	mu       sync.Mutex
	inFlight int
	most     int
	enough   chan struct{} // closed when want are in flight
}

func (h *heldBindings) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/binding") {
		return h.base.RoundTrip(req)
	}
	h.mu.Lock()
	h.inFlight++
	h.most = max(h.most, h.inFlight)
	if h.inFlight == h.want {
		close(h.enough)
	}
	h.mu.Unlock()
	select {
	case <-h.enough:
	case <-time.After(h.deadline):
	}
	defer func() {
		h.mu.Lock()
		h.inFlight--
		h.mu.Unlock()
	}()
	return h.base.RoundTrip(req)
}

// The next pod's cycle does not wait for the last pod's binding: like
// kube-scheduler's binding cycle, the POST runs on its own, the pod already
// assumed onto its node. A scheduler that bound one pod at a time would hold
// each binding here until the deadline and never have two in flight.
func TestSchedulerBindsPodsInParallelWithoutWaitingForEachBinding(t *testing.T) {
	c := testcluster.Start(t)
	admin := c.Client("admin")
	for i := 1; i <= 2; i++ {
		createNode(t, admin, fmt.Sprintf("node-%d", i), "4", "8Gi")
	}
	cfg, err := c.ClientConfig("system:kube-scheduler")
	if err != nil {
		t.Fatal(err)
	}
	held := &heldBindings{want: 4, deadline: 3 * time.Second, enough: make(chan struct{})}
	wrap := cfg.WrapTransport
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		held.base = wrap(rt)
		return held
	}
	for i := 1; i <= 4; i++ {
		createPod(t, admin, fmt.Sprintf("pod-%d", i), "100m")
	}
	s, err := scheduler.New(cfg, c.Steps, scheduler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	runScheduler(t, s)
	for i := 1; i <= 4; i++ {
		waitBound(t, admin, fmt.Sprintf("pod-%d", i))
	}
	held.mu.Lock()
	defer held.mu.Unlock()
	if held.most < held.want {
		t.Errorf("at most %d bindings were in flight at once, want all %d pods bound in parallel", held.most, held.want)
	}
}
