package pipeline

import (
	"fmt"
	"strings"
	"time"

	"github.com/ferrydelivery/ferry/stages/record"
)

// ErrorsFileName is the plain-text report written into every failed item.
const ErrorsFileName = record.ErrorsFile

// failure is why an item failed, in the words ERRORS.txt uses.
type failure struct {
	Stage    Stage
	DSP      string
	What     string   // one line: what went wrong
	Details  []string // every problem, one per entry
	ToDo     string   // what the user should do
	Attempts int
}

// errorsText is ERRORS.txt for a failure: what went wrong, every
// problem, what to do, in plain words.
func errorsText(f failure, now time.Time) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "ferry could not deliver this release.\n\n")
	fmt.Fprintf(&b, "Stage:   %s\n", f.Stage)
	if f.DSP != "" {
		fmt.Fprintf(&b, "DSP:     %s\n", f.DSP)
	}
	fmt.Fprintf(&b, "When:    %s\n", now.UTC().Format(time.RFC3339))
	if f.Attempts > 1 {
		fmt.Fprintf(&b, "Tries:   %d\n", f.Attempts)
	}
	fmt.Fprintf(&b, "\nWhat went wrong:\n  %s\n", f.What)
	if len(f.Details) > 0 {
		fmt.Fprintf(&b, "\nProblems found (%d):\n", len(f.Details))
		for _, d := range f.Details {
			fmt.Fprintf(&b, "- %s\n", strings.ReplaceAll(d, "\n", "\n  "))
		}
	}
	fmt.Fprintf(&b, "\nWhat to do:\n  %s\n", f.ToDo)
	fmt.Fprintf(&b, "  Then move this folder back into inbox/ to try again.\n")
	fmt.Fprintf(&b, "  The history of this folder is in %s.\n", record.HistoryPath)
	return []byte(b.String())
}
