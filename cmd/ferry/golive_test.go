package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// Duplicate go-live: a release whose recording (ISRC) is live at the DSP
// on another release is held in failed/, naming that release; with
// allow_reuse (a compilation) it goes. Against the sandbox and Debian's
// sshd.
func TestDuplicateGoLiveIsHeld(t *testing.T) {
	forEachDSP(t, func(t *testing.T, dsps func(...string) string) {
		root := t.TempDir()
		cfg := testConfig(t, root, "node-a", dsps("alpha"))
		d := startDaemon(t, cfg)
		staging := t.TempDir()
		dropInto(t, root, releasetest.Write(t, staging, "original", 31, releasetest.Options{}))
		waitFor(t, 30*time.Second, "the original live", func() bool {
			return len(entries(t, filepath.Join(root, "acknowledged"))) == 1
		})
		reuse := releasetest.Write(t, staging, "compilation", 32, releasetest.Options{})
		toml, _ := os.ReadFile(filepath.Join(reuse, "release.toml"))
		toml = bytes.Replace(toml, []byte("GBEXR2600032"), []byte("GBEXR2600031"), 1)
		os.WriteFile(filepath.Join(reuse, "release.toml"), toml, 0o644)
		// ferry plan says so before the drop, and exits 1.
		out, err := exec.Command(ferryBin, "plan", "-config", cfg, "-json", reuse).Output()
		var plans []dspPlan
		if json.Unmarshal(out, &plans); err == nil || len(plans) != 1 || plans[0].Conflict == nil ||
			!strings.Contains(plans[0].Conflict.What, "duplicate go-live") || len(plans[0].Conflict.Details) != 1 {
			t.Errorf("ferry plan (%v): %s, want the duplicate go-live conflict and exit 1", err, out)
		}
		dropInto(t, root, reuse)
		item := filepath.Join(root, "failed", "compilation@alpha")
		waitFor(t, 30*time.Second, "the duplicate held in failed/", func() bool {
			_, err := os.Stat(filepath.Join(item, "ERRORS.txt"))
			return err == nil
		})
		report, _ := os.ReadFile(filepath.Join(item, "ERRORS.txt"))
		for _, want := range []string{"duplicate go-live", "GBEXR2600031 is live at alpha on release " + releasetest.UPC(31), "allow_reuse"} {
			if !strings.Contains(string(report), want) {
				t.Errorf("ERRORS.txt does not say %q:\n%s", want, report)
			}
		}
		// A compilation says so, and goes.
		os.WriteFile(filepath.Join(item, "release.toml"), append([]byte("allow_reuse = true\n"), toml...), 0o644)
		if err := os.Rename(item, filepath.Join(root, "inbox", "compilation@alpha")); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 30*time.Second, "the compilation delivered", func() bool {
			_, err := os.Stat(filepath.Join(root, "acknowledged", "compilation@alpha"))
			return err == nil
		})
		d.stop()
	})
}
