package media_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/media/mediatest"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite testdata/fuzz seed corpus files from the generator")

// fuzzSeeds are the seed inputs of each fuzzer: small real files from the
// generator and broken variants of them, so the fuzzers start from inputs
// that reach deep into the readers.
func fuzzSeeds(t *testing.T) map[string]map[string][]byte {
	ms := time.Millisecond
	wav := func(w mediatest.WAV) []byte { return build(t, w) }
	flac := func(f mediatest.FLAC) []byte { return build(t, f) }
	pcm := wav(mediatest.WAV{SampleRate: 8000, Bits: 16, Channels: 2, Duration: 2 * ms})
	fl := flac(mediatest.FLAC{SampleRate: 8000, Bits: 16, Channels: 2, Duration: 4 * ms})
	dir := t.TempDir()
	img := func(write func(string, int, int) error, w, h int) []byte {
		p := filepath.Join(dir, "img")
		if err := write(p, w, h); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	jpg := img(mediatest.WriteJPEG, 16, 16)
	return map[string]map[string][]byte{
		"FuzzReadWAV": {
			"pcm16-stereo":     pcm,
			"pcm8-mono-odd":    wav(mediatest.WAV{SampleRate: 8000, Bits: 8, Channels: 1, Duration: 1125 * time.Microsecond}),
			"pcm24-extensible": wav(mediatest.WAV{SampleRate: 8000, Bits: 24, Channels: 3, Duration: ms, Extensible: true}),
			"float32":          wav(mediatest.WAV{SampleRate: 8000, Bits: 32, Channels: 1, Duration: ms, Float: true}),
			"odd-chunks": wav(mediatest.WAV{SampleRate: 8000, Bits: 16, Channels: 1, Duration: ms,
				Extra: []mediatest.Chunk{{ID: "LIST", Data: []byte("INFOx")}, {ID: "junk", Data: []byte{0}}}}),
			"no-fmt":    wav(mediatest.WAV{SampleRate: 8000, Bits: 16, Channels: 1, Duration: ms, NoFmt: true}),
			"no-data":   wav(mediatest.WAV{SampleRate: 8000, Bits: 16, Channels: 1, NoData: true}),
			"truncated": pcm[:len(pcm)/2],
			"rf64":      append([]byte("RF64"), pcm[4:]...),
		},
		"FuzzReadFLAC": {
			"stereo16":       fl,
			"id3-padding-24": flac(mediatest.FLAC{SampleRate: 8000, Bits: 24, Channels: 1, Duration: 2 * ms, ID3: true, Padding: 7}),
			"mono8-verbatim": flac(mediatest.FLAC{SampleRate: 8000, Bits: 8, Channels: 1, Duration: 2 * ms, Verbatim: true}),
			"streaminfo-cut": fl[:28],
			"metadata-only":  fl[:42],
		},
		"FuzzReadImage": {
			"jpeg-ycbcr":   jpg,
			"jpeg-gray":    img(mediatest.WriteGrayJPEG, 8, 8),
			"jpeg-cmyk":    img(mediatest.WriteCMYKJPEG, 8, 8),
			"jpeg-cut":     jpg[:len(jpg)/2],
			"png-rgb":      img(mediatest.WritePNG, 8, 8),
			"png-gray":     img(mediatest.WriteGrayPNG, 8, 8),
			"png-graya":    img(mediatest.WriteGrayAlphaPNG, 4, 4),
			"png-rgba":     img(mediatest.WriteRGBAPNG, 4, 4),
			"png-paletted": img(mediatest.WritePalettedPNG, 4, 4),
		},
	}
}

// corpusFile is the go test fuzz v1 encoding of one []byte input.
func corpusFile(b []byte) []byte {
	return []byte(fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b))
}

// TestFuzzSeeds checks that the committed seed corpus is exactly what the
// generator makes, so seeds stay real files; -update-seeds rewrites it.
func TestFuzzSeeds(t *testing.T) {
	for fuzzer, seeds := range fuzzSeeds(t) {
		dir := filepath.Join("testdata", "fuzz", fuzzer)
		if *updateSeeds {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		names := make([]string, 0, len(seeds))
		for name := range seeds {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			path := filepath.Join(dir, "seed-"+name)
			want := corpusFile(seeds[name])
			if *updateSeeds {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s is missing or differs from the generator's output; run go test ./stages/media -run TestFuzzSeeds -update-seeds", path)
			}
		}
	}
}
