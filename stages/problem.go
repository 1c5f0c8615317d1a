package stages

import (
	"fmt"
	"strings"
)

// Severity says whether a problem blocks a delivery.
type Severity string

// Severities: errors block the delivery, warnings are reported only.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Problem is one thing wrong with a release folder, in words a label's
// delivery team understands: where, what, and how to fix it.
type Problem struct {
	Severity Severity `json:"severity"`
	Rule     string   `json:"rule"`          // stable name, used by severity overrides
	Where    string   `json:"where"`         // a file or a release.toml field
	What     string   `json:"what"`          // what is wrong
	Fix      string   `json:"fix,omitempty"` // what to do about it
	DSP      string   `json:"dsp,omitempty"` // set when only one DSP's rules object
}

func (p Problem) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s: %s", strings.ToUpper(string(p.Severity)), p.Where, p.What)
	if p.DSP != "" {
		fmt.Fprintf(&b, " (for %s)", p.DSP)
	}
	if p.Fix != "" {
		fmt.Fprintf(&b, "\n  fix: %s", p.Fix)
	}
	return b.String()
}

// Problems is a validation report.
type Problems []Problem

// Errors counts the blocking problems.
func (ps Problems) Errors() int {
	n := 0
	for _, p := range ps {
		if p.Severity == Error {
			n++
		}
	}
	return n
}

// Error makes a report with errors usable as an error value, listing them.
func (ps Problems) Error() string {
	var lines []string
	for _, p := range ps {
		lines = append(lines, p.String())
	}
	return strings.Join(lines, "\n")
}
