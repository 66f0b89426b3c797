package controlplane_test

import (
	"context"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/apiserver"
	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// refusedForLimit counts the requests the API server refused for the object
// limit among steps.
func refusedForLimit(ss []steps.Step) int {
	n := 0
	for _, s := range ss {
		if s.Stage == steps.Respond && s.Outcome == steps.Denied && strings.Contains(s.Message.Args["error"], "objects, its limit") {
			n++
		}
	}
	return n
}

func TestObjectLimitStopsARunawayDeploymentAndTheControllersBackOff(t *testing.T) {
	const limit = 60
	c := testcluster.StartWith(t, controlplane.Config{Nodes: -1, Limits: apiserver.Limits{MaxObjects: limit}})
	startControllerManager(t, c)
	cs := c.Client("admin")
	ctx := context.Background()
	// kubectl create deployment runaway --image=nginx --replicas=1000000
	if _, err := cs.AppsV1().Deployments("default").Create(ctx, webDeployment("runaway", 1000000), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	// The ReplicaSet stops at the limit and says why in its status.
	waitFor(t, "the ReplicaSet to report the object limit", func() (bool, string) {
		rss, err := cs.AppsV1().ReplicaSets("default").List(ctx, metav1.ListOptions{})
		if err != nil || len(rss.Items) == 0 {
			return false, "no ReplicaSet"
		}
		for _, cond := range rss.Items[0].Status.Conditions {
			if cond.Type == appsv1.ReplicaSetReplicaFailure && cond.Status == corev1.ConditionTrue {
				return cond.Reason == "FailedCreate" && strings.Contains(cond.Message, "limit"), cond.Reason + ": " + cond.Message
			}
		}
		return false, "no ReplicaFailure condition"
	})
	pods, err := cs.CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pods.Items) == 0 || len(pods.Items) >= limit {
		t.Errorf("%d pods on a sandbox limited to %d objects", len(pods.Items), limit)
	}

	// A learner's own create past the limit gets a clear 403 Status.
	_, err = cs.CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "one-more"}}, metav1.CreateOptions{})
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "its limit") {
		t.Errorf("creating past the limit: %v, want 403 Forbidden naming the limit", err)
	}

	// The controllers back off instead of retrying the create in a loop:
	// some two-second window soon sees at most a few refused creates.
	var refused int
	for deadline := time.Now().Add(60 * time.Second); ; {
		from := c.Steps.Last()
		time.Sleep(2 * time.Second)
		if refused = refusedForLimit(c.Steps.Since(from, 0)); refused <= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the controllers still retry the refused create %d times in 2 s", refused)
		}
	}
}
