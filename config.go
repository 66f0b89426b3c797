package main

// Every flag of `glassplane serve` may also come from the environment, as
// GLASSPLANE_<FLAG> with dashes turned into underscores and upper case
// (--max-sandboxes is GLASSPLANE_MAX_SANDBOXES): a container or a systemd
// unit sets its configuration without a command line. A flag on the command
// line wins over its variable. A value that does not parse stops the start
// with a message naming both the flag and the variable.

import (
	"flag"
	"fmt"
	"strings"
)

// envName is the environment variable of the flag name.
func envName(flagName string) string {
	return "GLASSPLANE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseWithEnv sets every flag of fs whose variable lookup finds, then parses
// args over them.
func parseWithEnv(fs *flag.FlagSet, args []string, lookup func(string) (string, bool)) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		v, ok := lookup(envName(f.Name))
		if !ok || err != nil {
			return
		}
		if serr := fs.Set(f.Name, v); serr != nil {
			err = fmt.Errorf("invalid value %q for --%s (from %s): %v", v, f.Name, envName(f.Name), serr)
		}
	})
	if err != nil {
		return err
	}
	return fs.Parse(args)
}

// usageWithEnv makes fs's --help name each flag's environment variable.
func usageWithEnv(fs *flag.FlagSet, synopsis string) {
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: %s\n\nEvery flag may also be set in the environment as GLASSPLANE_<FLAG> (dashes as\nunderscores, upper case); a flag on the command line wins.\n\nFlags:\n", synopsis)
		fs.VisitAll(func(f *flag.Flag) {
			name, usage := flag.UnquoteUsage(f)
			fmt.Fprintf(out, "  --%s %s\n    \t%s", f.Name, name, strings.ReplaceAll(usage, "\n", "\n    \t"))
			if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" && f.DefValue != "[]" {
				fmt.Fprintf(out, " (default %q)", f.DefValue)
			}
			fmt.Fprintf(out, "\n    \tenvironment: %s\n", envName(f.Name))
		})
	}
}
