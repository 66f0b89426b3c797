// Command glassplane runs a Kubernetes control plane made of glass: embedded
// etcd, a real API server, and a web page that shows every step it takes.
//
//	glassplane [serve]       start Glassplane
//	glassplane kubectl ...   the real kubectl, pointed at the local Glassplane
//	glassplane kubeconfig    print a kubeconfig (--user admin|alice|bob)
//	glassplane etcd snapshot save|restore   etcd's backup of the cluster
//	glassplane version       print versions
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	args := os.Args[1:]
	cmd := "serve"
	if filepath.Base(os.Args[0]) == "kubectl" {
		cmd = "kubectl"
	} else if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(args)
	case "kubectl":
		err = kubectl(args)
	case "kubeconfig":
		err = kubeconfig(args)
	case "etcd":
		err = etcdCommand(args)
	case "version":
		err = printVersion()
	case "help":
		fmt.Println(usage)
	default:
		err = fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
	}
	if errors.Is(err, flag.ErrHelp) {
		return // the flags' usage is printed
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "glassplane:", err)
		os.Exit(1)
	}
}

const usage = `Usage:
  glassplane [serve] [flags]   start Glassplane (embedded etcd, API server, web UI)
  glassplane kubectl ...       run kubectl against the local Glassplane
  glassplane kubeconfig        print a kubeconfig (--user admin|alice|bob)
  glassplane etcd snapshot save FILE | restore FILE --data-dir DIR
                               back the cluster up with etcd's snapshot, or restore one
  glassplane version           print versions
Run "glassplane serve -h" for the flags.`

// defaultDataDir is $XDG_DATA_HOME/glassplane or ~/.local/share/glassplane.
func defaultDataDir() string {
	if d := os.Getenv("GLASSPLANE_DATA_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "glassplane")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ".glassplane"
	}
	return filepath.Join(home, ".local", "share", "glassplane")
}
