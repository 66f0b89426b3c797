package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane"
)

// After a long session the server keeps only its newest steps (and the
// learner's own); a page opened then still shows the objects the forgotten
// steps made — here the kubernetes Service the cluster made at its start —
// read from etcd as it was before the page's oldest step.
func TestAPageOpenedAfterItsFirstStepsAreForgottenStillShowsTheOlderObjects(t *testing.T) {
	g := startGlassplaneWith(t, controlplane.Config{StepHistory: 400})
	g.applySeed()
	cs := g.cluster.Client("admin")
	// Enough later writes that the seed's steps fall out of the history.
	for i := 0; g.cluster.Steps.Since(0, 1)[0].Seq < 50 || i < 5; i++ {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("later-%d", i), Namespace: "default"}}
		if _, err := cs.CoreV1().ConfigMaps("default").Create(context.Background(), cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if i > 400 {
			t.Fatal("the step history never forgot its first steps")
		}
	}
	if first := g.cluster.Steps.Since(0, 1)[0]; first.Seq <= 1 {
		t.Fatalf("the history still starts at step %d", first.Seq)
	}

	b := newBrowser(t, 1280, 720)
	b.open(g.URL)
	b.waitFor("the kubernetes Service and the Deployment with its ReplicaSet and pod on the diagram", `(() => {
		const objs = [...document.querySelectorAll('#diagram g.obj')].map((g) => g.dataset.object);
		return objs.includes("Service/default/kubernetes") && objs.includes("Deployment/default/helloworld-deployment") &&
			objs.some((o) => o.startsWith("ReplicaSet/default/helloworld-deployment-")) &&
			objs.some((o) => o.startsWith("Pod/default/helloworld-deployment-")); })()`, 30*time.Second)
	b.snap("after-forgotten-history")
	b.noExceptions()
}
