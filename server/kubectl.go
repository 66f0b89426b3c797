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
	"api-versions": true, "run": true, "expose": true, "set": true, "patch": true, "edit": false,
}

// refusedFlags would read or write the server's files or leave the sandbox.
var refusedFlags = []string{"--kubeconfig", "--server", "-s", "--token", "--certificate-authority",
	"--client-certificate", "--client-key", "--cache-dir", "--kustomize", "-k", "--from-file",
	"--from-env-file", "--output-directory", "--username", "--password", "--context", "--cluster", "--user",
	"--insecure-skip-tls-verify", "--tls-server-name", "--log-file", "--log-dir", "--template-file"}

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
	for i, a := range args {
		for _, f := range refusedFlags {
			if a == f || strings.HasPrefix(a, f+"=") {
				return fmt.Errorf("the flag %s is not available in the terminal", f)
			}
		}
		if a == "-f" || a == "--filename" {
			if i+1 >= len(args) || args[i+1] != "-" {
				return errors.New("files cannot be read here: use -f - with the manifest as input, or the playground")
			}
		}
		if strings.HasPrefix(a, "--filename=") && a != "--filename=-" || strings.HasPrefix(a, "-f") && len(a) > 2 && a != "-f-" && !strings.HasPrefix(a, "-f=") {
			return errors.New("files cannot be read here: use -f - with the manifest as input, or the playground")
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
