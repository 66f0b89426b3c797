package kubelet

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/utils/ptr"
)

func texts(lines []logLine) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.text + "\n")
	}
	return b.String()
}

func TestContainerLogsLookLikeTheImage(t *testing.T) {
	start := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	cases := []struct {
		name, image string
		cmd         []string
		want        []string
	}{
		{"the seed's demo app", "zxcvbnius/docker-demo", nil, []string{"> myapp@0.0.1 start /app", "> node index.js", "Example app listening at http://:::3000"}},
		{"nginx with its version", "nginx:1.25", nil, []string{"Configuration complete; ready for start up", "2026/03/01 09:30:00 [notice] 1#1: nginx/1.25.0", "start worker process 32"}},
		{"a shell's echo", "busybox", []string{"sh", "-c", "echo hello from busybox; exit 1"}, []string{"hello from busybox"}},
		{"anything else names its image", "redis:7", nil, []string{`"docker.io/library/redis:7"`}},
	}
	for _, tc := range cases {
		c := &corev1.Container{Name: "app", Image: tc.image, Command: tc.cmd}
		out := texts(containerLog(c, imageRef(tc.image), start, 4))
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: log lacks %q:\n%s", tc.name, w, out)
			}
		}
	}
}

func TestLogsAnswerLikeAKubelet(t *testing.T) {
	k := New(nil, nil, NodeOptions(1))
	pod := testPod()
	k.running = true
	if _, err := k.Logs(pod, "web", &corev1.PodLogOptions{}); !apierrors.IsBadRequest(err) || !strings.Contains(err.Error(), "is waiting to start: ContainerCreating") {
		t.Errorf("logs of a pod not yet started: %v", err)
	}
	sb, _ := k.runtime.sandbox(pod)
	c := sb.containers["web"]
	c.startedAt = time.Now()
	c.log = containerLog(&pod.Spec.Containers[0], "docker.io/library/nginx:latest", c.startedAt, 2)
	out, err := k.Logs(pod, "web", &corev1.PodLogOptions{TailLines: ptr.To[int64](2)})
	if err != nil || strings.Count(string(out), "\n") != 2 || !strings.Contains(string(out), "start worker process 30") {
		t.Errorf("tail 2 gave %q, %v", out, err)
	}
	if _, err := k.Logs(pod, "web", &corev1.PodLogOptions{Previous: true}); !apierrors.IsBadRequest(err) {
		t.Errorf("previous logs of a container never restarted: %v", err)
	}
	k.running = false
	if _, err := k.Logs(pod, "web", &corev1.PodLogOptions{}); err == nil || !strings.Contains(err.Error(), "192.168.49.11:10250") {
		t.Errorf("logs from a stopped kubelet: %v", err)
	}
}

func TestTheDocumentationsPiJobPrintsPi(t *testing.T) {
	c := &corev1.Container{Image: "perl:5.34.0", Command: []string{"perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"}}
	got := piDigits(c)
	if len(got) != 2001 || !strings.HasPrefix(got, "3.14159265358979323846264338327950288419716939937510") {
		t.Fatalf("bpi(2000) printed %d characters starting %.60q", len(got), got)
	}
	// π's decimals 1990–1999 are 4780275900, followed by 99…: rounded, …01.
	if !strings.HasSuffix(got, "4780275901") {
		t.Errorf("bpi(2000) ends %q", got[len(got)-10:])
	}
}
