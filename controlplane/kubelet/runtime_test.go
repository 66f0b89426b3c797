package kubelet

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

func TestImageRefQualifiesNamesLikeContainerd(t *testing.T) {
	for name, want := range map[string]string{
		"nginx":                      "docker.io/library/nginx:latest",
		"nginx:1.25":                 "docker.io/library/nginx:1.25",
		"zxcvbnius/docker-demo":      "docker.io/zxcvbnius/docker-demo:latest",
		"registry.k8s.io/pause:3.10": "registry.k8s.io/pause:3.10",
		"localhost:5000/app":         "localhost:5000/app:latest",
	} {
		if got := imageRef(name); got != want {
			t.Errorf("imageRef(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestImageIDIsStableAndNamesTheRepository(t *testing.T) {
	a, b := imageOf("docker.io/library/nginx:latest"), imageOf("docker.io/library/nginx:latest")
	if a != b || !strings.HasPrefix(a.id, "docker.io/library/nginx@sha256:") || a.size <= 0 {
		t.Errorf("imageOf gave %+v and %+v", a, b)
	}
}

func TestMissingImages(t *testing.T) {
	for name, missing := range map[string]bool{"nginx": false, "nginx:fail": true, "me/notfound": true, "failover": false} {
		if got := imageMissing(name); got != missing {
			t.Errorf("imageMissing(%q) = %v", name, got)
		}
	}
}

func TestWhichContainersExitByThemselvesWithWhichCodeAndWhen(t *testing.T) {
	cases := []struct {
		name  string
		c     corev1.Container
		exits bool
		code  int32
		runs  time.Duration
	}{
		{"an app image runs forever", corev1.Container{Image: "nginx"}, false, 0, 0},
		{"exit 1 exits with 1", corev1.Container{Image: "busybox", Command: []string{"sh", "-c", "exit 1"}}, true, 1, time.Second},
		{"an app with an exit command exits", corev1.Container{Image: "node", Args: []string{"sh", "-c", "exit 3"}}, true, 3, time.Second},
		{"a shell that echoes ends with 0", corev1.Container{Image: "busybox", Command: []string{"echo", "hi"}}, true, 0, time.Second},
		{"a shell image with no command ends at once", corev1.Container{Image: "busybox"}, true, 0, time.Second},
		{"a shell image on an open stdin waits for input", corev1.Container{Image: "busybox", Stdin: true, TTY: true}, false, 0, 0},
		{"sh on an open stdin waits for input", corev1.Container{Image: "alpine", Command: []string{"sh"}, Stdin: true}, false, 0, 0},
		{"a script on an open stdin still ends", corev1.Container{Image: "busybox", Command: []string{"sh", "-c", "echo hi"}, Stdin: true}, true, 0, time.Second},
		{"sleep 5 ends after its sleep", corev1.Container{Image: "busybox", Command: []string{"sleep", "5"}}, true, 0, 6 * time.Second},
		{"sleep 2m counts minutes", corev1.Container{Image: "busybox", Command: []string{"sh", "-c", "sleep 2m; echo done"}}, true, 0, 121 * time.Second},
		{"false ends with 1", corev1.Container{Image: "busybox", Command: []string{"false"}}, true, 1, time.Second},
		{"a script whose last command is false ends with 1", corev1.Container{Image: "busybox", Command: []string{"sh", "-c", "echo try; false"}}, true, 1, time.Second},
		{"false then echo ends with 0", corev1.Container{Image: "busybox", Command: []string{"sh", "-c", "false; echo ok"}}, true, 0, time.Second},
		{"false && … stops the chain with 1", corev1.Container{Image: "busybox", Command: []string{"sh", "-c", "false && echo never"}}, true, 1, time.Second},
		{"the Job example's perl computes and ends", corev1.Container{Image: "perl:5.34.0", Command: []string{"perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"}}, true, 0, time.Second},
		{"a script that ends by starting a server keeps running", corev1.Container{Image: "nginx", Command: []string{"sh", "-c", "echo start; nginx -g 'daemon off;'"}}, false, 0, 0},
		{"sleep infinity keeps running", corev1.Container{Image: "busybox", Command: []string{"sleep", "infinity"}}, false, 0, 0},
		{"a loop keeps running", corev1.Container{Image: "alpine:3", Args: []string{"sh", "-c", "while true; do date; done"}}, false, 0, 0},
	}
	for _, tc := range cases {
		p := processOf(&tc.c)
		if p.exits != tc.exits || p.code != tc.code || p.runs != tc.runs {
			t.Errorf("%s: got exits=%v code=%d after %v, want exits=%v code=%d after %v", tc.name, p.exits, p.code, p.runs, tc.exits, tc.code, tc.runs)
		}
	}
}

func TestRestartBackOffDoublesFromTheSecondRestart(t *testing.T) {
	k := &Kubelet{opts: Options{BackOff: 10 * time.Second, MaxBackOff: 5 * time.Minute}}
	want := []time.Duration{0, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 160 * time.Second, 5 * time.Minute, 5 * time.Minute}
	for i, w := range want {
		if got := k.backOff(int32(i + 1)); got != w {
			t.Errorf("restart %d: back-off %v, want %v", i+1, got, w)
		}
	}
}

func TestRestartPolicy(t *testing.T) {
	cases := []struct {
		policy corev1.RestartPolicy
		code   int32
		want   bool
	}{
		{corev1.RestartPolicyAlways, 0, true}, {corev1.RestartPolicyAlways, 1, true},
		{corev1.RestartPolicyOnFailure, 0, false}, {corev1.RestartPolicyOnFailure, 2, true},
		{corev1.RestartPolicyNever, 1, false},
	}
	for _, tc := range cases {
		if got := restarts(tc.policy, tc.code); got != tc.want {
			t.Errorf("restarts(%s, %d) = %v", tc.policy, tc.code, got)
		}
	}
}
