package kubelet

// The simulated app behind a container's port. A real container runs a
// process that listens on its ports; a simulated one has none, so when a
// connection reaches a port (through `kubectl port-forward`) the runtime
// answers for the app its image would run: nginx's welcome page for an
// nginx image, the seed article's demo app's greeting, and for any other
// image a line of text saying the answer is simulated. Every answer carries
// an X-Simulated-By header, so no one mistakes it for the real app. Like
// nginx, the simulated nginx writes one access-log line per request, which
// `kubectl logs` and `kubectl attach` then show.
//
// Which ports a container listens on: those its spec declares (TCP), and
// the port its image's app listens on whether declared or not (nginx: 80,
// the demo app: 3000), as a real process would.

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// imagePorts are the ports the apps of known images listen on.
var imagePorts = map[string]int32{
	"docker.io/library/nginx":         80,
	"docker.io/zxcvbnius/docker-demo": 3000,
}

// listensOn reports whether container c, of image ref, listens on port.
func listensOn(c *corev1.Container, ref string, port int32) bool {
	if imagePorts[repository(ref)] == port {
		return true
	}
	for _, p := range c.Ports {
		if p.ContainerPort == port && (p.Protocol == "" || p.Protocol == corev1.ProtocolTCP) {
			return true
		}
	}
	return false
}

// app is the simulated process of one container answering on one port.
type app struct {
	pod       *corev1.Pod
	container *corev1.Container
	ref       string
	port      int32
	now       func() time.Time
	// accessLog receives nginx's access-log line for each request.
	accessLog func(line string)
}

// serve answers the HTTP requests that arrive on conn until the client
// closes it or sends something that is not HTTP (the app then hangs up).
func (a *app) serve(conn io.ReadWriter) {
	in := bufio.NewReader(conn)
	for {
		req, err := http.ReadRequest(in)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
		resp := a.answer(req)
		if err := resp.Write(conn); err != nil || req.Close {
			return
		}
	}
}

// answer is the app's response to req.
func (a *app) answer(req *http.Request) *http.Response {
	var code int
	var contentType, body string
	header := http.Header{}
	switch repository(a.ref) {
	case "docker.io/library/nginx":
		version := nginxVersion(a.ref)
		header.Set("Server", "nginx/"+version)
		contentType = "text/html"
		code, body = http.StatusOK, nginxWelcome
		if req.URL.Path != "/" && req.URL.Path != "/index.html" {
			code, body = http.StatusNotFound, fmt.Sprintf(nginxNotFound, version)
		}
		a.logRequest(req, code, len(body))
	case "docker.io/zxcvbnius/docker-demo":
		header.Set("X-Powered-By", "Express")
		contentType = "text/html; charset=utf-8"
		code, body = http.StatusOK, "Hello World!"
	default:
		contentType = "text/plain; charset=utf-8"
		code, body = http.StatusOK, fmt.Sprintf("Hello from pod %s, container %s (image %s), port %d.\n"+
			"This container is simulated by Glassplane: no process of its image runs, so Glassplane answers for it.\n",
			a.pod.Name, a.container.Name, a.ref, a.port)
	}
	header.Set("Content-Type", contentType)
	header.Set("Date", a.now().UTC().Format(http.TimeFormat))
	header.Set("X-Simulated-By", "glassplane")
	return &http.Response{StatusCode: code, ProtoMajor: 1, ProtoMinor: 1, Request: req, Header: header,
		ContentLength: int64(len(body)), Body: io.NopCloser(strings.NewReader(body)), Close: req.Close}
}

// logRequest writes nginx's access-log line (its "combined" format) for a
// request that came, as port-forwarded connections do, from inside the
// pod's network namespace.
func (a *app) logRequest(req *http.Request, code, size int) {
	if a.accessLog == nil {
		return
	}
	ua := req.UserAgent()
	if ua == "" {
		ua = "-"
	}
	a.accessLog(fmt.Sprintf(`127.0.0.1 - - [%s] "%s %s %s" %d %s "-" "%s" "-"`,
		a.now().UTC().Format("02/Jan/2006:15:04:05 -0700"), req.Method, req.RequestURI, req.Proto, code, strconv.Itoa(size), ua))
}

// nginxWelcome is the official image's /usr/share/nginx/html/index.html,
// with a comment saying who served it.
const nginxWelcome = `<!DOCTYPE html>
<!-- Simulated by Glassplane: no nginx runs here; this is the page nginx would serve. -->
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`

const nginxNotFound = `<html>
<head><title>404 Not Found</title></head>
<body>
<center><h1>404 Not Found</h1></center>
<hr><center>nginx/%s</center>
</body>
</html>
`
