package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"k8s.io/component-base/cli"
	"k8s.io/klog/v2"
	"k8s.io/kubectl/pkg/cmd"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/apiserver"
	"github.com/glassplane/glassplane/controlplane/etcd"
	"github.com/glassplane/glassplane/lessons"
	"github.com/glassplane/glassplane/server"
	"github.com/glassplane/glassplane/web"
)

// defaultLocalMaxObjects bounds the local cluster: far more than any lesson
// or experiment needs, far less than a laptop's memory (a runaway
// `--replicas=1000000` stops here with 403 Forbidden instead of growing
// without end).
const defaultLocalMaxObjects = 5000

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	dataDir := fs.String("data-dir", defaultDataDir(), "where etcd's data, certificates and tokens are kept")
	secure := fs.String("secure-listen", "127.0.0.1:6443", "the Kubernetes API's TLS address")
	listen := fs.String("listen", "127.0.0.1:8080", "the web UI's address")
	endpoints := fs.String("etcd-endpoints", "", "comma-separated URLs of an external etcd cluster (default: embedded etcd)")
	members := fs.Int("etcd-members", 1, "how many embedded etcd members to run as one cluster: 1, 3 or 5 (each keeps its data under <data-dir>/etcd/member-N; the ports they pick on the first start are kept in <data-dir>/etcd/members.json)")
	compaction := fs.Duration("etcd-compaction-interval", etcd.DefaultCompactionInterval,
		"how often etcd's history is compacted, as kube-apiserver does; reads and watches at a resourceVersion older than the previous compaction get 410 Gone (0 disables)")
	idle := fs.Duration("sandbox-idle", 2*time.Hour, "how long an unused classroom sandbox lives")
	classroom := fs.Bool("classroom", false, "give every browser a sandbox of its own (a teacher's server on the LAN) instead of the local cluster")
	maxSandboxes := fs.Int("max-sandboxes", 100, "how many classroom sandboxes may run at once (the local cluster not counted)")
	joinCode := fs.String("join-code", os.Getenv("GLASSPLANE_JOIN_CODE"), "the code students type to join a classroom (default: $GLASSPLANE_JOIN_CODE, else a random one printed at startup)")
	passcode := fs.String("teacher-passcode", os.Getenv("GLASSPLANE_TEACHER_PASSCODE"), "what the teacher types at /teacher to see the roster and lead the class (default: $GLASSPLANE_TEACHER_PASSCODE, else a random one printed at startup)")
	maxObjects := fs.Int64("max-objects", 0, fmt.Sprintf("how many objects (events not counted) one sandbox may hold (default: %d for the local cluster, %d for each classroom sandbox)", defaultLocalMaxObjects, server.DefaultLimits.MaxObjects))
	lessonsDir := fs.String("lessons-dir", "", "a directory of your own lessons (*.yaml), added to the built-in ones")
	logFormat := fs.String("log-format", "text", "how log lines are written: text (key=value) or json")
	logLevel := fs.String("log-level", "warn", "the least severe log lines written: debug (one line per API request), info, warn or error")
	var sans stringList
	fs.Var(&sans, "tls-san", "an extra name or IP for the API server's certificate (repeatable)")
	usageWithEnv(fs, "glassplane serve [flags]")
	if err := parseWithEnv(fs, args, os.LookupEnv); err != nil {
		return err
	}
	catalog, err := lessons.Load(*lessonsDir)
	if err != nil {
		return fmt.Errorf("loading lessons: %w", err)
	}
	lessonEngine := lessons.NewEngine(catalog)
	defer lessonEngine.Close()
	// client-go's informers log every cache sync at info; by default keep
	// warnings and errors. Glassplane's own components log through the
	// same logger.
	logger, err := newLogger(*logFormat, *logLevel, os.Stderr)
	if err != nil {
		return err
	}
	slog.SetDefault(logger)
	klog.SetSlogLogger(logger)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if !etcd.ValidMembers(*members) {
		return fmt.Errorf("--etcd-members must be 1, 3 or 5, not %d", *members)
	}
	ecfg := etcd.Config{DataDir: filepath.Join(*dataDir, "etcd"), CompactionInterval: *compaction, Members: *members}
	if *endpoints != "" {
		if *members != 1 {
			return fmt.Errorf("--etcd-members runs embedded members; it cannot be used with --etcd-endpoints")
		}
		ecfg.Endpoints = strings.Split(*endpoints, ",")
	}
	e, err := etcd.Start(ctx, ecfg)
	if err != nil {
		return err
	}
	defer e.Close()
	if err := os.WriteFile(filepath.Join(*dataDir, etcd.EndpointsFile), []byte(strings.Join(e.ClientURLs(), "\n")+"\n"), 0o600); err != nil {
		return err
	}
	localLimits := apiserver.Limits{MaxObjects: defaultLocalMaxObjects}
	if *maxObjects > 0 {
		localLimits.MaxObjects = *maxObjects
	}
	c, err := controlplane.Start(ctx, controlplane.Config{DataDir: *dataDir, Etcd: e, ControlsEtcd: true, SecureListen: *secure, TLSSANs: sans, Limits: localLimits})
	if err != nil {
		return err
	}
	defer c.Close()
	if err := os.WriteFile(filepath.Join(*dataDir, controlplane.AddressFile), []byte(c.Addr+"\n"), 0o600); err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(*secure)
	sandboxes := server.NewSandboxes(e, *dataDir, host, *idle, controlplane.Start,
		server.WithMaxSandboxes(*maxSandboxes), server.WithOnDelete(lessonEngine.Forget))
	sandboxes.AddDefault(c)
	if *maxObjects > 0 {
		sandboxes.Limits.MaxObjects = *maxObjects
	}
	defer sandboxes.Close() // stops the reaper and waits for it
	restored, err := sandboxes.Restore(ctx)
	if err != nil {
		return fmt.Errorf("restoring the sandboxes of the last run: %w", err)
	}
	sandboxes.StartReaping()
	w, err := server.Start(server.Config{Listen: *listen, Sandboxes: sandboxes, Local: !*classroom, Lessons: lessonEngine, UI: web.Handler(), JoinCode: *joinCode, TeacherPasscode: *passcode})
	if err != nil {
		return err
	}
	defer w.Close()
	fmt.Printf("Glassplane is running.\n  Web UI:          http://%s/\n  Kubernetes API:  https://%s\n  Data:            %s\n  Try:             glassplane kubectl get namespaces\n",
		w.Addr, c.Addr, *dataDir)
	if restored > 0 {
		fmt.Printf("  Sandboxes:       %d brought back from the last run\n", restored)
	}
	go func() {
		if err := controlplane.WarmOpenAPI(); err != nil {
			slog.Error("encoding the OpenAPI documents", "err", err)
		}
	}()
	if *classroom {
		fmt.Printf("  Students open:   http://%s/\n  Join code:       %s\n  Teacher:         http://%s/teacher  passcode %s\n", w.Addr, w.JoinCode, w.Addr, w.TeacherPasscode)
	}
	<-ctx.Done()
	fmt.Println("Glassplane is shutting down.")
	return nil
}

func kubeconfig(args []string) error {
	fs := flag.NewFlagSet("kubeconfig", flag.ContinueOnError)
	dataDir := fs.String("data-dir", defaultDataDir(), "the data directory of the server")
	secure := fs.String("secure-listen", "", "the API server's address (default: the one the server bound)")
	user := fs.String("user", "admin", "the built-in user: admin, alice or bob")
	if err := fs.Parse(args); err != nil {
		return err
	}
	kc, err := controlplane.Kubeconfig(*dataDir, controlplane.ServerAddress(*dataDir, *secure), *user)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(kc)
	return err
}

// kubectl runs the real kubectl. Without --kubeconfig or $KUBECONFIG it uses
// an admin kubeconfig for the local Glassplane, like `k3s kubectl`.
func kubectl(args []string) error {
	if os.Getenv("KUBECONFIG") == "" && !hasFlag(args, "--kubeconfig") {
		dataDir := defaultDataDir()
		kc, err := controlplane.Kubeconfig(dataDir, controlplane.ServerAddress(dataDir, ""), "admin")
		if err != nil {
			return fmt.Errorf("making an admin kubeconfig from %s: %w", dataDir, err)
		}
		p := filepath.Join(dataDir, "kubeconfig-admin.yaml")
		if err := os.WriteFile(p, kc, 0o600); err != nil {
			return err
		}
		os.Setenv("KUBECONFIG", p)
	}
	os.Args = append([]string{"kubectl"}, args...)
	command := cmd.NewDefaultKubectlCommand()
	os.Exit(cli.Run(command))
	return nil
}

func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

func printVersion() error {
	v := apiserver.Version()
	fmt.Printf("Glassplane serving Kubernetes API %s (%s, %s)\n", v.GitVersion, v.GoVersion, v.Platform)
	return nil
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
