package server

// The terminal's allow-list: which kubectl commands a learner may run.
//
// kubectl reads its command line with cobra and pflag: `-Af x` is `-A` and
// then `-f x`, `--server=x` and `-sx` are the same flag, `--from_file` is
// `--from-file`, and a flag may come anywhere, even before the subcommand.
// Re-implementing that syntax is how an allow-list gets bypassed, so the
// terminal does not: checkKubectlArgs builds kubectl's own command tree
// (k8s.io/kubectl's NewKubectlCommand, the one `glassplane kubectl` runs),
// finds the subcommand with cobra's Find and parses the words with that
// subcommand's pflag set, exactly as the child process will. Only then does it
// judge the parsed result:
//
//   - the subcommand must be one of kubectlSubcommands;
//   - every flag that was set, named by its long name (so a shorthand cannot
//     hide it), must be allowed: kubectl's global flags only from globalFlags
//     (never --server, --kubeconfig, --token, --cache-dir, --user or the
//     profiler), a subcommand's own flags only from localFlags;
//   - values that could name a file or another server are checked: -f only
//     as "-" (the manifest comes as input) or as the name of a built-in
//     file (examplefiles.go), -o only in formats that read no file, --raw
//     only as a path on the sandbox's own API.
//
// A built-in file's name never reaches kubectl: kubectlWords rewrites
// `-f NAME` to `-f -` and gives the file's text as input, then parses the
// rewritten words again and runs them only if they say the same thing.
//
// Words pflag does not know (klog's -v among them: the terminal does not
// register it) make the parse fail, and a failed parse is a refusal. The
// child gets the same words, so what was checked is what runs.

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/kubectl/pkg/cmd"
)

// kubectlSubcommands may run from the terminal.
var kubectlSubcommands = map[string]bool{
	"get": true, "describe": true, "create": true, "apply": true, "delete": true, "scale": true,
	"rollout": true, "logs": true, "label": true, "annotate": true, "cordon": true, "uncordon": true,
	"drain": true, "taint": true, "auth": true, "explain": true, "version": true, "api-resources": true,
	"api-versions": true, "run": true, "expose": true, "set": true, "patch": true,
}

// globalFlags are the kubectl-wide flags the terminal passes on: which
// namespace, and whom to impersonate (the sandbox's RBAC decides whether
// admin may). Every other global flag points kubectl at another server,
// other credentials, a file or a profile, so it is refused.
var globalFlags = map[string]bool{"namespace": true, "as": true, "as-group": true}

// localFlags are a subcommand's own flags the terminal passes on: they
// select, format and change objects in the sandbox. Anything that names a
// file (--from-file, --patch-file, --kustomize, --template, --cert) is absent.
var localFlags = map[string]bool{
	"all-namespaces": true, "output": true, "selector": true, "field-selector": true, "show-labels": true,
	"label-columns": true, "sort-by": true, "no-headers": true, "show-kind": true, "watch": true,
	"output-watch-events": true, "filename": true, "replicas": true, "image": true, "port": true,
	"target-port": true, "type": true, "name": true, "to-revision": true, "revision": true, "dry-run": true,
	"force": true, "grace-period": true, "now": true, "wait": true, "cascade": true, "ignore-daemonsets": true,
	"delete-emptydir-data": true, "overwrite": true, "all": true, "tail": true, "container": true,
	"all-containers": true, "previous": true, "patch": true, "timestamps": true, "since": true,
	"timeout": true, "help": true, "restart": true, "command": true, "env": true, "labels": true,
	"expose": true, "from-literal": true, "subresource": true, "list": true, "api-group": true,
	"namespaced": true, "verbs": true, "raw": true, "ignore-not-found": true, "field-manager": true,
	"validate": true, "save-config": true, "recursive": true, "current-replicas": true, "protocol": true,
	"external-ip": true, "record": true, "tcp": true, "clusterrole": true, "role": true, "user": true,
	"group": true, "serviceaccount": true, "verb": true, "resource": true, "resource-name": true,
	"duration": true, "audience": true, "bound-object-kind": true, "bound-object-name": true,
	"watch-only": true, "chunk-size": true, "schedule": true, "from": true,
}

// outputFormats are the -o formats that read no file: the part before "="
// must be one of these (so go-template-file, jsonpath-file and
// custom-columns-file are refused).
var outputFormats = map[string]bool{
	"json": true, "yaml": true, "kyaml": true, "wide": true, "name": true, "jsonpath": true,
	"jsonpath-as-json": true, "go-template": true, "template": true, "custom-columns": true,
}

// rawPaths are the parts of the sandbox's own API that --raw may read.
var rawPaths = []string{"/api", "/apis", "/healthz", "/livez", "/readyz", "/version", "/openapi"}

// kubectlTreeMu serialises building and parsing kubectl's command tree:
// NewKubectlCommand sets package variables in k8s.io/kubectl (the completion
// factory) and the profiling flags are bound to package variables there.
var kubectlTreeMu sync.Mutex

// checkKubectlArgs parses args as kubectl would and refuses, with a sentence
// for the learner, anything outside the allow-list.
func checkKubectlArgs(args []string) error {
	_, err := parseKubectlArgs(args)
	return err
}

// parsedArgs is what kubectl will make of its words.
type parsedArgs struct {
	files []string // the values of -f
	args  []string // the words that are not flags
	flags []string // every other flag set, as name=value
}

// parseKubectlArgs parses and judges args (checkKubectlArgs) and says what
// they mean.
func parseKubectlArgs(args []string) (parsedArgs, error) {
	if len(args) == 0 {
		return parsedArgs{}, errors.New("type a kubectl command, for example: get pods -o wide")
	}
	kubectlTreeMu.Lock()
	defer kubectlTreeMu.Unlock()
	root := cmd.NewKubectlCommand(cmd.KubectlOptions{IOStreams: genericiooptions.NewTestIOStreamsDiscard()})
	sub, rest, err := root.Find(args)
	if err != nil || sub == root {
		return parsedArgs{}, fmt.Errorf("the terminal runs only these kubectl commands: %s", allowedList())
	}
	if top := topCommand(sub); !kubectlSubcommands[top.Name()] || sub.DisableFlagParsing {
		return parsedArgs{}, fmt.Errorf("the terminal runs only these kubectl commands: %s", allowedList())
	}
	sub.InitDefaultHelpFlag() // cobra adds --help when it runs a command
	if err := sub.ParseFlags(rest); err != nil {
		return parsedArgs{}, fmt.Errorf("kubectl cannot read this command line here: %v", err)
	}
	inherited := sub.InheritedFlags()
	var refused error
	var flags []string
	sub.Flags().Visit(func(f *pflag.Flag) {
		if refused == nil {
			refused = checkFlag(f, inherited.Lookup(f.Name) != nil)
		}
		if f.Name != "filename" {
			flags = append(flags, f.Name+"="+f.Value.String())
		}
	})
	if refused != nil {
		return parsedArgs{}, refused
	}
	if sub.HasSubCommands() && len(sub.Flags().Args()) > 0 {
		// kubectl would look for a plugin named after the word.
		return parsedArgs{}, fmt.Errorf("kubectl %s has no subcommand %q", sub.Name(), sub.Flags().Arg(0))
	}
	p := parsedArgs{args: sub.Flags().Args(), flags: flags}
	if f := sub.Flags().Lookup("filename"); f != nil && f.Changed {
		p.files = values(f)
	}
	return p, nil
}

// kubectlWords judges args and, when -f names a built-in file, rewrites it
// to -f - with the file's text as stdin. What it returns is what may run.
func kubectlWords(args []string, stdin string) ([]string, string, error) {
	p, err := parseKubectlArgs(args)
	if err != nil {
		return nil, "", err
	}
	var name string
	for _, v := range p.files {
		if v != "-" {
			name = v
		}
	}
	if name == "" {
		return args, stdin, nil
	}
	if len(p.files) != 1 {
		return nil, "", errors.New("-f reads one file here: name one built-in file, or use -f - alone")
	}
	rewritten := make([]string, len(args))
	for i, a := range args {
		rewritten[i] = a
		if prefix, ok := strings.CutSuffix(a, name); ok && (prefix == "" || strings.HasPrefix(prefix, "-") &&
			(strings.HasSuffix(prefix, "f") || strings.HasSuffix(prefix, "f=") || prefix == "--filename=")) {
			rewritten[i] = prefix + "-"
		}
	}
	// The rewrite must change only the file: -f - once, the other words as
	// they were. Anything else (the name also used as an object's name, say)
	// is refused rather than guessed at.
	q, err := parseKubectlArgs(rewritten)
	if err != nil || len(q.files) != 1 || q.files[0] != "-" || !slices.Equal(q.args, p.args) || !slices.Equal(q.flags, p.flags) {
		return nil, "", fmt.Errorf("write the file's name only after -f, as in: create -f %s", name)
	}
	return rewritten, exampleFiles[name], nil
}

// topCommand is the subcommand directly under kubectl: "create" for
// `kubectl create configmap`.
func topCommand(c *cobra.Command) *cobra.Command {
	for c.HasParent() && c.Parent().HasParent() {
		c = c.Parent()
	}
	return c
}

// checkFlag judges one parsed flag: its name, then its value.
func checkFlag(f *pflag.Flag, global bool) error {
	if (global && !globalFlags[f.Name]) || (!global && !localFlags[f.Name]) {
		return fmt.Errorf("the flag %s is not available in the terminal", flagName(f))
	}
	switch f.Name {
	case "filename":
		for _, v := range values(f) {
			if _, builtIn := exampleFiles[v]; v != "-" && !builtIn {
				return fmt.Errorf("files cannot be read here: -f takes - (paste the manifest) or one of the built-in files: %s", exampleNames())
			}
		}
	case "output":
		format, _, _ := strings.Cut(f.Value.String(), "=")
		if !outputFormats[format] {
			return fmt.Errorf("the output format %q is not available in the terminal (formats that read a file are refused)", format)
		}
	case "raw":
		return checkRawPath(f.Value.String())
	}
	return nil
}

// checkRawPath allows --raw only as a plain path on the sandbox's own API:
// no scheme, no host, nothing to clean up, under one of rawPaths.
func checkRawPath(raw string) error {
	refuse := fmt.Errorf("--raw reads only the sandbox's own API, a path under %s", strings.Join(rawPaths, ", "))
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || u.RawPath != "" ||
		!strings.HasPrefix(u.Path, "/") || path.Clean(u.Path) != u.Path {
		return refuse
	}
	for _, p := range rawPaths {
		if u.Path == p || strings.HasPrefix(u.Path, p+"/") {
			return nil
		}
	}
	return refuse
}

// values is every value a flag holds: a list flag's items, or its one value.
func values(f *pflag.Flag) []string {
	if s, ok := f.Value.(pflag.SliceValue); ok {
		return s.GetSlice()
	}
	return []string{f.Value.String()}
}

func flagName(f *pflag.Flag) string {
	if f.Shorthand != "" {
		return "--" + f.Name + " (-" + f.Shorthand + ")"
	}
	return "--" + f.Name
}

func allowedList() string {
	var names []string
	for k, ok := range kubectlSubcommands {
		if ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
