package server_test

// BenchmarkClassroom: a class of 60 students on one server. Each student has
// a sandbox and a page in step mode: the page applies the seed manifest and
// presses Next whenever the pacer holds a step, until the seed's pod runs.
// Beside each student's page three more streams watch the same sandbox (the
// etcd pane, a second tab), and the teacher follows one student: the class
// follows that sandbox and the teacher's page streams it.
//
// It reports step delivery latency (from the moment a component recorded a
// step to the moment a client decoded it) at p50 and p99, the steps lost by
// clients that kept up (must be 0), the students whose pod did not run, the
// memory an idle sandbox costs, the process's peak and final resident memory
// (VmHWM, VmRSS; clients included, they run in the same process) and the CPU
// seconds the process used to create the sandboxes and to run the class.
// Then the class idles until every sandbox's step history is full, and it
// reports what a sandbox costs then.
//
// BENCH_PROFILE_DIR=dir writes a CPU profile of the class alone
// (classcpu.prof) and the heap and goroutines at its end there.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/glassplane/glassplane/controlplane/testcluster"
	"github.com/glassplane/glassplane/server"
)

const (
	benchStudents = 60
	watchersPerSB = 3                // streams beside the student's own page
	classTimeout  = 3 * time.Minute  // for every student's pod to run
	benchPasscode = "BENCH-TEACHER"  // the teacher's
	afterLastPod  = 2 * time.Second  // streams keep reading this long after the last pod runs
	settleIdle    = 2 * time.Second  // for new sandboxes to settle into idle
	pressTimeout  = 10 * time.Second // one press of Next
	agingTimeout  = 5 * time.Minute  // for the idle sandboxes' histories to fill
)

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// procStatusMiB reads a memory figure (VmRSS, VmHWM) of this process in MiB.
func procStatusMiB(field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// cpuSeconds is the user and system CPU time this process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// benchMessage is the part of a stream message (server.Message) the class's
// clients look at: decoding only that keeps the clients, which run in the
// server's process, from weighing on its figures more than they must.
type benchMessage struct {
	Type  string `json:"type"`
	Steps []struct {
		Seq       uint64    `json:"seq"`
		Time      time.Time `json:"time"`
		Component string    `json:"component"`
		Stage     string    `json:"stage"`
	} `json:"steps"`
	Pacer *struct {
		Waiting []struct{} `json:"waiting"`
	} `json:"pacer"`
}

// deliveries collects what the class's streams received.
type deliveries struct {
	mu          sync.Mutex
	latencies   []time.Duration
	byComponent map[string][]time.Duration
	lost        int
}

func (d *deliveries) add(m benchMessage, last *uint64) {
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range m.Steps {
		if *last != 0 && s.Seq != *last+1 {
			d.lost += int(s.Seq - *last - 1)
		}
		*last = s.Seq
		d.latencies = append(d.latencies, now.Sub(s.Time))
		key := s.Component + "/" + s.Stage
		if strings.HasPrefix(s.Component, "kubelet/") {
			key = "kubelet/" + s.Stage
		}
		d.byComponent[key] = append(d.byComponent[key], now.Sub(s.Time))
	}
}

// benchClient is a browser's HTTP side: its token or teacher cookie.
type benchClient struct {
	base   string
	token  string
	cookie *http.Cookie
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (bc benchClient) send(method, path, contentType, body string) (int, error) {
	req, err := http.NewRequest(method, bc.base+path, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if bc.token != "" {
		req.Header.Set("Authorization", "Bearer "+bc.token)
	}
	if bc.cookie != nil {
		req.AddCookie(bc.cookie)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func (bc benchClient) dial(sandbox string, since uint64) (*websocket.Conn, error) {
	hdr := http.Header{}
	if bc.token != "" {
		hdr.Set("Authorization", "Bearer "+bc.token)
	}
	if bc.cookie != nil {
		hdr.Set("Cookie", bc.cookie.String())
	}
	u := "ws" + strings.TrimPrefix(bc.base, "http") + "/glassplane/v1/sandboxes/" + sandbox + "/stream?since=" + itoa(since)
	conn, _, err := websocket.DefaultDialer.Dial(u, hdr)
	return conn, err
}

// teacherLogsIn returns the teacher's session cookie.
func teacherLogsIn(b *testing.B, base string) *http.Cookie {
	form := url.Values{"passcode": {benchPasscode}}.Encode()
	resp, err := noRedirects.Post(base+"/teacher/login", "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == server.TeacherCookie {
			return ck
		}
	}
	b.Fatalf("the teacher's login answered %d without a teacher cookie", resp.StatusCode)
	return nil
}

// watch reads a stream until ctx ends, handing every message to seen.
func watch(ctx context.Context, conn *websocket.Conn, seen func(benchMessage)) {
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Now()) })
	defer stop()
	for ctx.Err() == nil {
		var m benchMessage
		if conn.ReadJSON(&m) != nil {
			return
		}
		seen(m)
	}
}

// stepThrough is a student's page in step mode: it presses Next whenever the
// pacer holds a step, and closes ran when a kubelet starts the seed's pod.
func stepThrough(ctx context.Context, student benchClient, id string, conn *websocket.Conn, d *deliveries, ran chan<- struct{}) {
	var last uint64
	started := false
	watch(ctx, conn, func(m benchMessage) {
		d.add(m, &last)
		for _, s := range m.Steps {
			if !started && strings.HasPrefix(s.Component, "kubelet/") && s.Stage == "run" {
				started = true
				close(ran)
			}
		}
		if m.Type == "pacer" && m.Pacer != nil && len(m.Pacer.Waiting) > 0 {
			pctx, cancel := context.WithTimeout(ctx, pressTimeout)
			defer cancel()
			req, _ := http.NewRequestWithContext(pctx, "POST", student.base+"/glassplane/v1/sandboxes/"+id+"/pacer/next", nil)
			req.Header.Set("Authorization", "Bearer "+student.token)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	})
}

func BenchmarkClassroom(b *testing.B) {
	seed, err := os.ReadFile(filepath.Join("..", "controlplane", "testdata", "hello-deployment.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	h := startOn(b, testcluster.Start(b), func(c *server.Config) {
		c.Local, c.TeacherPasscode = false, benchPasscode
		c.MaxStreamsPerClient = benchStudents*(watchersPerSB+1) + 1
	})
	base := "http://" + h.web.Addr
	teacher := benchClient{base: base, cookie: teacherLogsIn(b, base)}
	for i := 0; i < b.N; i++ {
		before, cpu0 := heapInUse(), cpuSeconds()
		rss0 := procStatusMiB("VmRSS")
		var sbs []*server.Sandbox
		for j := 0; j < benchStudents; j++ {
			sb, err := h.sandboxes.CreateNamed(context.Background(), fmt.Sprintf("Student %02d", j))
			if err != nil {
				b.Fatal(err)
			}
			sbs = append(sbs, sb)
		}
		cpuCreate := cpuSeconds() - cpu0
		time.Sleep(settleIdle)
		perSandbox := float64(heapInUse()-before) / benchStudents / (1 << 20)
		rssPerSandbox := (procStatusMiB("VmRSS") - rss0) / benchStudents

		followed := sbs[0]
		if code, err := teacher.send("PUT", "/glassplane/v1/classroom/follow", "application/json", `{"sandbox":"`+followed.ID+`"}`); err != nil || code != http.StatusOK {
			b.Fatalf("the teacher follows a student: %d %v", code, err)
		}

		d := &deliveries{byComponent: map[string][]time.Duration{}}
		ctx, cancel := context.WithCancel(context.Background())
		var streams sync.WaitGroup
		ran := make([]chan struct{}, len(sbs))
		cpu1 := cpuSeconds()
		start := time.Now()
		if dir := os.Getenv("BENCH_PROFILE_DIR"); dir != "" {
			f, _ := os.Create(filepath.Join(dir, "classcpu.prof"))
			_ = pprof.StartCPUProfile(f)
		}
		for j, sb := range sbs {
			student := benchClient{base: base, token: sb.Token}
			if code, err := student.send("PUT", "/glassplane/v1/sandboxes/"+sb.ID+"/pacer", "application/json", `{"mode":"step"}`); err != nil || code != http.StatusOK {
				b.Fatalf("student %d sets step mode: %d %v", j, code, err)
			}
			since := sb.Cluster.Steps.Last()
			viewers := []benchClient{}
			for k := 0; k < watchersPerSB; k++ {
				viewers = append(viewers, student)
			}
			if sb == followed {
				viewers = append(viewers, teacher)
			}
			for _, v := range viewers {
				conn, err := v.dial(sb.ID, since)
				if err != nil {
					b.Fatal(err)
				}
				streams.Go(func() {
					defer conn.Close()
					var last uint64
					watch(ctx, conn, func(m benchMessage) { d.add(m, &last) })
				})
			}
			conn, err := student.dial(sb.ID, since)
			if err != nil {
				b.Fatal(err)
			}
			ran[j] = make(chan struct{})
			streams.Go(func() {
				defer conn.Close()
				stepThrough(ctx, student, sb.ID, conn, d, ran[j])
			})
			streams.Go(func() {
				if code, err := student.send("POST", "/glassplane/v1/sandboxes/"+sb.ID+"/apply", "application/yaml", string(seed)); err != nil || code >= 300 {
					b.Errorf("student %d applies the seed: %d %v", j, code, err)
				}
			})
		}
		deadline := time.After(classTimeout)
		notRun := 0
		for _, r := range ran {
			select {
			case <-r:
			case <-deadline:
				notRun++
			}
		}
		classTime := time.Since(start)
		time.Sleep(afterLastPod)
		if dir := os.Getenv("BENCH_PROFILE_DIR"); dir != "" {
			pprof.StopCPUProfile()
			for _, name := range []string{"heap", "goroutine"} {
				f, _ := os.Create(filepath.Join(dir, name+".prof"))
				_ = pprof.Lookup(name).WriteTo(f, 0)
				f.Close()
			}
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.Logf("in class: %d goroutines, heap in use %.0f MiB, stacks %.0f MiB, runtime total %.0f MiB; RSS anonymous %.0f MiB, file %.0f MiB",
			runtime.NumGoroutine(), float64(ms.HeapInuse)/(1<<20), float64(ms.StackInuse)/(1<<20), float64(ms.Sys)/(1<<20),
			procStatusMiB("RssAnon"), procStatusMiB("RssFile"))
		cancel()
		streams.Wait()
		cpuClass := cpuSeconds() - cpu1

		lat := d.latencies
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		if len(lat) == 0 {
			b.Fatal("no steps delivered")
		}
		if testing.Verbose() {
			for k, v := range d.byComponent {
				sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
				b.Logf("%-32s n=%6d p50=%v p99=%v max=%v", k, len(v), v[len(v)/2], v[len(v)*99/100], v[len(v)-1])
			}
		}
		p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
		hwm, rss := procStatusMiB("VmHWM"), procStatusMiB("VmRSS")
		b.Logf("%d students in step mode, teacher following one: seed to running pod in %v; step delivery p50 %v p99 %v; "+
			"%d steps delivered, %d lost, %d pods not running; peak RSS %.0f MiB (now %.0f); CPU %.1f s creating, %.1f s in class; "+
			"idle sandbox %.1f MiB heap, %.1f MiB RSS",
			benchStudents, classTime.Round(time.Millisecond), p50.Round(time.Microsecond), p99.Round(time.Microsecond),
			len(lat), d.lost, notRun, hwm, rss, cpuCreate, cpuClass, perSandbox, rssPerSandbox)
		b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(len(lat)), "steps-delivered")
		b.ReportMetric(float64(d.lost), "steps-lost")
		b.ReportMetric(float64(notRun), "pods-not-running")
		b.ReportMetric(perSandbox, "MiB/idle-sandbox")
		b.ReportMetric(cpuCreate, "cpu-s-create")
		b.ReportMetric(cpuClass, "cpu-s-class")
		if d.lost > 0 || notRun > 0 {
			b.Errorf("%d steps lost, %d students' pods not running", d.lost, notRun)
		}
		// The class closes its pages and goes idle until every sandbox's history is full of
		// background steps, as it is some minutes into a lesson: that,
		// not a fresh sandbox, is what a class costs for most of its day.
		full := func() bool {
			for _, sb := range sbs {
				if sb.Cluster.Steps.Last() < server.SandboxStepHistory*11/10 {
					return false
				}
			}
			return true
		}
		aged, cpuAged := time.Now(), cpuSeconds()
		for !full() && time.Since(aged) < agingTimeout {
			time.Sleep(time.Second)
		}
		if !full() {
			b.Errorf("the sandboxes' histories did not fill in %v", agingTimeout)
		}
		idleCPU := (cpuSeconds() - cpuAged) / time.Since(aged).Seconds()
		perFull := float64(heapInUse()-before) / benchStudents / (1 << 20)
		hwm = procStatusMiB("VmHWM")
		b.Logf("idle class, pages closed: %.0f%% of a core; with full histories (%d steps each, after %v): %.1f MiB heap per sandbox, RSS %.0f MiB, peak RSS %.0f MiB",
			100*idleCPU, server.SandboxStepHistory, time.Since(aged).Round(time.Second), perFull, procStatusMiB("VmRSS"), hwm)
		b.ReportMetric(100*idleCPU, "idle-cpu-%")
		b.ReportMetric(perFull, "MiB/full-sandbox")
		b.ReportMetric(hwm, "MiB-peak-RSS")
		for _, sb := range sbs {
			_ = h.sandboxes.Delete(context.Background(), sb.ID)
		}
	}
}
