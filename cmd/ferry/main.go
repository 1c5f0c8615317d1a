// Command ferry delivers music releases to DSPs through hot folders.
//
//	ferry run [-config FILE] [-root DIR]
//	ferry validate [-json] DIR...
//	ferry ern -version V [-dsp NAME] [-config FILE] DIR
//	ferry status [-root DIR] [-config FILE] [-json]
//	ferry retry [-root DIR] [-config FILE] NAME...
//	ferry check-config FILE
//	ferry health [-config FILE] [-addr HOST:PORT] [-live]
//	ferry version
package main

import (
	"fmt"
	"os"
)

// commands maps each subcommand to its implementation; each returns the
// process exit code.
var commands = map[string]func(args []string) int{
	"run":          runCmd,
	"validate":     validateCmd,
	"ern":          ernCmd,
	"status":       statusCmd,
	"retry":        retryCmd,
	"check-config": checkConfigCmd,
	"health":       healthCmd,
	"version":      versionCmd,
}

const usage = `ferry delivers music releases to DSPs through hot folders.

Usage:
  ferry run [-config FILE] [-root DIR]          run the daemon
  ferry validate [-json] DIR...                 check release folders; exit 1 on problems
  ferry ern -version V [-dsp NAME] [-config FILE] DIR
                                                print the ERN message for a release folder
  ferry status [-root DIR] [-config FILE] [-json]
                                                show every release and DSP delivery
  ferry retry [-root DIR] [-config FILE] NAME...
                                                move failed items back to inbox/
  ferry check-config FILE                       check a configuration file
  ferry health [-config FILE] [-addr HOST:PORT] [-live]
                                                ask a running daemon whether it is ready (exit 0) or not (1)
  ferry version                                 print the version

Without -config, ferry uses its embedded default: root ./ferry-data and
one built-in DSP, "sandbox". See README.md for everything else.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	name := os.Args[1]
	if name == "-h" || name == "-help" || name == "--help" || name == "help" {
		fmt.Print(usage)
		return
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "ferry: unknown command %q\n\n%s", name, usage)
		os.Exit(2)
	}
	os.Exit(cmd(os.Args[2:]))
}
