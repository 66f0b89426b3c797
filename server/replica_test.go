package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/etcd"
	"github.com/glassplane/glassplane/controlplane/steps"
	"github.com/glassplane/glassplane/controlplane/testcluster"
	"github.com/glassplane/glassplane/server"
	"github.com/glassplane/glassplane/server/clienttest"
)

// testReplica is one Glassplane replica of a shared etcd, with an etcd
// client of its own, so the test can cut it off as a crash would.
type testReplica struct {
	etcd      *etcd.Etcd
	sandboxes *server.Sandboxes
	web       *server.Web
	front     *server.FrontDoor
	stopped   sync.Once
}

// fastStart starts a sandbox with the test timings.
func fastStart(ctx context.Context, cfg controlplane.Config) (*controlplane.Cluster, error) {
	cfg.Fast = true
	return controlplane.Start(ctx, cfg)
}

func startReplica(t *testing.T, shared *etcd.Etcd, lb *testcluster.Balancer) *testReplica {
	t.Helper()
	e, err := etcd.Start(context.Background(), etcd.Config{Endpoints: shared.ClientURLs()})
	if err != nil {
		t.Fatal(err)
	}
	sbs := server.NewSandboxes(e, t.TempDir(), "127.0.0.1", time.Hour, fastStart, server.WithReplica(time.Second))
	sbs.StartReaping()
	w, err := server.Start(server.Config{Listen: "127.0.0.1:0", Sandboxes: sbs, JoinCode: testJoinCode, TeacherPasscode: testPasscode})
	if err != nil {
		t.Fatal(err)
	}
	front, err := sbs.StartFrontDoor("127.0.0.1:0", lb.Addr)
	if err != nil {
		t.Fatal(err)
	}
	lb.Add(front.Addr)
	if err := sbs.StartReplica(context.Background(), server.Owner{Web: w.Addr, API: front.Addr}); err != nil {
		t.Fatal(err)
	}
	r := &testReplica{etcd: e, sandboxes: sbs, web: w, front: front}
	t.Cleanup(r.stop)
	return r
}

// crash cuts the replica off etcd, as kill -9 would: its session is not
// revoked, so the others wait out its TTL before one takes its sandboxes.
func (r *testReplica) crash() {
	_ = r.etcd.Close()
	r.stop()
}

func (r *testReplica) stop() {
	r.stopped.Do(func() {
		_ = r.web.Close()
		_ = r.front.Close()
		r.sandboxes.Close()
		_ = r.etcd.Close()
	})
}

// call makes an app API request to the replica, retrying while it says the
// sandbox is moving between replicas (503).
func (r *testReplica) call(t *testing.T, method, path, token, body string) (int, []byte) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequest(method, "http://"+r.web.Addr+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if strings.HasPrefix(body, "{") {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || time.Now().After(deadline) {
			return resp.StatusCode, out
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// dialStream opens the sandbox's step stream through the replica, retrying
// while the sandbox is between owners.
func (r *testReplica) dialStream(t *testing.T, id, token string, since uint64) *websocket.Conn {
	t.Helper()
	hdr := http.Header{"Authorization": {"Bearer " + token}}
	url := fmt.Sprintf("ws://%s/glassplane/v1/sandboxes/%s/stream?since=%d", r.web.Addr, id, since)
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, resp, err := websocket.DefaultDialer.Dial(url, hdr)
		if err == nil {
			return conn
		}
		if resp == nil || resp.StatusCode != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("opening the stream through %s: %v", r.web.Addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A sandbox created through one replica is used through another, and when
// the replica that runs it dies in the middle of the seed's cascade,
// another takes it over: the Deployment acknowledged before the crash
// becomes a Running pod, the kubeconfig handed out before still opens it
// (through the front door), and the browser's stream goes on from its last
// seq.
func TestASandboxOutlivesTheReplicaThatRanIt(t *testing.T) {
	t.Parallel()
	shared := testcluster.Start(t).Etcd
	lb := testcluster.StartBalancer(t) // in front of both replicas' front doors
	a, b := startReplica(t, shared, lb), startReplica(t, shared, lb)

	code, body := a.call(t, "POST", "/glassplane/v1/sandboxes", "", `{"joinCode":"`+testJoinCode+`","name":"Ada"}`)
	if code != http.StatusCreated {
		t.Fatalf("creating a sandbox through replica A: %d %s", code, body)
	}
	var created struct{ ID, Token string }
	_ = json.Unmarshal(body, &created)
	if _, ok := a.sandboxes.Get(created.ID); !ok {
		t.Fatal("the replica that created the sandbox does not run it")
	}
	if _, ok := b.sandboxes.Get(created.ID); ok {
		t.Fatal("both replicas run the sandbox")
	}
	sandbox := "/glassplane/v1/sandboxes/" + created.ID

	// Through B: the kubeconfig, the stream and the Apply button reach
	// the sandbox A runs.
	code, kc := b.call(t, "GET", sandbox+"/kubeconfig", created.Token, "")
	if code != http.StatusOK {
		t.Fatalf("the kubeconfig through replica B: %d %s", code, kc)
	}
	conn := b.dialStream(t, created.ID, created.Token, 0)
	seed, err := os.ReadFile("../controlplane/testdata/hello-deployment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if code, body := b.call(t, "POST", sandbox+"/apply", created.Token, string(seed)); code != http.StatusCreated {
		t.Fatalf("applying the seed through replica B: %d %s", code, body)
	}
	// kubectl through B's front door reaches the API server A runs.
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kc)
	if err != nil {
		t.Fatal(err)
	}
	viaB := rest.CopyConfig(cfg)
	viaB.Host = "https://" + b.front.Addr
	if _, err := kubernetes.NewForConfigOrDie(viaB).AppsV1().Deployments("default").Get(context.Background(), "helloworld-deployment", metav1.GetOptions{}); err != nil {
		t.Fatalf("the seed's Deployment through replica B's front door: %v", err)
	}
	var last uint64
	readUntil(t, conn, func(s steps.Step) bool {
		last = s.Seq
		return s.Stage == steps.Store && s.Object.Name == "helloworld-deployment"
	})
	conn.Close()

	// A dies with the cascade under way.
	a.crash()

	// B takes the sandbox over and finishes the cascade.
	conn = b.dialStream(t, created.ID, created.Token, last)
	defer conn.Close()
	first := readUntil(t, conn, func(steps.Step) bool { return true })
	if first.Seq <= last {
		t.Errorf("after the failover the stream from seq %d began at %d, a number already given", last, first.Seq)
	}
	if _, ok := b.sandboxes.Get(created.ID); !ok {
		t.Fatal("replica B serves the stream but does not run the sandbox")
	}
	// The kubeconfig handed out before names the balancer, which reached
	// the sandbox at A then, through either replica's front door, and
	// reaches it at B now.
	cs := kubernetes.NewForConfigOrDie(cfg)
	deadline := time.Now().Add(60 * time.Second)
	for {
		pods, err := cs.CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{LabelSelector: "app=helloworld-pod"})
		if err == nil && len(pods.Items) == 1 && pods.Items[0].Status.Phase == corev1.PodRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the seed's pod is not Running on the new owner: %v %+v", err, pods)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// on points a browser at another replica, as a load balancer without
// sticky sessions may; its cookies go with it (they are per host).
func (b *browser) on(r *testReplica) *browser {
	b.Base = "http://" + r.web.Addr
	return b
}

// eventually retries check for a few seconds: a replica learns of another's
// change to the class through its etcd watch.
func eventually(t *testing.T, what string, check func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, why := check()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s", what, why)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A class spread over two replicas is one class: a teacher who logged in
// on one is a teacher on the other, whose roster lists the students both
// run; "follow me", a pushed lesson and a reset reach students whichever
// replica runs their sandbox and whichever one their page asks.
func TestAClassOverTwoReplicasIsOneClass(t *testing.T) {
	t.Parallel()
	shared := testcluster.Start(t).Etcd
	lb := testcluster.StartBalancer(t)
	a, b := startReplica(t, shared, lb), startReplica(t, shared, lb)

	teacher := newBrowserAt(t, a)
	if code, body := teacher.form("/teacher/login", url.Values{"passcode": {testPasscode}}); code != http.StatusSeeOther {
		t.Fatalf("the teacher logs in on A: %d %.200s", code, body)
	}
	if v := teacher.on(b).classView(); !v.Teacher || v.Sandbox == "" {
		t.Fatalf("on B the teacher's page does not know the session begun on A: %+v", v)
	}
	mine := teacher.classView().Sandbox

	students := map[string]*browser{}
	for name, r := range map[string]*testReplica{"Ada": a, "Brian": b} {
		s := newBrowserAt(t, r)
		if code, body := s.form("/join", url.Values{"name": {name}, "code": {testJoinCode}}); code != http.StatusSeeOther {
			t.Fatalf("%s joins: %d %.200s", name, code, body)
		}
		students[name] = s
	}
	ada, brian := students["Ada"].on(b).classView().Sandbox, students["Brian"].on(a).classView().Sandbox
	if ada == "" || brian == "" {
		t.Fatal("a student's session is unknown on the other replica")
	}
	if _, ok := a.sandboxes.Get(ada); !ok {
		t.Fatal("Ada's sandbox does not run on the replica she joined")
	}

	var roster []server.RosterEntry
	code, body := teacher.on(b).do("GET", "/glassplane/v1/classroom/roster", "", "")
	if err := json.Unmarshal([]byte(body), &roster); code != http.StatusOK || err != nil {
		t.Fatalf("the roster on B: %d %.300s", code, body)
	}
	var names []string
	for _, e := range roster {
		names = append(names, e.Name)
	}
	if strings.Join(names, ",") != "Teacher,Ada,Brian" || !roster[0].Teacher {
		t.Errorf("the roster on B lists %v, want the teacher, then Ada (on A) and Brian (on B)", names)
	}

	// Follow me, set on B, reaches Ada's page on A, and lets her read the
	// teacher's sandbox through either replica.
	if code, body := teacher.on(b).json("PUT", "/glassplane/v1/classroom/follow", map[string]string{"sandbox": mine}); code != http.StatusOK {
		t.Fatalf("follow me on B: %d %s", code, body)
	}
	eventually(t, "Ada's page on A follows the teacher", func() (bool, string) {
		v := students["Ada"].on(a).classView()
		return v.Follow == mine, v.Follow
	})
	for _, r := range []*testReplica{a, b} {
		if code, _ := students["Ada"].on(r).do("GET", "/glassplane/v1/sandboxes/"+mine+"/traces", "", ""); code != http.StatusOK {
			t.Errorf("Ada reads the followed sandbox through %s: %d", r.web.Addr, code)
		}
	}

	// A lesson pushed on A starts in Brian's sandbox, which B runs.
	if code, body := teacher.on(a).json("PUT", "/glassplane/v1/classroom/lesson", map[string]any{"lesson": "kubectl-create", "step": 2}); code != http.StatusOK {
		t.Fatalf("push on A: %d %s", code, body)
	}
	eventually(t, "the pushed lesson in Brian's sandbox", func() (bool, string) {
		code, body := students["Brian"].on(a).do("GET", "/glassplane/v1/sandboxes/"+brian+"/lessons/kubectl-create/progress", "", "")
		return code == http.StatusOK && strings.Contains(body, `"step":2`), fmt.Sprintf("%d %.200s", code, body)
	})

	// A reset asked of A gives Brian a fresh sandbox under his session.
	code, body = teacher.on(a).json("POST", "/glassplane/v1/classroom/sandboxes/"+brian+"/reset", nil)
	if code != http.StatusOK {
		t.Fatalf("reset Brian through A: %d %s", code, body)
	}
	eventually(t, "Brian's page after the reset", func() (bool, string) {
		v := students["Brian"].on(a).classView()
		return v.Sandbox != "" && v.Sandbox != brian, v.Sandbox
	})
}

func newBrowserAt(t *testing.T, r *testReplica) *browser {
	return &browser{clienttest.New(t, "http://"+r.web.Addr)}
}
