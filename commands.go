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
	replicaTTL := fs.Duration("replica-ttl", server.DefaultReplicaTTL, "with --etcd-endpoints and --classroom, several servers share the etcd as replicas, each sandbox run by one of them: how long a replica's hold on its sandboxes outlives it (the longest a sandbox waits for a new replica after its own dies)")
	advertise := fs.String("advertise-address", "", "with --etcd-endpoints and --classroom: the host:port other replicas reach this one's web server at (default: the --listen address as bound)")
	frontListen := fs.String("sandbox-api-listen", "127.0.0.1:6444", "with --etcd-endpoints and --classroom: the one TLS address on which kubectl reaches every sandbox, wherever it runs (its kubeconfig names it, with the sandbox's own TLS server name)")
	frontPublic := fs.String("sandbox-api-public", "", "with --etcd-endpoints and --classroom: the address students' kubeconfigs name for the sandboxes' API, e.g. a load balancer in front of every replica's --sandbox-api-listen (default: this replica's)")
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
	// With --etcd-endpoints nothing else has made the data directory yet.
	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*dataDir, etcd.EndpointsFile), []byte(strings.Join(e.ClientURLs(), "\n")+"\n"), 0o600); err != nil {
		return err
	}
	// Replicas share the students' sandboxes through etcd (server/replica.go).
	replicated := *endpoints != "" && *classroom
	localLimits := apiserver.Limits{MaxObjects: defaultLocalMaxObjects}
	if *maxObjects > 0 {
		localLimits.MaxObjects = *maxObjects
	}
	localCfg := controlplane.Config{DataDir: *dataDir, Etcd: e, ControlsEtcd: true, SecureListen: *secure, TLSSANs: sans, Limits: localLimits}
	if replicated {
		// Every replica serves the local cluster's API (its /readyz is the
		// web port's), with one identity; none runs its components, which
		// would otherwise run once per replica.
		localCfg.Nodes, localCfg.CredentialsKey = -1, "/glassplane/local/credentials"
	}
	c, err := controlplane.Start(ctx, localCfg)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := os.WriteFile(filepath.Join(*dataDir, controlplane.AddressFile), []byte(c.Addr+"\n"), 0o600); err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(*secure)
	opts := []server.Option{server.WithMaxSandboxes(*maxSandboxes), server.WithOnDelete(lessonEngine.Forget)}
	if replicated {
		opts = append(opts, server.WithReplica(*replicaTTL))
	}
	sandboxes := server.NewSandboxes(e, *dataDir, host, *idle, controlplane.Start, opts...)
	sandboxes.AddDefault(c)
	if *maxObjects > 0 {
		sandboxes.Limits.MaxObjects = *maxObjects
	}
	defer sandboxes.Close() // stops the reaper and waits for it
	restored := 0
	if !replicated { // a replica runs the sandboxes it is elected for
		if restored, err = sandboxes.Restore(ctx); err != nil {
			return fmt.Errorf("restoring the sandboxes of the last run: %w", err)
		}
	}
	sandboxes.StartReaping()
	if replicated { // every replica takes and prints the same codes
		if *joinCode, *passcode, err = sandboxes.SharedClassCodes(ctx, *joinCode, *passcode); err != nil {
			return fmt.Errorf("sharing the class's codes through etcd: %w", err)
		}
	}
	w, err := server.Start(server.Config{Listen: *listen, Sandboxes: sandboxes, Local: !*classroom, Lessons: lessonEngine, UI: web.Handler(), JoinCode: *joinCode, TeacherPasscode: *passcode})
	if err != nil {
		return err
	}
	defer w.Close()
	if replicated {
		front, err := sandboxes.StartFrontDoor(*frontListen, *frontPublic)
		if err != nil {
			return err
		}
		defer front.Close()
		self, err := advertiseAddress(*advertise, w.Addr)
		if err != nil {
			return err
		}
		peer := server.Owner{Web: self, API: front.Addr}
		if host, port, _ := net.SplitHostPort(front.Addr); net.ParseIP(host).IsUnspecified() {
			host, _, _ = net.SplitHostPort(self) // on every address: reached as the web server is
			peer.API = net.JoinHostPort(host, port)
		}
		if err := sandboxes.StartReplica(ctx, peer); err != nil {
			return err
		}
		fmt.Printf("  Replica:         sandboxes shared through etcd at %s; other replicas reach this one at %s\n", *endpoints, self)
		fmt.Printf("  Sandbox APIs:    https://%s\n", front.Addr)
	}
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

// advertiseAddress is where other replicas reach this one's web server: the
// address given, else the one bound, which must then name a host.
func advertiseAddress(given, bound string) (string, error) {
	if given != "" {
		return given, nil
	}
	host, _, err := net.SplitHostPort(bound)
	if err != nil {
		return "", err
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		return "", fmt.Errorf("the web server listens on every address (%s): say with --advertise-address where other replicas reach it", bound)
	}
	return bound, nil
}
