package controlplane_test

// A kubectl session with every API request logged at debug level: the log
// has a line per request, and none of the secrets the session used — the
// users' bearer tokens and client keys, a ServiceAccount token, a Secret's
// password — appears in it.

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestDebugLogOfAKubectlSessionHasEveryRequestAndNoSecret(t *testing.T) { // not parallel: it sets slog's default
	var log lockedBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	c := testcluster.Start(t)
	const password = "pw-Zq8vX2kL9mN4"
	secrets := []string{password}
	for name, bin := range kubectls(t) {
		for _, step := range []struct {
			user string
			args []string
		}{
			{"admin", []string{"create", "secret", "generic", "db-" + strings.ReplaceAll(strings.Trim(name, "/"), "/", "-") + "-" + strings.ReplaceAll(name, " ", ""), "--from-literal=password=" + password}},
			{"admin", []string{"create", "serviceaccount", "robot-" + strings.ReplaceAll(strings.ReplaceAll(strings.Trim(name, "/"), "/", "-"), " ", "-")}},
			{"alice", []string{"get", "pods"}},
			{"bob", []string{"get", "configmaps"}},
		} {
			out, _ := c.Kubectl(bin, step.user, "", step.args...)
			t.Logf("%s: kubectl %s: %s", name, strings.Join(step.args, " "), out)
		}
		out, err := c.Kubectl(bin, "admin", "", "create", "token", "robot-"+strings.ReplaceAll(strings.ReplaceAll(strings.Trim(name, "/"), "/", "-"), " ", "-"))
		if err != nil {
			t.Fatalf("kubectl create token: %v\n%s", err, out)
		}
		secrets = append(secrets, strings.TrimSpace(out))
	}
	for _, user := range []string{"admin", "alice", "bob"} {
		cfg, err := clientcmd.LoadFromFile(c.Kubeconfig(user))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range cfg.AuthInfos {
			if a.Token != "" {
				secrets = append(secrets, a.Token)
			}
			if len(a.ClientKeyData) > 0 {
				// The key's PEM body, and the kubeconfig's base64 of it.
				lines := strings.Split(string(a.ClientKeyData), "\n")
				secrets = append(secrets, lines[1], base64.StdEncoding.EncodeToString(a.ClientKeyData)[:40])
			}
		}
	}
	got := log.String()
	if !strings.Contains(got, "msg=HTTP") || !strings.Contains(got, "path=/api/v1/namespaces/default/secrets") {
		t.Errorf("the debug log has no line for the session's requests:\n%.3000s", got)
	}
	for _, s := range secrets {
		if len(s) < 8 {
			t.Fatalf("a secret of the session is too short to look for: %q", s)
		}
		if strings.Contains(got, s) {
			t.Errorf("the log contains the secret %.6s…", s)
		}
	}
	t.Logf("looked for %d secrets in %d log lines", len(secrets), strings.Count(got, "\n"))
}
