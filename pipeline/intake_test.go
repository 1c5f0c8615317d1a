package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/config"
	"github.com/ferrydelivery/ferry/stages/validate/releasetest"
)

// localConfig delivers to a local folder without acknowledgements.
func localConfig(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := config.Parse(fmt.Sprintf(`
root = %q
node = "test"
[sender]
dpid = "PADPIDA3897722461G"
[watch]
settle = "100ms"
poll_interval = "50ms"
rescan = "1s"
[metrics]
listen = ""
[dsp.dsp]
transport = "local"
local.dir = %q
ack.mode = "none"
`, t.TempDir(), t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestLooseFileIsKeptInFailedWithAnExplanation(t *testing.T) {
	e := runEngine(t, localConfig(t))
	if err := os.WriteFile(filepath.Join(e.layout.Dir(Inbox), "song.wav"), []byte("RIFF"), 0o644); err != nil {
		t.Fatal(err)
	}
	item := filepath.Join(e.layout.Dir(Failed), "song.wav")
	waitPath(t, filepath.Join(item, ErrorsFileName), 20*time.Second)
	if b, err := os.ReadFile(filepath.Join(item, "song.wav")); err != nil || string(b) != "RIFF" {
		t.Errorf("the loose file was not kept: %v", err)
	}
	if report := readErrors(t, item); !strings.Contains(report, "release folders, not single files") {
		t.Errorf("ERRORS.txt does not explain the drop format:\n%s", report)
	}
}

func TestReleaseWithoutMetadataFailsClearly(t *testing.T) {
	e := runEngine(t, localConfig(t))
	staging := t.TempDir()
	dir := filepath.Join(staging, "no-metadata")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "track.wav"), []byte("RIFF"), 0o644)
	os.Rename(dir, filepath.Join(e.layout.Dir(Inbox), "no-metadata"))
	item := filepath.Join(e.layout.Dir(Failed), "no-metadata")
	waitPath(t, filepath.Join(item, ErrorsFileName), 20*time.Second)
	if report := readErrors(t, item); !strings.Contains(report, "release.toml") {
		t.Errorf("ERRORS.txt does not mention release.toml:\n%s", report)
	}
	if _, err := os.Stat(filepath.Join(item, "track.wav")); err != nil {
		t.Errorf("a file of the failed folder was lost: %v", err)
	}
}

func TestReadyMarkerBesideTheFolderIsRemovedOnceTaken(t *testing.T) {
	cfg := localConfig(t)
	cfg.Watch.ReadyMarker = "<name>.done"
	e := runEngine(t, cfg)
	drop(t, e, "marked", 31, releasetest.Options{})
	time.Sleep(500 * time.Millisecond) // settled long ago: only the marker may release it
	if _, err := os.Stat(filepath.Join(e.layout.Dir(Inbox), "marked")); err != nil {
		t.Fatalf("taken without its marker: %v", err)
	}
	marker := filepath.Join(e.layout.Dir(Inbox), "marked.done")
	os.WriteFile(marker, nil, 0o644)
	waitPath(t, filepath.Join(e.layout.Dir(Acknowledged), "marked@dsp"), 20*time.Second)
	if _, err := os.Stat(marker); err == nil {
		t.Error("the marker stayed: a new drop of the same name would be taken at once")
	}
}

// TestOneDSPsRulesBlockOnlyThatDSP: a cover too small for one DSP's rules
// stops that DSP's delivery; the other DSP gets the release.
func TestOneDSPsRulesBlockOnlyThatDSP(t *testing.T) {
	cfg, err := config.Parse(fmt.Sprintf(`
root = %q
node = "test"
[sender]
dpid = "PADPIDA3897722461G"
[watch]
settle = "100ms"
poll_interval = "50ms"
[metrics]
listen = ""
[dsp.easy]
transport = "local"
local.dir = %q
ack.mode = "none"
[dsp.strict]
transport = "local"
local.dir = %q
ack.mode = "none"
rules.min_artwork_px = 4000
`, t.TempDir(), t.TempDir(), t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	e := runEngine(t, cfg)
	drop(t, e, "cover3000", 41, releasetest.Options{})
	waitPath(t, filepath.Join(e.layout.Dir(Acknowledged), "cover3000@easy"), 20*time.Second)
	failed := filepath.Join(e.layout.Dir(Failed), "cover3000@strict")
	waitPath(t, filepath.Join(failed, ErrorsFileName), 20*time.Second)
	report := readErrors(t, failed)
	for _, want := range []string{"strict's rules", "4000", "the other DSPs got it"} {
		if !strings.Contains(report, want) {
			t.Errorf("ERRORS.txt lacks %q:\n%s", want, report)
		}
	}
	if left, _ := e.layout.Items(Inbox); len(left) > 0 {
		t.Errorf("inbox still holds %v", left)
	}
}
