package kubelet

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestSimulatedAppAnswersAsItsImageWouldAndSaysItIsSimulated(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web"}}
	cases := []struct {
		name, image, path string
		code              int
		server, body      string
		logged            string
	}{
		{"nginx's welcome page", "nginx:1.27", "/", 200, "nginx/1.27.0", "<h1>Welcome to nginx!</h1>", `"GET / HTTP/1.1" 200`},
		{"nginx's 404 for a page it lacks", "nginx", "/nosuch", 404, "nginx/1.27.3", "<hr><center>nginx/1.27.3</center>", `"GET /nosuch HTTP/1.1" 404`},
		{"the demo app's greeting", "zxcvbnius/docker-demo", "/", 200, "", "Hello World!", ""},
		{"any other image says it is simulated", "redis:7", "/", 200, "", "This container is simulated by Glassplane", ""},
	}
	for _, tc := range cases {
		var logged []string
		c := &corev1.Container{Name: "app", Image: tc.image}
		a := &app{pod: pod, container: c, ref: imageRef(tc.image), port: 80, now: time.Now,
			accessLog: func(line string) { logged = append(logged, line) }}
		client, server := net.Pipe()
		done := make(chan struct{})
		go func() { defer close(done); a.serve(server); server.Close() }()
		req, _ := http.NewRequest("GET", "http://localhost"+tc.path, nil)
		req.Close = true
		go func() { _ = req.Write(client) }()
		resp, err := http.ReadResponse(bufio.NewReader(client), req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		client.Close()
		<-done
		if resp.StatusCode != tc.code || resp.Header.Get("Server") != tc.server || !strings.Contains(string(body), tc.body) ||
			resp.Header.Get("X-Simulated-By") != "glassplane" {
			t.Errorf("%s: %d %v\n%s", tc.name, resp.StatusCode, resp.Header, body)
		}
		if tc.logged != "" && (len(logged) != 1 || !strings.Contains(logged[0], tc.logged)) {
			t.Errorf("%s: access log %q, want a line with %q", tc.name, logged, tc.logged)
		}
	}
}

func TestAContainerListensOnItsDeclaredPortsAndItsImagesOwn(t *testing.T) {
	for _, tc := range []struct {
		name   string
		c      corev1.Container
		port   int32
		listen bool
	}{
		{"nginx listens on 80 undeclared", corev1.Container{Image: "nginx"}, 80, true},
		{"nginx does not listen on 81", corev1.Container{Image: "nginx"}, 81, false},
		{"a declared port", corev1.Container{Image: "redis", Ports: []corev1.ContainerPort{{ContainerPort: 6379}}}, 6379, true},
		{"a declared UDP port takes no TCP", corev1.Container{Image: "coredns", Ports: []corev1.ContainerPort{{ContainerPort: 53, Protocol: corev1.ProtocolUDP}}}, 53, false},
		{"the demo app listens on 3000", corev1.Container{Image: "zxcvbnius/docker-demo"}, 3000, true},
	} {
		if got := listensOn(&tc.c, imageRef(tc.c.Image), tc.port); got != tc.listen {
			t.Errorf("%s: listens on %d = %v", tc.name, tc.port, got)
		}
	}
}
