package pipeline

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/stages/record"
)

// ErrorsFileName is the plain-text report written into every failed item.
const ErrorsFileName = record.ErrorsFile

// failure is why an item failed, in the words ERRORS.txt uses.
type failure struct {
	Stage   Stage
	DSP     string
	What    string   // one line: what went wrong
	Details []string // every problem, one per entry
	// Heading introduces Details; default "Problems found (N):". A DSP's
	// rejection is one problem in several fields: "The DSP said:".
	Heading  string
	ToDo     string // what the user should do
	Attempts int
	// Rejected marks the DSP's rejection of the delivery, which the
	// catalogue has recorded already (as rejected, not failed).
	Rejected bool
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
		heading := f.Heading
		if heading == "" {
			heading = fmt.Sprintf("Problems found (%d):", len(f.Details))
		}
		fmt.Fprintf(&b, "\n%s\n", heading)
		for _, d := range f.Details {
			fmt.Fprintf(&b, "- %s\n", strings.ReplaceAll(d, "\n", "\n  "))
		}
	}
	fmt.Fprintf(&b, "\nWhat to do:\n  %s\n", f.ToDo)
	fmt.Fprintf(&b, "  Then move this folder back into inbox/ to try again.\n")
	fmt.Fprintf(&b, "  The history of this folder is in %s.\n", record.HistoryPath)
	return []byte(b.String())
}

// uploadAdvice says what to check after a failed upload, in the terms of
// the DSP's transport: a local folder has no SFTP settings.
func uploadAdvice(d *config.DSP, err error) string {
	if d.Transport == "local" {
		if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
			return "The disk (or quota) of the local transport folder " + d.Local.Dir + " is full: free space there."
		}
		return "Check the local transport folder " + d.Local.Dir + " (local.dir): that it exists, ferry may write there, and its disk has space."
	}
	return "Check the DSP's SFTP settings and that its server is reachable."
}
