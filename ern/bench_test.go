package ern

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ferrydelivery/ferry/ern/erntest"
)

// BenchmarkWrite30TrackAlbum writes a 30-track album NewReleaseMessage
// in ERN 4.3 (target: under 2 ms per message).
func BenchmarkWrite30TrackAlbum(b *testing.B) {
	m := message("bench", NewRelease, album30())
	var buf bytes.Buffer
	if err := Write(&buf, V43, m); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := Write(&buf, V43, m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWrite30TrackAlbumEveryVersion is the same message in each
// version.
func BenchmarkWrite30TrackAlbumEveryVersion(b *testing.B) {
	m := message("bench", NewRelease, album30())
	for _, v := range Versions {
		b.Run(v.Dir(), func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := Write(&buf, v, m); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
		})
	}
}

// BenchmarkReadOfficialAlbumSample reads DDEX's ERN 4.3 audio album
// sample (21 tracks) into the model (target: under 2 ms).
func BenchmarkReadOfficialAlbumSample(b *testing.B) {
	data, err := os.ReadFile(erntest.Path(b, "samples/ern/43/audio-album.xml"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Read(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadOfficialSamples reads each official sample.
func BenchmarkReadOfficialSamples(b *testing.B) {
	dir := erntest.Path(b, "samples/ern")
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.xml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(filepath.Base(filepath.Dir(f))+"-"+filepath.Base(f), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Read(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkXmllintParseOfficialAlbumSample runs `xmllint --noout` on the
// same sample, for comparison with BenchmarkReadOfficialAlbumSample: a C
// parser that only checks well-formedness, process start included.
func BenchmarkXmllintParseOfficialAlbumSample(b *testing.B) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		b.Skip("xmllint not installed (Debian package libxml2-utils)")
	}
	path := erntest.Path(b, "samples/ern/43/audio-album.xml")
	for b.Loop() {
		if out, err := exec.Command(xmllint, "--noout", "--nonet", path).CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
}

// BenchmarkRead30TrackAlbum reads a 30-track album NewReleaseMessage in
// ERN 4.3, as written by ferry, into the model (target: under 2 ms).
func BenchmarkRead30TrackAlbum(b *testing.B) {
	data, err := Marshal(V43, message("bench", NewRelease, album30()))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Read(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
