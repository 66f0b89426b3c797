package kubelet

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func testPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", UID: "uid-1", Generation: 1},
		Spec: corev1.PodSpec{NodeName: "node-1", RestartPolicy: corev1.RestartPolicyAlways,
			Containers: []corev1.Container{{Name: "web", Image: "nginx"}}},
		Status: corev1.PodStatus{Phase: corev1.PodPending, QOSClass: corev1.PodQOSBestEffort},
	}
}

func condition(st corev1.PodStatus, t corev1.PodConditionType) corev1.PodCondition {
	for _, c := range st.Conditions {
		if c.Type == t {
			return c
		}
	}
	return corev1.PodCondition{}
}

func TestStatusBeforeTheSandboxIsPendingContainerCreating(t *testing.T) {
	st := podStatus(testPod(), nil, "192.168.49.11", false, time.Now())
	if st.Phase != corev1.PodPending || st.HostIP != "192.168.49.11" || st.PodIP != "" {
		t.Errorf("phase %s hostIP %q podIP %q", st.Phase, st.HostIP, st.PodIP)
	}
	if w := st.ContainerStatuses[0].State.Waiting; w == nil || w.Reason != "ContainerCreating" {
		t.Errorf("container state %+v, want waiting ContainerCreating", st.ContainerStatuses[0].State)
	}
	ready := condition(st, corev1.PodReady)
	if ready.Status != corev1.ConditionFalse || ready.Reason != "ContainersNotReady" || ready.Message != "containers with unready status: [web]" {
		t.Errorf("Ready condition %+v", ready)
	}
	if st.QOSClass != corev1.PodQOSBestEffort {
		t.Errorf("the QoS class the API server set was lost")
	}
}

func TestStatusOfARunningPodIsReadyWithItsIP(t *testing.T) {
	now := time.Now()
	img := imageOf("docker.io/library/nginx:latest")
	sb := &sandbox{uid: "uid-1", ip: "10.244.1.2", created: now, containers: map[string]*container{
		"web": {name: "web", image: img, id: "glassplane-sim://abc", startedAt: now}}}
	st := podStatus(testPod(), sb, "192.168.49.11", false, now)
	if st.Phase != corev1.PodRunning || st.PodIP != "10.244.1.2" || len(st.PodIPs) != 1 || st.StartTime == nil {
		t.Fatalf("status %+v", st)
	}
	cs := st.ContainerStatuses[0]
	if !cs.Ready || cs.Started == nil || !*cs.Started || cs.State.Running == nil || cs.ImageID != img.id || cs.ContainerID == "" {
		t.Errorf("container status %+v", cs)
	}
	var types []corev1.PodConditionType
	for _, c := range st.Conditions {
		types = append(types, c.Type)
		if c.Status != corev1.ConditionTrue {
			t.Errorf("condition %s is %s", c.Type, c.Status)
		}
	}
	want := []corev1.PodConditionType{corev1.PodReadyToStartContainers, corev1.PodInitialized, corev1.PodReady, corev1.ContainersReady, corev1.PodScheduled}
	if len(types) != len(want) {
		t.Fatalf("conditions %v, want %v", types, want)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Errorf("conditions %v, want %v", types, want)
		}
	}
}

func TestStatusKeepsTransitionTimesAndOthersConditions(t *testing.T) {
	then := metav1.NewTime(time.Now().Add(-time.Hour).Truncate(time.Second))
	pod := testPod()
	pod.Status.Conditions = []corev1.PodCondition{
		{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: then},
		{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue, Reason: "DeletionByTaintManager"},
	}
	st := podStatus(pod, nil, "192.168.49.11", false, time.Now())
	if c := condition(st, corev1.PodScheduled); !c.LastTransitionTime.Equal(&then) {
		t.Errorf("PodScheduled moved its transition time to %v", c.LastTransitionTime)
	}
	if c := condition(st, corev1.DisruptionTarget); c.Reason != "DeletionByTaintManager" {
		t.Errorf("the DisruptionTarget condition was lost: %+v", st.Conditions)
	}
}

func TestPodPhase(t *testing.T) {
	running := corev1.ContainerStatus{State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
	exited := func(code int32) corev1.ContainerStatus {
		return corev1.ContainerStatus{State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code}}}
	}
	crashLooping := corev1.ContainerStatus{State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
		LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1}}}
	creating := corev1.ContainerStatus{State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}}
	cases := []struct {
		name        string
		policy      corev1.RestartPolicy
		statuses    []corev1.ContainerStatus
		terminating bool
		want        corev1.PodPhase
	}{
		{"not started is Pending", corev1.RestartPolicyAlways, []corev1.ContainerStatus{creating}, false, corev1.PodPending},
		{"running is Running", corev1.RestartPolicyAlways, []corev1.ContainerStatus{running}, false, corev1.PodRunning},
		{"crash looping is Running", corev1.RestartPolicyAlways, []corev1.ContainerStatus{crashLooping}, false, corev1.PodRunning},
		{"exit 1 with Never is Failed", corev1.RestartPolicyNever, []corev1.ContainerStatus{exited(1)}, false, corev1.PodFailed},
		{"exit 0 with Never is Succeeded", corev1.RestartPolicyNever, []corev1.ContainerStatus{exited(0)}, false, corev1.PodSucceeded},
		{"exit 0 with OnFailure is Succeeded", corev1.RestartPolicyOnFailure, []corev1.ContainerStatus{exited(0)}, false, corev1.PodSucceeded},
		{"stopped for deletion is Succeeded", corev1.RestartPolicyAlways, []corev1.ContainerStatus{exited(0)}, true, corev1.PodSucceeded},
	}
	for _, tc := range cases {
		if got := podPhase(tc.policy, tc.statuses, tc.terminating); got != tc.want {
			t.Errorf("%s: got %s", tc.name, got)
		}
	}
}
