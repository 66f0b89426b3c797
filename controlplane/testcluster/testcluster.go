// Package testcluster starts a whole Glassplane control plane inside a test:
// embedded etcd with fast Raft timeouts in a temporary directory, the API
// server on a free port, and clients for it.
package testcluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	"github.com/glassplane/glassplane/controlplane"
)

// Cluster is a running control plane and what a test needs to reach it.
type Cluster struct {
	*controlplane.Cluster
	DataDir string
	cfg     controlplane.Config
	t       testing.TB
}

// Start starts an API server and etcd only — no controllers, scheduler or
// kubelets — closed when the test ends. Tests of the API itself use it, so
// nothing else changes the objects they look at.
func Start(t testing.TB) *Cluster {
	t.Helper()
	return StartWith(t, controlplane.Config{Nodes: -1})
}

// StartCascade starts a whole cluster: API server, controller manager,
// scheduler and three kubelets, with no simulated delays.
func StartCascade(t testing.TB) *Cluster {
	t.Helper()
	return StartWith(t, controlplane.Config{})
}

var quietOnce sync.Once

// quiet keeps client-go's informer chatter out of test output; warnings and
// errors still show.
func quiet() {
	quietOnce.Do(func() {
		klog.SetSlogLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	})
}

// StartWith starts a cluster from cfg, filling in a temporary data
// directory, a free port and fast etcd.
func StartWith(t testing.TB, cfg controlplane.Config) *Cluster {
	t.Helper()
	quiet()
	dir := t.TempDir()
	cfg.DataDir, cfg.SecureListen, cfg.Fast = dir, "127.0.0.1:0", true
	c := &Cluster{DataDir: dir, t: t, cfg: cfg}
	hold(t)
	c.start()
	t.Cleanup(func() { c.Close() })
	return c
}

func (c *Cluster) start() {
	c.t.Helper()
	cp, err := controlplane.Start(context.Background(), c.cfg)
	if err != nil {
		c.t.Fatalf("starting the control plane: %v", err)
	}
	c.Cluster = cp
	c.cfg.SecureListen = cp.Addr // a restart comes back on the same address
}

// Restart stops the control plane and starts it again on the same data.
func (c *Cluster) Restart() {
	c.t.Helper()
	err := c.Cluster.Close()
	c.Cluster = nil
	if err != nil {
		c.t.Fatalf("stopping the control plane: %v", err)
	}
	c.start()
}

// Close stops the cluster (safe to call twice).
func (c *Cluster) Close() {
	if c.Cluster != nil {
		_ = c.Cluster.Close()
		c.Cluster = nil
	}
}

// Kubeconfig writes a kubeconfig for user into the data directory and
// returns its path. The file is replaced whole (written aside, then
// renamed), so a kubectl still starting in the background never reads it
// half written.
func (c *Cluster) Kubeconfig(user string) string {
	c.t.Helper()
	kc, err := controlplane.Kubeconfig(c.DataDir, c.Addr, user)
	if err != nil {
		c.t.Fatal(err)
	}
	p := filepath.Join(c.DataDir, "kubeconfig-"+user)
	tmp, err := os.CreateTemp(c.DataDir, "kubeconfig-"+user+"-*")
	if err != nil {
		c.t.Fatal(err)
	}
	_, err = tmp.Write(kc)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		c.t.Fatal(err)
	}
	return p
}

// RESTConfig returns a client configuration for user.
func (c *Cluster) RESTConfig(user string) *rest.Config {
	c.t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig(user))
	if err != nil {
		c.t.Fatal(err)
	}
	cfg.QPS = -1 // tests and benchmarks measure the server, not client-side throttling
	return cfg
}

// Client returns a typed client-go clientset for user.
func (c *Cluster) Client(user string) kubernetes.Interface {
	c.t.Helper()
	cs, err := kubernetes.NewForConfig(c.RESTConfig(user))
	if err != nil {
		c.t.Fatal(err)
	}
	return cs
}

// KubectlLimit is how long one kubectl command may run. Some wait without
// end by default (a delete for its objects to go, a rollout status), and a
// test should fail naming the command rather than hang until the package's
// timeout, whose goroutine dump a CI log cuts short.
const KubectlLimit = 3 * time.Minute

// Kubectl runs a kubectl binary as user and returns its combined output and error.
func (c *Cluster) Kubectl(binary []string, user, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), KubectlLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary[0], append(append(binary[1:], "--kubeconfig", c.Kubeconfig(user)), args...)...)
	cmd.Env = append(os.Environ(), "HOME="+c.DataDir, "KUBECACHEDIR="+filepath.Join(c.DataDir, "kubecache"))
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("kubectl %s did not finish in %s (killed): %w", strings.Join(args, " "), KubectlLimit, err)
	}
	return string(out), err
}

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// GlassplaneBinary builds the glassplane binary once per test process (with
// the version stamps of $GLASSPLANE_LDFLAGS, which the Makefile exports) and
// returns its path. Every test process of one checkout shares the path (a
// 150 MB binary in a directory of its own per process would pile up in the
// temporary directory run after run): each builds to a file of its own and
// renames it into place, so a binary another process is running is never
// written over.
func GlassplaneBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		sum := sha256.Sum256([]byte(root))
		dir := filepath.Join(os.TempDir(), "glassplane-test-bin-"+hex.EncodeToString(sum[:6]))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			buildErr = err
			return
		}
		tmp, err := os.CreateTemp(dir, "building-")
		if err != nil {
			buildErr = err
			return
		}
		tmp.Close()
		defer os.Remove(tmp.Name()) // gone once renamed; left over only if the build failed
		cmd := exec.Command("go", "build", "-ldflags", os.Getenv("GLASSPLANE_LDFLAGS"), "-o", tmp.Name(), ".")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = &buildError{out: string(out), err: err}
			return
		}
		binary = filepath.Join(dir, "glassplane")
		buildErr = os.Rename(tmp.Name(), binary)
	})
	if buildErr != nil {
		t.Fatalf("building glassplane: %v", buildErr)
	}
	return binary
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}
