package controlplane_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/glassplane/glassplane/controlplane/testcluster"
)

// syncBuffer is a bytes.Buffer a process writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// kubectl logs -f follows a running container until it stops: it prints the
// log, keeps waiting while the container runs, and returns when its pod is
// deleted — with both kubectls.
func TestKubectlLogsFollowWaitsUntilTheContainerStops(t *testing.T) {
	t.Parallel()
	c := testcluster.StartCascade(t)
	cs := c.Client("admin")
	if out, err := c.Kubectl([]string{testcluster.GlassplaneBinary(t), "kubectl"}, "admin", string(readSeed(t)), "create", "-f", "-"); err != nil {
		t.Fatalf("creating the seed: %v\n%s", err, out)
	}
	waitUntil(t, "the seed's pod running", func() bool { return len(runningPods(t, cs, "app=helloworld-pod")) == 1 })
	if _, err := cs.AppsV1().Deployments("default").Patch(context.Background(), "helloworld-deployment", "application/merge-patch+json",
		[]byte(`{"spec":{"replicas":2}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "two pods running", func() bool { return len(runningPods(t, cs, "app=helloworld-pod")) == 2 })
	pods := runningPods(t, cs, "app=helloworld-pod")
	i := 0
	for name, bin := range kubectls(t) {
		pod := pods[i].Name
		i++
		cmd := exec.Command(bin[0], append(append(bin[1:], "--kubeconfig", c.Kubeconfig("admin")), "logs", "-f", pod)...)
		cmd.Env = append(os.Environ(), "HOME="+c.DataDir, "KUBECACHEDIR="+filepath.Join(c.DataDir, "kubecache"))
		var out syncBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		waitUntil(t, name+" logs -f printing the app's log", func() bool { return strings.Contains(out.String(), "Example app listening") })
		select {
		case err := <-done:
			t.Fatalf("%s logs -f returned while the container runs: %v\n%s", name, err, out.String())
		case <-time.After(1500 * time.Millisecond):
		}
		if err := cs.CoreV1().Pods("default").Delete(context.Background(), pod, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s logs -f ended with %v after the pod was deleted:\n%s", name, err, out.String())
			}
		case <-time.After(60 * time.Second):
			_ = cmd.Process.Kill()
			t.Fatalf("%s logs -f still waits 60 s after its pod was deleted:\n%s", name, out.String())
		}
	}
}
