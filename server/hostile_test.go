package server_test

// The hostile input corpus (testcluster.HostileInputs) typed into the
// playground: the Apply button and the terminal's `kubectl apply -f -`. The
// Apply button answers 4xx with a message for each document; the terminal
// shows kubectl's own error and a non-zero exit code. Neither stores anything,
// and neither takes long to say no.

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/glassplane/glassplane/controlplane/testcluster"
	"github.com/glassplane/glassplane/server"
)

// hostileBudget is how long one hostile input may take to be refused, with
// room for a loaded machine running the race detector (the terminal starts a
// kubectl process for each).
const hostileBudget = 20 * time.Second

func TestApplyButtonRefusesHostileManifestsWithClientErrorsAndStoresNothing(t *testing.T) {
	t.Parallel()
	h := start(t)
	before := storedObjects(t, h.cluster.Cluster)
	for _, in := range testcluster.HostileInputs(t) {
		t.Run(in.Name, func(t *testing.T) {
			start := time.Now()
			code, body := h.do("POST", "/glassplane/v1/sandboxes/default/apply", h.token, string(in.Body))
			took := time.Since(start)
			messages := applyMessages(body)
			t.Logf("%d bytes: %d in %v: %.160s", len(in.Body), code, took, strings.Join(messages, " | "))
			if code < 400 || code > 499 {
				t.Errorf("got %d, want a client error (4xx): %.300s", code, body)
			}
			if len(messages) == 0 {
				t.Errorf("no message says what is wrong: %.300s", body)
			}
			for _, m := range messages {
				if len(m) < 20 {
					t.Errorf("the message %q does not say what is wrong", m)
				}
			}
			if took > hostileBudget {
				t.Errorf("took %v to refuse, want under %v", took, hostileBudget)
			}
		})
	}
	if after := storedObjects(t, h.cluster.Cluster); after != before {
		t.Errorf("%d objects before the corpus, %d after", before, after)
	}
}

// applyMessages are the messages of an Apply answer: one per failed document,
// or the one message of a refused request.
func applyMessages(body []byte) []string {
	var a struct {
		Message string               `json:"message"`
		Results []server.ApplyResult `json:"results"`
	}
	if json.Unmarshal(body, &a) != nil {
		return nil
	}
	if a.Message != "" {
		return []string{a.Message}
	}
	var msgs []string
	for _, r := range a.Results {
		if r.Outcome == "error" && r.Status != nil {
			msgs = append(msgs, r.Status.Message)
		}
	}
	return msgs
}

func TestTerminalKubectlApplyRefusesHostileManifestsAndStoresNothing(t *testing.T) {
	t.Parallel()
	h := start(t)
	before := storedObjects(t, h.cluster.Cluster)
	for _, in := range testcluster.HostileInputs(t) {
		switch in.Name {
		case "invalid-utf8.yaml":
			continue // the terminal's stdin is a JSON string: it cannot carry invalid UTF-8
		case "duplicate-keys.yaml":
			continue // kubectl converts YAML to JSON before it sends it, keeping the last key, as it does against any cluster
		}
		t.Run(in.Name, func(t *testing.T) {
			start := time.Now()
			code, body := h.do("POST", "/glassplane/v1/sandboxes/default/kubectl", h.token,
				map[string]any{"args": []string{"apply", "-f", "-"}, "stdin": string(in.Body)})
			took := time.Since(start)
			var res server.KubectlResult
			_ = json.Unmarshal(body, &res)
			t.Logf("%d bytes: %d exit %d in %v: %.160s", len(in.Body), code, res.ExitCode, took, strings.TrimSpace(res.Stderr))
			switch {
			case code == http.StatusRequestEntityTooLarge:
				// Refused before kubectl runs: stdin over the request limit.
			case code != http.StatusOK:
				t.Errorf("got %d, want kubectl's answer or 413: %.300s", code, body)
			case res.ExitCode == 0:
				t.Errorf("kubectl apply succeeded: %.300s", res.Stdout)
			case len(strings.TrimSpace(res.Stderr)) < 20:
				t.Errorf("kubectl's stderr does not say what is wrong: %.300q", res.Stderr)
			}
			if took > hostileBudget {
				t.Errorf("took %v to refuse, want under %v", took, hostileBudget)
			}
		})
	}
	if after := storedObjects(t, h.cluster.Cluster); after != before {
		t.Errorf("%d objects before the corpus, %d after", before, after)
	}
}
