package controlplane_test

// A StatefulSet's stable storage, through both kubectls: each ordinal gets
// its own claim from volumeClaimTemplates, a replacement pod mounts the same
// claim again, and the retention policy decides what a scale-down and a
// delete of the set leave behind.

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

const claimedSet = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: %[1]s
spec:
  serviceName: %[1]s
  replicas: 2
  persistentVolumeClaimRetentionPolicy: {whenScaled: %[2]s, whenDeleted: %[2]s}
  selector:
    matchLabels: {app: %[1]s}
  template:
    metadata:
      labels: {app: %[1]s}
    spec:
      containers:
      - name: db
        image: postgres:17
        volumeMounts:
        - {name: data, mountPath: /var/lib/postgresql/data}
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests: {storage: 1Gi}
`

func TestStatefulSetPodsKeepTheirOwnClaimsAndTheRetentionPolicyDecidesWhatStays(t *testing.T) {
	t.Parallel()
	c := testcluster.StartCascade(t)
	cs := c.Client("admin")
	ctx := context.Background()
	claim := func(name string) (*corev1.PersistentVolumeClaim, error) {
		return cs.CoreV1().PersistentVolumeClaims("default").Get(ctx, name, metav1.GetOptions{})
	}
	running := func(name string, uid string) func() bool {
		return func() bool {
			p, err := cs.CoreV1().Pods("default").Get(ctx, name, metav1.GetOptions{})
			return err == nil && string(p.UID) != uid && p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning
		}
	}
	gone := func(name string) func() bool {
		return func() bool {
			_, err := claim(name)
			return apierrors.IsNotFound(err)
		}
	}
	policies := map[string]string{"glassplane kubectl": "Retain", "/usr/bin/kubectl": "Delete"}
	for bin, path := range kubectls(t) {
		policy := policies[bin]
		set := strings.ToLower(policy)
		run := func(stdin string, args ...string) {
			t.Helper()
			if out, err := c.Kubectl(path, "admin", stdin, args...); err != nil {
				t.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, out)
			}
		}
		run(fmt.Sprintf(claimedSet, set, policy), "apply", "-f", "-")
		waitUntil(t, set+"-0 and "+set+"-1 running", func() bool { return running(set+"-0", "")() && running(set+"-1", "")() })
		first, err := claim("data-" + set + "-0")
		if err != nil || first.Status.Phase != corev1.ClaimBound || first.Labels["app"] != set {
			t.Fatalf("%s: claim data-%s-0: %v %+v", bin, set, err, first)
		}
		pod, err := cs.CoreV1().Pods("default").Get(ctx, set+"-0", metav1.GetOptions{})
		if err != nil || len(pod.Spec.Volumes) == 0 || pod.Spec.Volumes[0].PersistentVolumeClaim == nil ||
			pod.Spec.Volumes[0].PersistentVolumeClaim.ClaimName != "data-"+set+"-0" {
			t.Fatalf("%s: pod %s-0 does not mount its claim: %v %+v", bin, set, err, pod.Spec.Volumes)
		}
		owned := len(first.OwnerReferences) > 0
		if owned != (policy == "Delete") {
			t.Errorf("%s: with whenDeleted %s, claim owners = %+v", bin, policy, first.OwnerReferences)
		}

		// Not kubectl's own wait: kubectl v1.32 reads the pod, then lists it
		// by name and waits for a DELETED event. Here the kubelet stops the
		// pod and the controller makes the new delete-0 within milliseconds;
		// when both land between that read and that list, the list finds the
		// new pod and v1.32 waits for its deletion for ever (later kubectls
		// compare the listed pod's UID too). The wait below checks for a new
		// pod by UID instead.
		run("", "delete", "pod", set+"-0", "--wait=false")
		waitUntil(t, "a new "+set+"-0 running", running(set+"-0", string(pod.UID)))
		again, err := claim("data-" + set + "-0")
		if err != nil || again.UID != first.UID {
			t.Fatalf("%s: the new %s-0 has claim %v %v, want the first one (%s)", bin, set, err, again, first.UID)
		}

		run("", "scale", "statefulset", set, "--replicas=1")
		waitUntil(t, set+"-1 deleted", func() bool {
			_, err := cs.CoreV1().Pods("default").Get(ctx, set+"-1", metav1.GetOptions{})
			return apierrors.IsNotFound(err)
		})
		if policy == "Retain" {
			if _, err := claim("data-" + set + "-1"); err != nil {
				t.Errorf("%s: whenScaled Retain lost data-%s-1: %v", bin, set, err)
			}
		} else {
			waitUntil(t, "data-"+set+"-1 deleted after the scale-down", gone("data-"+set+"-1"))
		}

		run("", "delete", "statefulset", set)
		if policy == "Retain" {
			waitUntil(t, set+"-0 deleted", func() bool {
				_, err := cs.CoreV1().Pods("default").Get(ctx, set+"-0", metav1.GetOptions{})
				return apierrors.IsNotFound(err)
			})
			if _, err := claim("data-" + set + "-0"); err != nil {
				t.Errorf("%s: whenDeleted Retain lost data-%s-0: %v", bin, set, err)
			}
		} else {
			waitUntil(t, "data-"+set+"-0 deleted with its set", gone("data-"+set+"-0"))
		}
	}
}
