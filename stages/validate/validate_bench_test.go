package validate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrydelivery/ferry/stages/media/mediatest"
)

// bigRelease writes a release of 20 tracks holding 1 GiB of audio in
// sparse WAV files (headers and holes: no disk space) and a 3000×3000
// cover, and returns its folder.
func bigRelease(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "big")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	var toml strings.Builder
	toml.WriteString(`upc = "5901234123457"
title = "Twenty Long Ones"
display_artist = "The Example Band"
label = "Example Records"
release_date = "2026-12-04"
genre = "Ambient"
parental_warning = "NotExplicit"
type = "Album"
p_line = { year = 2026, text = "2026 Example Records" }
c_line = { year = 2026, text = "2026 Example Records" }
cover = "cover.jpg"

[[deals]]
territories = ["Worldwide"]
commercial_model = "SubscriptionModel"
use_types = ["OnDemandStream"]
start_date = "2026-12-04"
`)
	const tracks, total = 20, 1 << 30
	for i := 1; i <= tracks; i++ {
		name := fmt.Sprintf("%02d.wav", i)
		if err := mediatest.WriteSparseWAV(filepath.Join(dir, name), 96000, 24, 2, total/tracks); err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(&toml, "\n[[tracks]]\nisrc = \"GBEXR26%05d\"\ntitle = \"Part %d\"\nfile = %q\nnumber = %d\n", i, i, name, i)
	}
	if err := mediatest.WriteJPEG(filepath.Join(dir, "cover.jpg"), mediatest.CoverSize, mediatest.CoverSize); err != nil {
		tb.Fatal(err)
	}
	writeTestFile(tb, filepath.Join(dir, ReleaseFileName), toml.String())
	return dir
}

// TestBigReleaseReadsHeadersOnly checks the claim the benchmark measures:
// validating 1 GiB of audio reads under 1 MB of it.
func TestBigReleaseReadsHeadersOnly(t *testing.T) {
	dir := bigRelease(t)
	rel, ps := testValidator(defaultRules).Validate(dir)
	if len(ps) != 0 {
		t.Fatalf("%s", ps.Error())
	}
	var audio int64
	for _, tr := range rel.Model.Tracks {
		audio += int64(tr.Duration.Seconds() * 96000 * 6)
	}
	if audio < 1<<30-1<<20 {
		t.Errorf("the release holds %d bytes of audio, want 1 GiB", audio)
	}
	if rel.HeaderBytes >= 1<<20 {
		t.Errorf("read %d bytes of media, want under 1 MB", rel.HeaderBytes)
	}
}

// BenchmarkValidate20Tracks1GB validates a release of 20 tracks with
// 1 GiB of audio (sparse WAVs) and a 3000×3000 JPEG cover, end to end:
// release.toml, file checks, headers, every rule. It reports the media
// bytes read per validation (the media readers' BytesRead).
func BenchmarkValidate20Tracks1GB(b *testing.B) {
	dir := bigRelease(b)
	v := testValidator(defaultRules)
	var read int64
	for b.Loop() {
		rel, ps := v.Validate(dir)
		if len(ps) != 0 {
			b.Fatalf("%s", ps.Error())
		}
		read = rel.HeaderBytes
	}
	b.ReportMetric(float64(read), "media-bytes/op")
}
