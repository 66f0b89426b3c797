package server

// The terminal: real kubectl (glassplane's own `glassplane kubectl`) run in a
// child process as the sandbox's admin. The child gets a kubeconfig for the
// sandbox only, an empty home directory, and no way to name files: only the
// allow-listed subcommands run, and flags that read or write files or point
// kubectl elsewhere are refused.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/glassplane/glassplane/controlplane"
)

// kubectlSubcommands may run from the terminal.
var kubectlSubcommands = map[string]bool{
	"get": true, "describe": true, "create": true, "apply": true, "delete": true, "scale": true,
	"rollout": true, "logs": true, "label": true, "annotate": true, "cordon": true, "uncordon": true,
	"drain": true, "taint": true, "auth": true, "explain": true, "version": true, "api-resources": true,
	"api-versions": true, "run": true, "expose": true, "set": true, "patch": true,
}

// allowedFlags are the only flags the terminal passes to kubectl: they select,
// format and change objects in the sandbox. Anything that names a file, a
// server, credentials or a profile output is absent, so it is refused.
// Values are checked separately where a flag's value could name a file.
var allowedFlags = map[string]bool{
	"-n": true, "--namespace": true, "-A": true, "--all-namespaces": true, "-o": true, "--output": true,
	"-l": true, "--selector": true, "--field-selector": true, "--show-labels": true, "-L": true, "--label-columns": true,
	"--sort-by": true, "--no-headers": true, "--show-kind": true, "-w": true, "--watch": true, "--output-watch-events": true,
	"-f": true, "--filename": true, "--replicas": true, "--image": true, "--port": true, "--target-port": true,
	"--type": true, "--name": true, "--to-revision": true, "--revision": true, "--as": true, "--as-group": true,
	"--dry-run": true, "--force": true, "--grace-period": true, "--now": true, "--wait": true, "--cascade": true,
	"--ignore-daemonsets": true, "--delete-emptydir-data": true, "--overwrite": true, "--all": true,
	"--tail": true, "-c": true, "--container": true, "--all-containers": true, "--previous": true, "-p": true,
	"--patch": true, "--timestamps": true, "--since": true, "--timeout": true, "-h": true, "--help": true,
	"--restart": true, "--command": true, "--env": true, "--labels": true, "--expose": true, "--from-literal": true,
	"--subresource": true, "--list": true, "--api-group": true, "--namespaced": true, "--verbs": true,
	"--raw": true, "--ignore-not-found": true, "--field-manager": true, "--validate": true, "--save-config": true,
	"--recursive": true, "--current-replicas": true, "--protocol": true,
	"--external-ip": true, "--record": true, "--tcp": true, "--clusterrole": true, "--role": true,
	"--user": true, "--group": true, "--serviceaccount": true, "--verb": true, "--resource": true,
	"--resource-name": true, "--duration": true, "--audience": true, "--bound-object-kind": true,
	"--bound-object-name": true, "--watch-only": true, "--chunk-size": true,
}

// fileOutputs are output formats that read a template from a file.
var fileOutputs = []string{"go-template-file", "jsonpath-file", "templatefile", "custom-columns-file"}

const kubectlTimeout = 30 * time.Second

// KubectlResult is what the terminal prints.
type KubectlResult struct {
	Stdout   string `json:"stdout"`
	Stderr   string `json:"stderr"`
	ExitCode int    `json:"exitCode"`
}

func (w *Web) kubectl(c echo.Context) error {
	var req struct {
		Args  []string `json:"args"`
		Stdin string   `json:"stdin"`
	}
	if err := c.Bind(&req); err != nil {
		return fail(c, http.StatusBadRequest, `the body must be JSON like {"args": ["get", "pods"]}`)
	}
	if err := checkKubectlArgs(req.Args); err != nil {
		return c.JSON(http.StatusOK, KubectlResult{Stderr: "error: " + err.Error() + "\n", ExitCode: 1})
	}
	if len(req.Stdin) > maxApplyBytes {
		return fail(c, http.StatusRequestEntityTooLarge, "stdin is too large")
	}
	res, err := w.runKubectl(c.Request().Context(), sandboxOf(c), req.Args, req.Stdin)
	if err != nil {
		return fail(c, http.StatusInternalServerError, err.Error())
	}
	return c.JSON(http.StatusOK, res)
}

func checkKubectlArgs(args []string) error {
	if len(args) == 0 {
		return errors.New("type a kubectl command, for example: get pods -o wide")
	}
	if !kubectlSubcommands[args[0]] {
		return fmt.Errorf("the terminal runs only these kubectl commands: %s", allowedList())
	}
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return nil // what follows is a container's command, not kubectl's
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			continue
		}
		name, value, hasValue := splitFlag(a)
		if !allowedFlags[name] {
			return fmt.Errorf("the flag %s is not available in the terminal", name)
		}
		if !hasValue && flagTakesValue(name) && i+1 < len(args) {
			value, hasValue = args[i+1], true
		}
		if err := checkFlagValue(name, value, hasValue); err != nil {
			return err
		}
	}
	return nil
}

// splitFlag returns a flag's canonical name (kubectl accepts "_" for "-")
// and a value given in the same word ("--output=yaml", "-oyaml").
func splitFlag(a string) (name, value string, hasValue bool) {
	if strings.HasPrefix(a, "--") {
		name, value, hasValue = strings.Cut(a, "=")
		return strings.ReplaceAll(name, "_", "-"), value, hasValue
	}
	if len(a) > 2 { // a short flag with its value glued on: -oyaml, -nkube-system
		return a[:2], strings.TrimPrefix(a[2:], "="), true
	}
	return a, "", false
}

func flagTakesValue(name string) bool {
	switch name {
	case "-o", "--output", "-f", "--filename":
		return true
	}
	return false
}

func checkFlagValue(name, value string, hasValue bool) error {
	switch name {
	case "-f", "--filename":
		if !hasValue || value != "-" {
			return errors.New("files cannot be read here: use -f - with the manifest as input, or the playground")
		}
	case "-o", "--output":
		for _, f := range fileOutputs {
			if strings.HasPrefix(value, f) {
				return fmt.Errorf("the output format %s reads a file, which the terminal cannot do", f)
			}
		}
	}
	return nil
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

func (w *Web) runKubectl(ctx context.Context, sb *Sandbox, args []string, stdin string) (KubectlResult, error) {
	return w.runKubectlAs(ctx, sb, "admin", args, stdin)
}

// runKubectlAs runs kubectl as a built-in user (admin, alice or bob).
func (w *Web) runKubectlAs(ctx context.Context, sb *Sandbox, user string, args []string, stdin string) (KubectlResult, error) {
	home, err := os.MkdirTemp("", "glassplane-kubectl")
	if err != nil {
		return KubectlResult{}, err
	}
	defer os.RemoveAll(home)
	kc, err := controlplane.Kubeconfig(sb.Cluster.DataDir, sb.Cluster.Addr, user)
	if err != nil {
		return KubectlResult{}, err
	}
	kcPath := filepath.Join(home, "kubeconfig")
	if err := os.WriteFile(kcPath, kc, 0o600); err != nil {
		return KubectlResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, kubectlTimeout)
	defer cancel()
	bin := w.kubectlBinary
	cmd := exec.CommandContext(ctx, bin[0], append(append([]string{}, bin[1:]...), args...)...)
	cmd.Dir = home
	cmd.Env = []string{"HOME=" + home, "KUBECONFIG=" + kcPath, "PATH=/usr/bin:/bin", "KUBECTL_COMMAND_HEADERS=false"}
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	res := KubectlResult{Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.ExitCode = exit.ExitCode()
	case err != nil:
		return res, err
	}
	return res, nil
}
