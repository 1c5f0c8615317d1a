package identifiers

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrydelivery/ferry/stages/files"
)

const autoRelease = `# Harbour Lights — the label's template, filled in by hand.
upc   = "auto"    # ferry allocates it
grid = 'AUTO'
title = "Harbour Lights"
display_artist = "The Tidewater Band"

[p_line]
year = 2026
text = """Example Records, with an "auto" inside
a multi-line string: isrc = "auto" must stay"""

[[tracks]]
isrc = "auto"
title = "Low Tide"   # track 1
file = "01.wav"

  [[tracks.artists]]
  name = "isrc = \"auto\""

[[tracks]]
isrc = "GBEXR2600042"  # typed by hand: kept
title = "Auto"
file = "02.wav"

[[tracks]]
title = "Breakwater"
isrc='auto'
file = "03.wav"
`

const autoReleaseFilled = `# Harbour Lights — the label's template, filled in by hand.
upc   = "5059876000107"    # ferry allocates it
grid = "A12425G0000000001Z"
title = "Harbour Lights"
display_artist = "The Tidewater Band"

[p_line]
year = 2026
text = """Example Records, with an "auto" inside
a multi-line string: isrc = "auto" must stay"""

[[tracks]]
isrc = "GBEXR2600001"
title = "Low Tide"   # track 1
file = "01.wav"

  [[tracks.artists]]
  name = "isrc = \"auto\""

[[tracks]]
isrc = "GBEXR2600042"  # typed by hand: kept
title = "Auto"
file = "02.wav"

[[tracks]]
title = "Breakwater"
isrc="GBEXR2600002"
file = "03.wav"
`

func TestFindAndFillAuto(t *testing.T) {
	w, err := FindAuto([]byte(autoRelease))
	if err != nil {
		t.Fatal(err)
	}
	if !w.UPC || !w.GRid || len(w.ISRC) != 2 || w.ISRC[0] != 0 || w.ISRC[1] != 2 {
		t.Fatalf("wanted = %+v, want upc, grid and the ISRCs of tracks 1 and 3", w)
	}
	kinds := w.Kinds()
	if len(kinds) != 4 || kinds[0] != UPC || kinds[1] != GRid || kinds[3] != ISRC {
		t.Errorf("kinds = %v", kinds)
	}
	as := w.Assign([]string{"5059876000107", "A12425G0000000001Z", "GBEXR2600001", "GBEXR2600002"})
	out, err := FillAuto([]byte(autoRelease), as)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != autoReleaseFilled {
		t.Errorf("filled release.toml:\n%s\nwant:\n%s", out, autoReleaseFilled)
	}
	if got := strings.Join(as.Codes(), " "); got != "5059876000107 A12425G0000000001Z GBEXR2600001 GBEXR2600002" {
		t.Errorf("codes = %s", got)
	}
	// Filled, the file asks for nothing more: a retry allocates nothing.
	if w, err := FindAuto(out); err != nil || !w.Empty() {
		t.Errorf("after write-back: %+v, %v; want nothing asked for", w, err)
	}
}

func TestFindAutoRefusesWhatItCannotRewrite(t *testing.T) {
	for name, text := range map[string]string{
		"inline tracks":     "title = \"x\"\ntracks = [ { isrc = \"auto\", title = \"a\" } ]\n",
		"multi-line string": "upc = \"\"\"auto\"\"\"\n",
	} {
		w, err := FindAuto([]byte(text))
		if err == nil || !strings.Contains(err.Error(), "cannot rewrite in place") {
			t.Errorf("%s: %+v, %v; want a refusal", name, w, err)
		}
	}
}

func TestWriteBackFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "release.toml")
	if err := os.WriteFile(path, []byte(autoRelease), 0o640); err != nil {
		t.Fatal(err)
	}
	w, err := FindAuto([]byte(autoRelease))
	if err != nil {
		t.Fatal(err)
	}
	as := w.Assign([]string{"5059876000107", "A12425G0000000001Z", "GBEXR2600001", "GBEXR2600002"})
	if err := WriteBack(path, as); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if string(data) != autoReleaseFilled {
		t.Errorf("release.toml after write-back:\n%s", data)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 kept", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	// A link is never followed, nor a FIFO opened for long.
	outside := filepath.Join(t.TempDir(), "elsewhere.toml")
	os.WriteFile(outside, []byte(autoRelease), 0o644)
	link := filepath.Join(dir, "link.toml")
	os.Symlink(outside, link)
	if err := WriteBack(link, as); err == nil {
		t.Error("write-back followed a symbolic link")
	}
	if data, _ := os.ReadFile(outside); string(data) != autoRelease {
		t.Error("the link's target was changed")
	}
	big := filepath.Join(dir, "big.toml")
	os.WriteFile(big, []byte(autoRelease+strings.Repeat("#\n", maxReleaseFile)), 0o644)
	if err := WriteBack(big, as); err == nil || !errors.Is(err, files.ErrTooLarge) {
		t.Errorf("oversized file: %v", err)
	}
}
