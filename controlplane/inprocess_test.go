package controlplane

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func inProcess(h http.Handler) *inProcessTransport {
	return &inProcessTransport{handler: h, addr: "127.0.0.1:6443", work: make(chan func()), peer: &tls.ConnectionState{HandshakeComplete: true,
		PeerCertificates: []*x509.Certificate{{Subject: pkix.Name{CommonName: "system:kube-scheduler"}}}}}
}

// The handler sees what net/http's server would hand it after the TLS
// handshake — the client's certificate, the path and query, the body — and
// the client gets the status, headers and body it wrote.
func TestInProcessTransportCarriesTheRequestAndTheAnswer(t *testing.T) {
	rt := inProcess(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, "%s %s %s %s cn=%s body=%s", r.Method, r.RequestURI, r.URL.Query().Get("dryRun"), r.Host,
			r.TLS.PeerCertificates[0].Subject.CommonName, body)
	}))
	req, _ := http.NewRequest(http.MethodPost, "https://127.0.0.1:6443/api/v1/namespaces/default/pods?dryRun=All", strings.NewReader(`{"kind":"Pod"}`))
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	want := `POST /api/v1/namespaces/default/pods?dryRun=All All 127.0.0.1:6443 cn=system:kube-scheduler body={"kind":"Pod"}`
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Content-Type") != "application/json" || string(got) != want {
		t.Errorf("got %d %q %q, want 201 application/json %q", resp.StatusCode, resp.Header.Get("Content-Type"), got, want)
	}
}

// A watch streams: the client reads each event as it is flushed, while the
// handler still runs; closing the body ends the handler's context, as a
// client hanging up does.
func TestInProcessTransportStreamsAWatchUntilTheClientHangsUp(t *testing.T) {
	ended := make(chan struct{})
	rt := inProcess(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(ended)
		for i := 0; ; i++ {
			if _, err := fmt.Fprintf(w, "event %d\n", i); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(time.Millisecond):
			}
		}
	}))
	req, _ := http.NewRequest(http.MethodGet, "https://127.0.0.1:6443/api/v1/pods?watch=true", nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(resp.Body)
	for i := range 3 {
		if !lines.Scan() || lines.Text() != fmt.Sprintf("event %d", i) {
			t.Fatalf("line %d: %q", i, lines.Text())
		}
	}
	resp.Body.Close()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler went on after the client closed the body")
	}
}

// A handler that answers nothing answers 200 with an empty body; one that
// panics before it answers fails the request instead of the process; a
// request whose context ends before the answer returns its error.
func TestInProcessTransportEndsEveryRequest(t *testing.T) {
	get := func(h http.HandlerFunc, ctx context.Context) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://127.0.0.1:6443/healthz", nil)
		return inProcess(h).RoundTrip(req)
	}
	resp, err := get(func(http.ResponseWriter, *http.Request) {}, context.Background())
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("a silent handler: %v %v", resp, err)
	}
	if _, err := get(func(http.ResponseWriter, *http.Request) { panic("boom") }, context.Background()); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("a handler that panics: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	_, err = get(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done(); close(stopped) }, ctx)
	if err != context.Canceled {
		t.Errorf("a request cancelled before the answer: %v", err)
	}
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler of a cancelled request went on")
	}
}

// goroutineID is the number runtime.Stack prints for the calling goroutine.
func goroutineID() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	return strings.Fields(string(buf))[1] // "goroutine 18 [running]:"
}

// A request after another runs on the goroutine the first one ran on, with
// the stack it grew; two at once run on two goroutines.
func TestInProcessRequestsReuseTheGoroutineOfAFinishedOne(t *testing.T) {
	var ids []string
	var mu sync.Mutex
	rt := inProcess(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ids = append(ids, goroutineID())
		mu.Unlock()
		if r.URL.Query().Get("hold") != "" {
			time.Sleep(100 * time.Millisecond)
		}
	}))
	get := func(query string) {
		req, _ := http.NewRequest(http.MethodGet, "https://127.0.0.1:6443/api?"+query, nil)
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Error(err)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	// The worker goes back to waiting after the body has ended: on a busy
	// machine a second request may come before it does, so a few tries.
	served := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := ids
		ids = nil
		return out
	}
	var last []string
	for try := 0; try < 20; try++ {
		get("")
		time.Sleep(10 * time.Millisecond)
		get("")
		if last = served(); len(last) != 2 || last[0] == last[1] {
			break
		}
	}
	if len(last) != 2 || last[0] != last[1] {
		t.Errorf("a request after another never ran on the goroutine the first ran on (last tries: %v)", last)
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); get("hold=1") }()
	}
	wg.Wait()
	if both := served(); len(both) != 2 || both[0] == both[1] {
		t.Errorf("two requests at once ran on goroutines %v, want two", both)
	}
}
