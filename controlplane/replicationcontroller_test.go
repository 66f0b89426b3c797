package controlplane_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

const rcManifest = `apiVersion: v1
kind: ReplicationController
metadata:
  name: %s
  namespace: default
spec:
  replicas: 3
  selector: {app: %s}
  template:
    metadata:
      labels: {app: %s}
    spec:
      containers:
      - name: web
        image: nginx
`

// ownedBy lists the running pods whose controller is the
// ReplicationController name.
func ownedBy(t *testing.T, cs kubernetes.Interface, name string) []corev1.Pod {
	var out []corev1.Pod
	for _, p := range runningPods(t, cs, "app="+name) {
		if ref := metav1.GetControllerOf(&p); ref != nil && ref.Kind == "ReplicationController" && ref.Name == name {
			out = append(out, p)
		}
	}
	return out
}

// A ReplicationController keeps three pods, replaces one that is deleted,
// scales with `kubectl scale rc`, prints kube's columns, and takes its pods
// with it when deleted — with both kubectls.
func TestReplicationControllerKeepsAndScalesItsPods(t *testing.T) {
	t.Parallel()
	c := testcluster.StartCascade(t)
	cs := c.Client("admin")
	ctx := context.Background()
	i := 0
	for name, bin := range kubectls(t) {
		i++
		rc := fmt.Sprintf("web%d", i)
		if out, err := c.Kubectl(bin, "admin", fmt.Sprintf(rcManifest, rc, rc, rc), "create", "-f", "-"); err != nil {
			t.Fatalf("%s create: %v\n%s", name, err, out)
		}
		waitUntil(t, "three running pods of "+rc, func() bool { return len(ownedBy(t, cs, rc)) == 3 })
		victim := ownedBy(t, cs, rc)[0].Name
		if err := cs.CoreV1().Pods("default").Delete(ctx, victim, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "a replacement for "+victim, func() bool {
			pods := ownedBy(t, cs, rc)
			for _, p := range pods {
				if p.Name == victim {
					return false
				}
			}
			return len(pods) == 3
		})
		if out, err := c.Kubectl(bin, "admin", "", "scale", "rc", rc, "--replicas=5"); err != nil || !strings.Contains(out, "replicationcontroller/"+rc+" scaled") {
			t.Fatalf("%s scale: %v\n%s", name, err, out)
		}
		waitUntil(t, "five running pods of "+rc, func() bool { return len(ownedBy(t, cs, rc)) == 5 })
		waitUntil(t, rc+"'s status to count five ready", func() bool {
			got, err := cs.CoreV1().ReplicationControllers("default").Get(ctx, rc, metav1.GetOptions{})
			return err == nil && got.Status.ReadyReplicas == 5 && got.Status.ObservedGeneration == got.Generation
		})
		out, err := c.Kubectl(bin, "admin", "", "get", "rc", rc, "-o", "wide")
		if err != nil || !regexp.MustCompile(`NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\n`+rc+`\s+5\s+5\s+5\s+\S+\s+web\s+nginx\s+app=`+rc).MatchString(out) {
			t.Errorf("%s get rc -o wide: %v\n%s", name, err, out)
		}
		waitUntil(t, "a SuccessfulCreate Event on "+rc+" from replication-controller", func() bool {
			l, err := cs.CoreV1().Events("default").List(ctx, metav1.ListOptions{
				FieldSelector: "involvedObject.kind=ReplicationController,involvedObject.name=" + rc + ",reason=SuccessfulCreate"})
			return err == nil && len(l.Items) > 0 && l.Items[0].Source.Component == "replication-controller"
		})
		if out, err := c.Kubectl(bin, "admin", "", "delete", "rc", rc); err != nil {
			t.Fatalf("%s delete: %v\n%s", name, err, out)
		}
		waitUntil(t, rc+"'s pods to go with it", func() bool {
			l, err := cs.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=" + rc})
			return err == nil && len(l.Items) == 0
		})
	}
}
