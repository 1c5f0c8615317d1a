package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes, the same for every command (README: "Exit codes").
const (
	// exitOK: the command did what was asked.
	exitOK = 0
	// exitFailed: the command ran, and what it checked or did is not well
	// (an invalid release, an item not in failed/, a root that is not a
	// ferry root, a daemon that is not ready or cannot start).
	exitFailed = 1
	// exitUsage: the command line or the configuration is wrong (an
	// unknown flag, command, DSP or ERN version; a configuration file
	// that cannot be loaded).
	exitUsage = 2
)

// help describes a command for its -h output and `ferry help CMD`.
type help struct {
	// Usage is the synopsis after "ferry ", e.g. "validate [-json] DIR...".
	Usage string
	// About says what the command does, in a few plain lines.
	About string
}

// parseFlags parses a command's arguments the way people type them:
// flags may come before or after the positional arguments
// (`ferry validate DIR -json`); "--" ends the flags. -h, -help and
// --help print the command's help on standard output. When done is true
// the caller returns code at once: 0 after help, 2 after a usage error
// (reported on standard error with the usage line).
func parseFlags(fs *flag.FlagSet, args []string, h help) (positional []string, done bool, code int) {
	fs.SetOutput(io.Discard) // errors are reported here, once, with the usage
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Print(helpText(fs, h))
			return nil, true, exitOK
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "ferry %s: %v\nusage: ferry %s\nRun 'ferry %s -h' for details.\n", fs.Name(), err, h.Usage, fs.Name())
			return nil, true, exitUsage
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), false, exitOK
		}
		if len(rest) == 0 {
			return positional, false, exitOK
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// usageError reports a wrong command line (missing or extra arguments)
// and returns exitUsage.
func usageError(name string, h help, format string, a ...any) int {
	fmt.Fprintf(os.Stderr, "ferry %s: %s\nusage: ferry %s\nRun 'ferry %s -h' for details.\n", name, fmt.Sprintf(format, a...), h.Usage, name)
	return exitUsage
}

// helpText renders a command's help: usage, description, flags.
func helpText(fs *flag.FlagSet, h help) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Usage: ferry %s\n\n%s\n", h.Usage, strings.TrimSpace(h.About))
	var flags bytes.Buffer
	fs.SetOutput(&flags)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	if flags.Len() > 0 {
		fmt.Fprintf(&b, "\nFlags (before or after the arguments):\n%s", flags.String())
	}
	return b.String()
}
