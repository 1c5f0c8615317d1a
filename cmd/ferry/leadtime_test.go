package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// Lead time: a release dated yesterday goes to a DSP that asks for three
// days with a warning, and is held in failed/ for a DSP where the rule is
// an error (strict lead time), the ERRORS.txt saying why and what to do.
// Against the sandbox and Debian's sshd.
func TestLeadTimeWarnsOrHolds(t *testing.T) {
	forEachDSP(t, func(t *testing.T, dsps func(...string) string) {
		root := t.TempDir()
		d := startDaemon(t, testConfig(t, root, "node-a", dsps("relaxed", "strict")+`
[dsp.relaxed.rules]
lead_time = "72h"
[dsp.strict.rules]
lead_time = "72h"
[dsp.strict.rules.severity]
lead-time = "error"
`))
		staging := t.TempDir()
		rel := releasetest.Write(t, staging, "late", 41, releasetest.Options{})
		toml, _ := os.ReadFile(filepath.Join(rel, "release.toml"))
		yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
		os.WriteFile(filepath.Join(rel, "release.toml"), []byte(strings.Replace(string(toml), `release_date = "2026-12-04"`, `release_date = "`+yesterday+`"`, 1)), 0o644)
		dropInto(t, root, rel)
		report := filepath.Join(root, "failed", "late@strict", "ERRORS.txt")
		waitFor(t, 30*time.Second, "delivered to relaxed, held for strict", func() bool {
			_, errA := os.Stat(filepath.Join(root, "acknowledged", "late@relaxed"))
			_, errF := os.Stat(report)
			return errA == nil && errF == nil
		})
		b, _ := os.ReadFile(report)
		for _, want := range []string{"lead-time", yesterday + " is past", "3 days ahead", "agree the date with the DSP"} {
			if !strings.Contains(string(b), want) {
				t.Errorf("ERRORS.txt does not say %q:\n%s", want, b)
			}
		}
		d.stop()
		if !strings.Contains(d.log(), "lead-time") {
			t.Error("the warning for relaxed was not logged")
		}
	})
}
