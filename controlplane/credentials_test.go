package controlplane_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/etcd"
)

// startShared starts sandbox "x" of a shared etcd from its own data
// directory, as a replica would.
func startShared(t *testing.T, e *etcd.Etcd) *controlplane.Cluster {
	t.Helper()
	c, err := startSharedIn(t.TempDir(), e)
	if err != nil {
		t.Fatalf("starting the sandbox: %v", err)
	}
	return c
}

func startSharedIn(dir string, e *etcd.Etcd) (*controlplane.Cluster, error) {
	return controlplane.Start(context.Background(), controlplane.Config{
		Name: "x", DataDir: dir, Etcd: e, Prefix: "/sandboxes/x/registry", Nodes: -1, Fast: true,
		CredentialsKey: "/sandboxes/x/credentials", StepSeqKey: "/sandboxes/x/stepseq", SecureListen: "127.0.0.1:0",
	})
}

func startEtcd(t *testing.T) *etcd.Etcd {
	t.Helper()
	e, err := etcd.Start(context.Background(), etcd.Config{DataDir: filepath.Join(t.TempDir(), "etcd"), Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// A sandbox started again from another data directory (another replica,
// after a failover) keeps its identity: a kubeconfig made by the first
// start opens the second, and the step numbers go on above the first's.
func TestASandboxStartedElsewhereKeepsItsCredentialsAndGoesOnNumberingItsSteps(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	first := startShared(t, e)
	firstDir, lastSeq := first.DataDir, first.Steps.Last()
	if lastSeq == 0 {
		t.Fatal("the first start recorded no steps")
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second := startShared(t, e)
	defer second.Close()
	if second.DataDir == firstDir {
		t.Fatal("the two starts share a data directory")
	}
	if string(second.CA.CertPEM) != string(first.CA.CertPEM) {
		t.Error("the second start made a CA of its own")
	}
	for _, user := range []string{"admin", "alice"} {
		kc, err := controlplane.Kubeconfig(firstDir, second.Addr, user)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := clientcmd.RESTConfigFromKubeConfig(kc)
		if err != nil {
			t.Fatal(err)
		}
		cs := kubernetes.NewForConfigOrDie(cfg)
		if _, err := cs.CoreV1().Pods("default").List(context.Background(), metav1.ListOptions{}); err != nil {
			t.Errorf("%s's kubeconfig from the first start, against the second: %v", user, err)
		}
	}
	if got := second.Steps.Since(0, 1); len(got) == 0 || got[0].Seq <= lastSeq {
		t.Errorf("the second start's first step should come after the first start's last (%d): %+v", lastSeq, got)
	}
}

// Two servers starting the same new sandbox at once end with one identity.
func TestTwoFirstStartsAtOnceAgreeOnOneIdentity(t *testing.T) {
	t.Parallel()
	e := startEtcd(t)
	var wg sync.WaitGroup
	clusters, errs := make([]*controlplane.Cluster, 2), make([]error, 2)
	for i := range clusters {
		dir := t.TempDir()
		wg.Go(func() { clusters[i], errs[i] = startSharedIn(dir, e) })
	}
	wg.Wait()
	for i, c := range clusters {
		if errs[i] != nil {
			t.Fatalf("start %d: %v", i, errs[i])
		}
		defer c.Close()
	}
	for _, f := range []string{"pki/ca.crt", "pki/ca.key", "pki/sa.key", "users.json"} {
		a, errA := os.ReadFile(filepath.Join(clusters[0].DataDir, f))
		b, errB := os.ReadFile(filepath.Join(clusters[1].DataDir, f))
		if errA != nil || errB != nil || string(a) != string(b) {
			t.Errorf("%s differs between the two starts (%v, %v)", f, errA, errB)
		}
	}
	if string(clusters[0].CA.CertPEM) != string(clusters[1].CA.CertPEM) {
		t.Error("the two running API servers hold different CAs")
	}
}
