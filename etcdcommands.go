package main

// glassplane etcd snapshot save|restore: etcd's own backup, as `etcdctl
// snapshot save` and `etcdutl snapshot restore` make it. Save asks the
// running server's etcd (its client URLs are in <data-dir>/etcd-endpoints);
// restore writes a new data directory offline, which `glassplane serve
// --data-dir` then starts on.

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/glassplane/glassplane/controlplane/etcd"
)

const etcdUsage = `Usage:
  glassplane etcd snapshot save FILE [--data-dir DIR]       save a snapshot of the running server's etcd
  glassplane etcd snapshot restore FILE --data-dir DIR [--etcd-members N]
                                                             write a new data directory from a snapshot`

func etcdCommand(args []string) error {
	if len(args) < 2 || args[0] != "snapshot" {
		return fmt.Errorf("%s", etcdUsage)
	}
	switch args[1] {
	case "save":
		return snapshotSave(args[2:])
	case "restore":
		return snapshotRestore(args[2:])
	}
	return fmt.Errorf("unknown etcd snapshot command %q\n\n%s", args[1], etcdUsage)
}

// fileAndFlags parses flags that may come before or after the one FILE.
func fileAndFlags(fs *flag.FlagSet, args []string) (string, error) {
	file := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return "", fmt.Errorf("one FILE, please\n\n%s", etcdUsage)
	}
	if file == "" {
		return "", fmt.Errorf("which FILE?\n\n%s", etcdUsage)
	}
	return file, nil
}

func snapshotSave(args []string) error {
	fs := flag.NewFlagSet("etcd snapshot save", flag.ContinueOnError)
	dataDir := fs.String("data-dir", defaultDataDir(), "the data directory of the running server")
	endpoints := fs.String("etcd-endpoints", "", "comma-separated etcd client URLs (default: those the server wrote to its data directory)")
	file, err := fileAndFlags(fs, args)
	if err != nil {
		return err
	}
	eps := strings.Split(*endpoints, ",")
	if *endpoints == "" {
		if eps, err = etcd.ReadEndpoints(*dataDir); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	version, err := etcd.SaveSnapshot(ctx, eps, file)
	if err != nil {
		return err
	}
	fmt.Printf("Snapshot saved to %s (etcd %s).\n", file, version)
	return nil
}

func snapshotRestore(args []string) error {
	fs := flag.NewFlagSet("etcd snapshot restore", flag.ContinueOnError)
	dataDir := fs.String("data-dir", "", "a new data directory to restore into (required)")
	members := fs.Int("etcd-members", 1, "how many etcd members the restored cluster has: 1, 3 or 5")
	file, err := fileAndFlags(fs, args)
	if err != nil {
		return err
	}
	if *dataDir == "" {
		return fmt.Errorf("--data-dir is required: restore into a new directory, then start on it")
	}
	if err := etcd.RestoreSnapshot(file, filepath.Join(*dataDir, "etcd"), *members); err != nil {
		return err
	}
	start := "glassplane serve --data-dir " + *dataDir
	if *members > 1 {
		start += fmt.Sprintf(" --etcd-members %d", *members)
	}
	fmt.Printf("Restored %s into %s. Start it with:\n  %s\n", file, *dataDir, start)
	return nil
}
