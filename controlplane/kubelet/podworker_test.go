package kubelet

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// TestAPodArrivingAfterTheWorkersStopStartsNoWorker: the informer may
// still deliver a pod while a stopping kubelet waits for its workers. A
// worker started then would grow the WaitGroup being waited on (a misuse
// the race detector reports) and outlive the kubelet.
func TestAPodArrivingAfterTheWorkersStopStartsNoWorker(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := newPodWorkers(ctx, New(nil, steps.NewRecorder(100), Options{NodeName: "node-1", PodCIDR: "10.244.1.0/24"}), nil, nil)
	w.wait()
	w.update(podUpdate{pod: &corev1.Pod{ObjectMeta: metav1.ObjectMeta{UID: "late"}}, event: "ADDED"})
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.mailboxes) != 0 {
		t.Errorf("a pod delivered after the workers stopped got a worker (%d mailboxes)", len(w.mailboxes))
	}
}
