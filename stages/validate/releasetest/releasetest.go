// Package releasetest writes valid release folders (real WAV, FLAC and
// JPEG files and a release.toml) for tests of the stages, the pipeline and
// the daemon.
package releasetest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/ern/ident"
	"github.com/ferrydelivery/ferry/stages/media/mediatest"
)

// Options vary a generated release.
type Options struct {
	// AudioBytes, when set, makes the first track a sparse WAV of that
	// size (large uploads that take no disk).
	AudioBytes int64
	// DeliverTo fills release.toml's deliver_to.
	DeliverTo []string
	// Preset fills release.toml's preset; the release then has no deals
	// of its own but Deals.
	Preset string
	// Deals, when not nil, are the release's [[deals]] tables, as TOML,
	// instead of the one worldwide subscription deal.
	Deals []string
}

// Write creates the release folder dir/name: two tracks (WAV and FLAC), a
// 3000×3000 cover and a release.toml. n makes its UPC and ISRCs unique.
func Write(t testing.TB, dir, name string, n int, o Options) string {
	t.Helper()
	rel := filepath.Join(dir, name)
	if err := os.MkdirAll(rel, 0o755); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	if o.AudioBytes > 0 {
		must(mediatest.WriteSparseWAV(filepath.Join(rel, "01.wav"), 44100, 16, 2, o.AudioBytes))
	} else {
		must(mediatest.WriteWAV(filepath.Join(rel, "01.wav"), 44100, 16, 2, 200*time.Millisecond))
	}
	must(mediatest.WriteFLAC(filepath.Join(rel, "02.flac"), 44100, 16, 2, 200*time.Millisecond))
	must(mediatest.WriteJPEG(filepath.Join(rel, "cover.jpg"), 3000, 3000))
	must(os.WriteFile(filepath.Join(rel, "release.toml"), []byte(TOML(n, o)), 0o644))
	return rel
}

// TOML is the release.toml Write uses.
func TOML(n int, o Options) string {
	deliver := ""
	if len(o.DeliverTo) > 0 {
		var names []string
		for _, d := range o.DeliverTo {
			names = append(names, fmt.Sprintf("%q", d))
		}
		deliver = "deliver_to = [" + strings.Join(names, ", ") + "]\n"
	}
	if o.Preset != "" {
		deliver += fmt.Sprintf("preset = %q\n", o.Preset)
	}
	deals := `
[[deals]]
territories = ["Worldwide"]
commercial_model = "SubscriptionModel"
use_types = ["OnDemandStream"]
start_date = "2026-12-04"
`
	if o.Deals != nil || o.Preset != "" {
		deals = ""
		for _, d := range o.Deals {
			deals += "\n[[deals]]\n" + strings.TrimSpace(d) + "\n"
		}
	}
	return fmt.Sprintf(`upc = %q
title = "Test Release %d"
display_artist = "Test Artist"
label = "Example Records"
release_date = "2026-12-04"
genre = "Pop"
type = "Album"
p_line = { year = 2026, text = "2026 Example Records" }
c_line = { year = 2026, text = "2026 Example Records" }
cover = "cover.jpg"
%s
[[tracks]]
isrc = "GBEXR26%05d"
title = "One"
file = "01.wav"
number = 1

[[tracks]]
isrc = "GBEXR27%05d"
title = "Two"
file = "02.flac"
number = 2
%s`, UPC(n), n, deliver, n, n, deals)
}

// UPC makes a valid 13-digit EAN from n.
func UPC(n int) string {
	body := fmt.Sprintf("590%09d", n)
	d, err := ident.UPCCheckDigit(body)
	if err != nil {
		panic(err)
	}
	return body + string(d)
}
