package statefulset

// A StatefulSet's pods have identities. Where a ReplicaSet's pods are
// interchangeable (web-7f9c4-xk2p9, whichever), a StatefulSet's are numbered:
// web-0, web-1, … web-(N−1), each with a hostname of its own name and the
// set's governing Service as subdomain, so web-0 can be reached as
// web-0.<serviceName> for as long as the set lives — a replacement for
// web-0 is web-0 again. That is what a database's members need to find each
// other and to keep their data: each ordinal also gets its own
// PersistentVolumeClaims, from volumeClaimTemplates (claims.go), which a
// replacement web-0 mounts again.

import (
	"regexp"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// statefulPodRegex splits a pod name into its set's name and its ordinal.
var statefulPodRegex = regexp.MustCompile("(.*)-([0-9]+)$")

// parentAndOrdinal returns the set name and ordinal of a pod's name, or
// ordinal -1 for a name that is not <set>-<ordinal>.
func parentAndOrdinal(name string) (string, int) {
	m := statefulPodRegex.FindStringSubmatch(name)
	if len(m) != 3 {
		return "", -1
	}
	i, err := strconv.ParseInt(m[2], 10, 32)
	if err != nil {
		return "", -1
	}
	return m[1], int(i)
}

// isMemberOf: pod is named for set.
func isMemberOf(set *appsv1.StatefulSet, pod *corev1.Pod) bool {
	parent, _ := parentAndOrdinal(pod.Name)
	return parent == set.Name
}

// podName is the name of set's pod with ordinal i.
func podName(set *appsv1.StatefulSet, i int) string {
	return set.Name + "-" + strconv.Itoa(i)
}

// newStatefulSetPod is the pod with ordinal i, from template (the set's, or
// that of an older revision), labelled with its revision.
func newStatefulSetPod(set *appsv1.StatefulSet, template *corev1.PodTemplateSpec, revision string, i int) *corev1.Pod {
	t := template.DeepCopy()
	name := podName(set, i)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: set.Namespace,
			Labels: labels.Merge(t.Labels, labels.Set{
				appsv1.StatefulSetPodNameLabel:  name,
				appsv1.PodIndexLabel:            strconv.Itoa(i),
				appsv1.StatefulSetRevisionLabel: revision,
			}),
			Annotations:     t.Annotations,
			Finalizers:      t.Finalizers,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(set, controllerKind)},
		},
		Spec: t.Spec,
	}
	pod.Spec.Hostname, pod.Spec.Subdomain = name, set.Spec.ServiceName
	mountClaims(set, pod, i)
	return pod
}

func revisionOf(pod *corev1.Pod) string {
	return pod.Labels[appsv1.StatefulSetRevisionLabel]
}

func isTerminating(pod *corev1.Pod) bool { return pod.DeletionTimestamp != nil }

func isFinished(pod *corev1.Pod) bool {
	return pod.Status.Phase == corev1.PodFailed || pod.Status.Phase == corev1.PodSucceeded
}

// isRunningAndReady: what OrderedReady waits for before the next ordinal.
func isRunningAndReady(pod *corev1.Pod) bool {
	if pod.Status.Phase != corev1.PodRunning {
		return false
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func isHealthy(pod *corev1.Pod) bool { return isRunningAndReady(pod) && !isTerminating(pod) }
