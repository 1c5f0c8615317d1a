package media_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/media"
	"github.com/ferrydelivery/ferry/stages/media/mediatest"
)

const (
	releaseTracks = 20
	releaseBytes  = 1 << 30 // 1 GiB of audio in total
)

// sparseRelease writes a release of 20 WAV files totalling 1 GiB (sparse:
// headers only on disk, the samples are holes) and a 3000×3000 cover.
func sparseRelease(tb testing.TB) (tracks []string, cover string) {
	tb.Helper()
	dir := tb.TempDir()
	for i := 1; i <= releaseTracks; i++ {
		p := filepath.Join(dir, fmt.Sprintf("%02d-track.wav", i))
		if err := mediatest.WriteSparseWAV(p, 44100, 16, 2, releaseBytes/releaseTracks); err != nil {
			tb.Fatal(err)
		}
		tracks = append(tracks, p)
	}
	cover = filepath.Join(dir, "cover.jpg")
	if err := mediatest.WriteJPEG(cover, mediatest.CoverSize, mediatest.CoverSize); err != nil {
		tb.Fatal(err)
	}
	return tracks, cover
}

// readRelease reads every header of the release, as validation does, and
// returns the bytes read and the total audio duration.
func readRelease(tb testing.TB, tracks []string, cover string) (int64, time.Duration) {
	var read int64
	var total time.Duration
	for _, p := range tracks {
		info, err := media.ReadAudio(p)
		if err != nil {
			tb.Fatal(err)
		}
		read += info.BytesRead
		total += info.Duration
	}
	img, err := media.ReadImage(cover)
	if err != nil {
		tb.Fatal(err)
	}
	return read + img.BytesRead, total
}

// TestRelease1GBReadsUnder1MB: checking a 1 GiB release reads headers
// only. (Time is measured by BenchmarkReadHeaders20Tracks1GB.)
func TestRelease1GBReadsUnder1MB(t *testing.T) {
	tracks, cover := sparseRelease(t)
	read, total := readRelease(t, tracks, cover)
	if read >= 1<<20 {
		t.Errorf("read %d bytes of a 1 GiB release, want under 1 MiB", read)
	}
	// 1 GiB of 16-bit stereo 44.1 kHz is about 1h41m of audio.
	if total < 100*time.Minute || total > 102*time.Minute {
		t.Errorf("total duration %v, want about 1h41m", total)
	}
	t.Logf("1 GiB release (20 WAV + cover): %d bytes read, %v of audio", read, total)
}

// BenchmarkReadHeaders20Tracks1GB: one op is one release of 20 WAV files
// (1 GiB of audio) and a 3000×3000 JPEG cover: open, read headers, close.
// Reports bytes read per release.
func BenchmarkReadHeaders20Tracks1GB(b *testing.B) {
	tracks, cover := sparseRelease(b)
	var read int64
	for b.Loop() {
		read, _ = readRelease(b, tracks, cover)
	}
	b.ReportMetric(float64(read), "bytes-read/release")
}

func BenchmarkReadWAV(b *testing.B) {
	p := filepath.Join(b.TempDir(), "t.wav")
	if err := mediatest.WriteSparseWAV(p, 48000, 24, 2, releaseBytes/releaseTracks); err != nil {
		b.Fatal(err)
	}
	benchAudio(b, p)
}

func BenchmarkReadFLAC(b *testing.B) {
	p := filepath.Join(b.TempDir(), "t.flac")
	if err := (mediatest.FLAC{SampleRate: 44100, Bits: 16, Channels: 2, Duration: 3 * time.Second, Padding: 8192}).Write(p); err != nil {
		b.Fatal(err)
	}
	benchAudio(b, p)
}

func benchAudio(b *testing.B, p string) {
	var info media.AudioInfo
	var err error
	for b.Loop() {
		if info, err = media.ReadAudio(p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(info.BytesRead), "bytes-read/file")
}

func BenchmarkReadImageCover(b *testing.B) {
	p := filepath.Join(b.TempDir(), "cover.jpg")
	if err := mediatest.WriteJPEG(p, mediatest.CoverSize, mediatest.CoverSize); err != nil {
		b.Fatal(err)
	}
	var info media.ImageInfo
	var err error
	for b.Loop() {
		if info, err = media.ReadImage(p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(info.BytesRead), "bytes-read/file")
}
