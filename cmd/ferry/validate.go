package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/ferrydelivery/ferry/stages"
)

// validateCmd checks release folders as the daemon's validate stage does
// and prints every problem. Exit 1 when any folder has an error.
func validateCmd(args []string) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the problems as JSON")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: ferry validate [-json] DIR...")
		return 2
	}
	type report struct {
		Dir      string          `json:"dir"`
		Valid    bool            `json:"valid"`
		Problems stages.Problems `json:"problems"`
	}
	var reports []report
	code := 0
	for _, dir := range fs.Args() {
		_, problems := stages.Load(dir)
		if problems == nil {
			problems = stages.Problems{}
		}
		valid := problems.Errors() == 0
		if !valid {
			code = 1
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
			fmt.Printf("%s: OK with %d warning(s)\n", r.Dir, len(r.Problems))
		default:
			fmt.Printf("%s: %d error(s)\n", r.Dir, r.Problems.Errors())
		}
		for _, p := range r.Problems {
			fmt.Printf("  %s\n", indent(p.String()))
		}
	}
	return code
}

func indent(s string) string {
	out := []rune{}
	for _, r := range s {
		out = append(out, r)
		if r == '\n' {
			out = append(out, ' ', ' ')
		}
	}
	return string(out)
}
