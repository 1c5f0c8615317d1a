package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern/ident"
	"github.com/ferrydelivery/ferry/pipeline"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// A release dropped with upc = "auto" and isrc = "auto" into a real
// ferry run gets codes from the label's pools, written into its
// release.toml (comments kept), recorded in its history, and delivered
// with them.
func TestAutoIdentifiersThroughTheDaemon(t *testing.T) {
	root := t.TempDir()
	cfg := testConfig(t, root, "node-a", `
[identifiers]
[[identifiers.upc]]
prefix = "5059876"
[[identifiers.isrc]]
country = "GB"
registrant = "EXR"
[dsp.sandbox]
transport = "sandbox"
dpid = "PADPIDA2014122301Q"
ack.poll = "200ms"
`)
	d := startDaemon(t, cfg)
	staging := t.TempDir()
	rel := releasetest.Write(t, staging, "auto", 71, releasetest.Options{})
	toml, _ := os.ReadFile(filepath.Join(rel, "release.toml"))
	text := strings.Replace(string(toml), `upc = "`+releasetest.UPC(71)+`"`, "# our next code, please\nupc = \"auto\"", 1)
	text = strings.Replace(text, `isrc = "GBEXR2600071"`, `isrc = "auto"`, 1)
	os.WriteFile(filepath.Join(rel, "release.toml"), []byte(text), 0o644)
	// ferry validate previews: a warning that intake allocates, exit 0,
	// release.toml untouched.
	out, err := exec.Command(ferryBin, "validate", "-config", cfg, rel).CombinedOutput()
	if after, _ := os.ReadFile(filepath.Join(rel, "release.toml")); err != nil || !strings.Contains(string(out), "id-auto-intake") || string(after) != text {
		t.Errorf("ferry validate before the drop (%v):\n%s", err, out)
	}
	dropInto(t, root, rel)
	done := filepath.Join(root, "acknowledged", "auto@sandbox")
	waitFor(t, 30*time.Second, "the release delivered", func() bool {
		_, err := os.Stat(done)
		return err == nil
	})
	written, _ := os.ReadFile(filepath.Join(done, "release.toml"))
	if strings.Contains(string(written), `"auto"`) || !strings.Contains(string(written), "# our next code, please") {
		t.Fatalf("release.toml after allocation:\n%s", written)
	}
	var upc, isrc string
	for _, line := range strings.Split(string(written), "\n") {
		if v, ok := strings.CutPrefix(line, "upc = "); ok {
			upc = strings.Trim(v, `"`)
		}
		if v, ok := strings.CutPrefix(line, "isrc = "); ok && isrc == "" {
			isrc = strings.Trim(v, `"`)
		}
	}
	if err := ident.CheckUPC(upc); err != nil || !strings.HasPrefix(upc, "5059876") {
		t.Errorf("allocated UPC %q: %v", upc, err)
	}
	if err := ident.CheckISRC(isrc); err != nil || !strings.HasPrefix(isrc, "GBEXR") {
		t.Errorf("allocated ISRC %q: %v", isrc, err)
	}
	hist, err := pipeline.ReadHistory(done)
	if err != nil {
		t.Fatal(err)
	}
	noted := false
	for _, h := range hist {
		if strings.Contains(h.Note, "identifiers allocated") && strings.Contains(h.Note, upc) {
			noted = true
		}
	}
	if !noted {
		t.Errorf("the history does not record the codes: %+v", hist)
	}
	d.stop()
}
