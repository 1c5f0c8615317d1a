// Command ferry delivers music releases to DSPs through hot folders.
//
//	ferry run [-config FILE] [-root DIR] [-metrics ADDR]
//	ferry validate [-json] DIR...
//	ferry ern -version V [-dsp NAME] [-config FILE] DIR
//	ferry plan [-config FILE] [-json] DIR...
//	ferry releases [-root DIR] [-config FILE] [-json] [QUERY]
//	ferry status [-root DIR] [-config FILE] [-json]
//	ferry retry [-root DIR] [-config FILE] NAME...
//	ferry ids show|reserve|import …
//	ferry check-config FILE
//	ferry config [-config FILE]
//	ferry health [-config FILE] [-addr HOST:PORT] [-live]
//	ferry version
//	ferry help [COMMAND]
package main

import (
	"fmt"
	"os"
	_ "time/tzdata" // [lifecycle] timezone works in the distroless image, which has no zone files
)

// commands maps each subcommand to its implementation; each returns the
// process exit code.
var commands = map[string]func(args []string) int{
	"run":          runCmd,
	"validate":     validateCmd,
	"ern":          ernCmd,
	"plan":         planCmd,
	"releases":     releasesCmd,
	"status":       statusCmd,
	"retry":        retryCmd,
	"check-config": checkConfigCmd,
	"config":       configCmd,
	"health":       healthCmd,
	"version":      versionCmd,
	"ids":          idsCmd,
}

const usage = `ferry delivers music releases to DSPs through hot folders.

Usage:
  ferry run [-config FILE] [-root DIR] [-metrics ADDR]
                                                run the daemon
  ferry validate [-json] DIR...                 check release folders; exit 1 on problems
  ferry ern -version V [-dsp NAME] [-config FILE] DIR
                                                print the ERN message for a release folder
  ferry plan [-config FILE] [-json] DIR...      what would be sent to each DSP now, and why
  ferry releases [-root DIR] [-config FILE] [-json] [QUERY]
                                                the catalogue: what is live where, with message history
  ferry status [-root DIR] [-config FILE] [-json]
                                                show every release and DSP delivery
  ferry retry [-root DIR] [-config FILE] NAME...
                                                move failed items back to inbox/
  ferry ids show [-json] | reserve -upc|-isrc|-grid N [-note TEXT] | import FILE
                                                the label's identifier pools: what is left, codes reserved or loaded
  ferry check-config FILE                       check a configuration file
  ferry config [-config FILE]                   print the effective configuration
  ferry health [-config FILE] [-addr HOST:PORT] [-live]
                                                ask a running daemon whether it is ready (exit 0) or not (1)
  ferry version                                 print the version (also: ferry --version)
  ferry help COMMAND                            a command's usage, description and flags

Flags may come before or after a command's arguments; "ferry CMD -h"
describes CMD. Exit codes: 0 done, 1 what was checked or done is not
well, 2 wrong command line or configuration.

Without -config, ferry uses its embedded default: root ./ferry-data and
one built-in DSP, "sandbox". See README.md for everything else.
`

func main() {
	os.Exit(dispatch(os.Args[1:]))
}

// dispatch runs the command args name and returns the exit code.
func dispatch(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		fmt.Print(usage)
		return exitOK
	case "-version", "--version":
		return versionCmd(nil)
	case "help":
		if len(args) == 1 {
			fmt.Print(usage)
			return exitOK
		}
		if cmd, ok := commands[args[1]]; ok {
			return cmd([]string{"-h"})
		}
		fmt.Fprintf(os.Stderr, "ferry help: unknown command %q\n\n%s", args[1], usage)
		return exitUsage
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "ferry: unknown command %q\n\n%s", name, usage)
		return exitUsage
	}
	return cmd(args[1:])
}
