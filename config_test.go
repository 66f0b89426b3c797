package main

import (
	"bytes"
	"flag"
	"strings"
	"testing"
	"time"
)

func testFlags() (*flag.FlagSet, *string, *int, *time.Duration) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(new(bytes.Buffer))
	listen := fs.String("listen", "127.0.0.1:8080", "the web UI's address")
	max := fs.Int("max-sandboxes", 100, "how many sandboxes")
	idle := fs.Duration("sandbox-idle", time.Hour, "how long an idle sandbox lives")
	return fs, listen, max, idle
}

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestServeTakesEveryFlagFromItsEnvironmentVariableAndTheCommandLineWins(t *testing.T) {
	fs, listen, max, idle := testFlags()
	err := parseWithEnv(fs, []string{"--max-sandboxes", "7"}, env(map[string]string{
		"GLASSPLANE_LISTEN": "0.0.0.0:8080", "GLASSPLANE_MAX_SANDBOXES": "30", "GLASSPLANE_SANDBOX_IDLE": "5m"}))
	if err != nil {
		t.Fatal(err)
	}
	if *listen != "0.0.0.0:8080" || *max != 7 || *idle != 5*time.Minute {
		t.Errorf("listen %q, max-sandboxes %d, sandbox-idle %v; want 0.0.0.0:8080 from the environment, 7 from the command line, 5m", *listen, *max, *idle)
	}
}

func TestServeFailsOnABadValueNamingTheFlag(t *testing.T) {
	fs, _, _, _ := testFlags()
	err := parseWithEnv(fs, nil, env(map[string]string{"GLASSPLANE_SANDBOX_IDLE": "soon"}))
	if err == nil || !strings.Contains(err.Error(), "--sandbox-idle") || !strings.Contains(err.Error(), "GLASSPLANE_SANDBOX_IDLE") {
		t.Errorf("a bad environment value gave %v, want an error naming --sandbox-idle and GLASSPLANE_SANDBOX_IDLE", err)
	}
	fs, _, _, _ = testFlags()
	err = parseWithEnv(fs, []string{"--max-sandboxes", "many"}, env(nil))
	if err == nil || !strings.Contains(err.Error(), "max-sandboxes") {
		t.Errorf("a bad command-line value gave %v, want an error naming max-sandboxes", err)
	}
}

func TestServeHelpNamesEachFlagsEnvironmentVariable(t *testing.T) {
	fs, _, _, _ := testFlags()
	var out bytes.Buffer
	fs.SetOutput(&out)
	usageWithEnv(fs, "glassplane serve [flags]")
	fs.Usage()
	for _, want := range []string{"--listen", "GLASSPLANE_LISTEN", "GLASSPLANE_MAX_SANDBOXES", "GLASSPLANE_SANDBOX_IDLE"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help lacks %s:\n%s", want, out.String())
		}
	}
}
