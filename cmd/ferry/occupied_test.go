package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// New platforms appended: a release live at one DSP, dropped again
// unchanged naming a second DSP, goes to the second as a first delivery;
// the first, which has it exactly as it is, is skipped. Dropped again
// once more, there is nothing to send anywhere, and the folder says so.
// Against the sandbox and Debian's sshd.
func TestOccupiedPlatformsAreSkipped(t *testing.T) {
	forEachDSP(t, func(t *testing.T, dsps func(...string) string) {
		root := t.TempDir()
		d := startDaemon(t, testConfig(t, root, "node-a", dsps("alpha", "beta")))
		staging := t.TempDir()
		dropInto(t, root, releasetest.Write(t, staging, "one", 21, releasetest.Options{DeliverTo: []string{"alpha"}}))
		waitFor(t, 30*time.Second, "the release at alpha", func() bool {
			_, err := os.Stat(filepath.Join(root, "acknowledged", "one@alpha"))
			return err == nil
		})
		dropInto(t, root, releasetest.Write(t, staging, "both", 21, releasetest.Options{DeliverTo: []string{"alpha", "beta"}}))
		waitFor(t, 30*time.Second, "the release at beta", func() bool {
			_, err := os.Stat(filepath.Join(root, "acknowledged", "both@beta"))
			return err == nil
		})
		time.Sleep(time.Second)
		if _, err := os.Stat(filepath.Join(root, "acknowledged", "both@alpha")); err == nil {
			t.Error("alpha, which has the release exactly as it is, got it again")
		}
		if !strings.Contains(d.log(), "nothing to send: identical to what the DSP has") {
			t.Error("the skip was not logged")
		}
		dropInto(t, root, releasetest.Write(t, staging, "again", 21, releasetest.Options{DeliverTo: []string{"alpha", "beta"}}))
		report := filepath.Join(root, "failed", "again", "ERRORS.txt")
		waitFor(t, 30*time.Second, "the pointless drop explained", func() bool {
			_, err := os.Stat(report)
			return err == nil
		})
		if b, _ := os.ReadFile(report); !strings.Contains(string(b), "exactly as it is") || !strings.Contains(string(b), "redeliver") {
			t.Errorf("ERRORS.txt:\n%s", b)
		}
		d.stop()
	})
}
