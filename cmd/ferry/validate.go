package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/ferrydelivery/ferry/stages/validate"
)

var validateHelp = help{
	Usage: "validate [-config FILE] [-json] DIR...",
	About: `Checks release folders as the daemon's validate stage does and prints
every problem of each, errors and warnings. With -config, that file's DSP
rules and severity overrides apply. Exit 0 when every folder is valid,
1 when one has an error, 2 on a wrong command line or configuration.`,
}

// validateCmd checks release folders as the daemon's validate stage does
// and prints every problem. Exit 1 when any folder has an error.
func validateCmd(args []string) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the problems as JSON")
	cfgPath := fs.String("config", "", "configuration file whose DSP rules and severity overrides apply (default: the default rules, deliver_to not checked)")
	dirs, done, code := parseFlags(fs, args, validateHelp)
	if done {
		return code
	}
	if len(dirs) == 0 {
		return usageError("validate", validateHelp, "name at least one release folder")
	}
	v := &validate.Validator{}
	if *cfgPath != "" {
		cfg, is, err := lintConfigFile(*cfgPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ferry:", err)
			return exitUsage
		}
		if len(is) > 0 {
			fmt.Fprintf(os.Stderr, "ferry: config %s:\n%v\n", *cfgPath, is)
			return exitUsage
		}
		v = validate.ValidatorFor(cfg)
		v.Preview = validate.PreviewFor(cfg)
	}
	type report struct {
		Dir      string            `json:"dir"`
		Valid    bool              `json:"valid"`
		Problems validate.Problems `json:"problems"`
	}
	var reports []report
	code = exitOK
	for _, dir := range dirs {
		_, problems := v.Validate(dir)
		if problems == nil {
			problems = validate.Problems{}
		}
		valid := problems.Errors() == 0
		if !valid {
			code = exitFailed
		}
		reports = append(reports, report{Dir: dir, Valid: valid, Problems: problems})
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(reports)
		return code
	}
	for _, r := range reports {
		switch {
		case len(r.Problems) == 0:
			fmt.Printf("%s: OK\n", r.Dir)
		case r.Valid:
			fmt.Printf("%s: OK with %d warning(s)\n", r.Dir, r.Problems.Warnings())
		default:
			fmt.Printf("%s: %d error(s), %d warning(s)\n", r.Dir, r.Problems.Errors(), r.Problems.Warnings())
		}
		for _, p := range r.Problems {
			fmt.Printf("  %s\n", indent(p.String()))
		}
	}
	return code
}

func indent(s string) string {
	return strings.ReplaceAll(s, "\n", "\n  ")
}
