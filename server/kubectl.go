package server

// The terminal: real kubectl (glassplane's own `glassplane kubectl`) run in a
// child process as the sandbox's admin. The child gets a kubeconfig for the
// sandbox only, an empty home directory, and no way to name files: the words
// are first parsed and judged by kubectlWords (kubectlargs.go), which lets
// only allow-listed subcommands and flags through, refuses anything that
// reads or writes files or points kubectl elsewhere, and turns `-f NAME` of a
// built-in file (examplefiles.go) into `-f -` with the file as input.

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/glassplane/glassplane/controlplane"
)

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
	if len(req.Stdin) > maxApplyBytes {
		return fail(c, http.StatusRequestEntityTooLarge, "stdin is too large")
	}
	args, stdin, err := kubectlWords(req.Args, req.Stdin)
	if err != nil {
		return c.JSON(http.StatusOK, KubectlResult{Stderr: "error: " + err.Error() + "\n", ExitCode: 1})
	}
	res, err := w.runKubectl(c.Request().Context(), sandboxOf(c), args, stdin)
	if err != nil {
		return fail(c, http.StatusInternalServerError, err.Error())
	}
	return c.JSON(http.StatusOK, res)
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
