package validate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Severity says whether a problem blocks a delivery.
type Severity string

// Severities: errors block the delivery, warnings are reported only.
// Off is what a config override uses to silence a rule; no reported
// problem has it.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Off     Severity = "off"
)

// Problem is one thing wrong with a release folder, in words a label's
// delivery team understands: where, what, and how to fix it.
type Problem struct {
	Severity Severity `json:"severity"`
	Rule     string   `json:"rule"`          // stable name, used by severity overrides
	Where    string   `json:"where"`         // a release.toml field (tracks[3].isrc) or a file in the folder
	What     string   `json:"what"`          // what is wrong
	Fix      string   `json:"fix,omitempty"` // what to do about it
	// DSP names the DSPs the problem applies to, separated by ", ", when
	// it does not apply to every DSP the release goes to (a per-DSP rule
	// or severity override); empty otherwise.
	DSP string `json:"dsp,omitempty"`
	// Line is the line of release.toml that Where is written on (or its
	// table's line when the field is missing); 0 when not known.
	Line int `json:"line,omitempty"`
	// Confirmed is set on a warning that was an error the release
	// confirms (confirm = ["rule"]): it is noted in the item's history.
	Confirmed bool `json:"confirmed,omitempty"`
}

// String writes the problem as ERRORS.txt and `ferry validate` show it:
//
//	ERROR tracks[3].isrc (line 14): ISRC "GBEXR2600O01": character 8 is 'O', expected a digit
//	  fix: copy the ISRC exactly as issued, e.g. GB-EXR-26-00001
//	  rule: isrc
func (p Problem) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", strings.ToUpper(string(p.Severity)), p.Where)
	if p.Line > 0 {
		fmt.Fprintf(&b, " (line %d)", p.Line)
	}
	fmt.Fprintf(&b, ": %s", p.What)
	if p.Fix != "" {
		fmt.Fprintf(&b, "\n  fix: %s", p.Fix)
	}
	fmt.Fprintf(&b, "\n  rule: %s", p.Rule)
	if p.Confirmed {
		b.WriteString(", confirmed: sent anyway")
	}
	if p.DSP != "" {
		fmt.Fprintf(&b, " (for %s only)", p.DSP)
	}
	return b.String()
}

// AppliesTo reports whether the problem concerns deliveries to dsp.
func (p Problem) AppliesTo(dsp string) bool {
	return p.DSP == "" || slices.Contains(strings.Split(p.DSP, ", "), dsp)
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

// Warnings counts the problems that do not block.
func (ps Problems) Warnings() int {
	n := 0
	for _, p := range ps {
		if p.Severity == Warning {
			n++
		}
	}
	return n
}

// For keeps the problems that concern deliveries to dsp, so that a
// problem of one DSP need not hold back the others.
func (ps Problems) For(dsp string) Problems {
	var out Problems
	for _, p := range ps {
		if p.AppliesTo(dsp) {
			out = append(out, p)
		}
	}
	return out
}

// Error makes a report with errors usable as an error value, listing them.
func (ps Problems) Error() string {
	var lines []string
	for _, p := range ps {
		lines = append(lines, p.String())
	}
	return strings.Join(lines, "\n")
}

// Sort orders the report for reading: errors first, then by place
// (tracks[2] before tracks[10]), keeping the order of checks otherwise.
func (ps Problems) Sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if a.Severity != b.Severity {
			return severityRank(a.Severity) - severityRank(b.Severity)
		}
		return naturalCompare(a.Where, b.Where)
	})
}

func severityRank(s Severity) int {
	switch s {
	case Error:
		return 0
	case Warning:
		return 1
	}
	return 2
}

// naturalCompare compares strings with runs of digits compared as
// numbers, so tracks[9] sorts before tracks[10].
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := len(na) - len(nb); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digitRun(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// Grouping: a message with thousands of deals can have thousands of
// problems that say the same thing in different places. Listing them one
// by one buries the report (and once wrote a 10 MB ERRORS.txt).
const (
	groupOver = 10 // more problems of one kind than this are grouped
	groupKeep = 3  // of a group, this many are listed in full
)

// Grouped returns the report with problems of one kind — the same
// severity, rule, fix and DSPs — listed in full up to groupKeep when
// there are more than groupOver of them, followed by one line that counts
// the rest ("… and 4,997 more like it") and names where the first and
// last of them are. The order is kept; the input is not changed.
func (ps Problems) Grouped() Problems {
	type kind struct{ sev, rule, fix, dsp string }
	count := map[kind]int{}
	for _, p := range ps {
		count[kind{string(p.Severity), p.Rule, p.Fix, p.DSP}]++
	}
	grouped := false
	for _, n := range count {
		if n > groupOver {
			grouped = true
		}
	}
	if !grouped {
		return ps
	}
	out := make(Problems, 0, len(ps))
	seen := map[kind]int{}
	last := map[kind]string{}
	for _, p := range ps {
		k := kind{string(p.Severity), p.Rule, p.Fix, p.DSP}
		if count[k] > groupOver {
			last[k] = p.Where
		}
	}
	for _, p := range ps {
		k := kind{string(p.Severity), p.Rule, p.Fix, p.DSP}
		n := count[k]
		seen[k]++
		switch i := seen[k]; {
		case n <= groupOver || i <= groupKeep:
			out = append(out, p)
		case i == groupKeep+1:
			rest := n - groupKeep
			out = append(out, Problem{Severity: p.Severity, Rule: p.Rule, Fix: p.Fix, DSP: p.DSP,
				Where: p.Where + " … " + last[k],
				What:  fmt.Sprintf("… and %s more like it (rule %s), not listed one by one", thousands(rest), p.Rule)})
		}
	}
	return out
}

// thousands writes n with commas between thousands: 4,999.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
