package main

import (
	"flag"
	"fmt"

	"github.com/ferrydelivery/ferry/pipeline"
)

var versionHelp = help{
	Usage: "version",
	About: `Prints ferry's version, the commit it was built from (with its time,
and "modified" when the tree had uncommitted changes), the Go version
and the platform. Also: ferry --version.`,
}

func versionCmd(args []string) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	rest, done, code := parseFlags(fs, args, versionHelp)
	if done {
		return code
	}
	if len(rest) > 0 {
		return usageError("version", versionHelp, "unexpected argument %q", rest[0])
	}
	fmt.Println(pipeline.Build())
	return exitOK
}

var checkConfigHelp = help{
	Usage: "check-config FILE",
	About: `Checks a configuration file and reports every problem at once, one per
line as FILE:LINE: KEY: WHAT, with "did you mean" for near misses.
Exit 0 when it is valid, 1 when it is not.`,
}

func checkConfigCmd(args []string) int {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	rest, done, code := parseFlags(fs, args, checkConfigHelp)
	if done {
		return code
	}
	if len(rest) != 1 {
		return usageError("check-config", checkConfigHelp, "want one FILE, got %d arguments", len(rest))
	}
	return checkConfigFile(rest[0])
}
