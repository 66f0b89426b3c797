package server_test

// Fuzzing the playground's Apply: whatever a learner pastes into the editor,
// the answer is 200, 201, 207 or a client error, always the JSON the page
// reads, with a Status and message for every failed document — never a
// server error or a dropped connection. The seeds are the hostile input corpus
// and the seed article's Deployment; `go test` runs them, `go test -fuzz
// FuzzApplyEndpoint ./server/` searches beyond them.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/glassplane/glassplane/controlplane/testcluster"
	"github.com/glassplane/glassplane/server"
)

func FuzzApplyEndpoint(f *testing.F) {
	dir, err := testcluster.HostileDir()
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, "*"), filepath.Join(dir, "..", "*.yaml")} {
		files, _ := filepath.Glob(p)
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	h := start(f)
	client := &http.Client{Timeout: 20 * time.Second} // a hang is a failure, not a stalled fuzzer
	f.Fuzz(func(t *testing.T, yaml []byte) {
		req, _ := http.NewRequest("POST", "http://"+h.web.Addr+"/glassplane/v1/sandboxes/default/apply", bytes.NewReader(yaml))
		req.Header.Set("Authorization", "Bearer "+h.token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("apply: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		code := resp.StatusCode
		switch {
		case code == http.StatusOK, code == http.StatusCreated, code == http.StatusMultiStatus:
		case code >= 400 && code <= 499:
		default:
			t.Fatalf("got %d: %.300s", code, body)
		}
		var a struct {
			Message string               `json:"message"`
			Results []server.ApplyResult `json:"results"`
		}
		if err := json.Unmarshal(body, &a); err != nil {
			t.Fatalf("the answer is not JSON: %v: %.300s", err, body)
		}
		for _, r := range a.Results {
			if r.Outcome == "error" && (r.Status == nil || r.Status.Message == "") {
				t.Errorf("document %d failed without a message: %.300s", r.Index, body)
			}
		}
	})
}
