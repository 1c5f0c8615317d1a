package media_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ferrydelivery/ferry/stages/media"
)

// The fuzzers feed arbitrary bytes to the readers. Whatever the input,
// a reader must not panic, must return either a *HeaderError (in-memory
// input has no I/O errors) or an AudioInfo/ImageInfo whose numbers make
// sense and fit the input. Seeds: testdata/fuzz/<FuzzName>/, written by
// the generator (see TestFuzzSeeds).

func FuzzReadWAV(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		r, size := bytes.NewReader(data), int64(len(data))
		info, err := media.ReadWAV(r, size)
		checkAudio(t, "ReadWAV", data, info, err)
		info, err = media.ReadAudioAt(r, size)
		checkAudio(t, "ReadAudioAt", data, info, err)
	})
}

func FuzzReadFLAC(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		r, size := bytes.NewReader(data), int64(len(data))
		info, err := media.ReadFLAC(r, size)
		checkAudio(t, "ReadFLAC", data, info, err)
		info, err = media.ReadAudioAt(r, size)
		checkAudio(t, "ReadAudioAt", data, info, err)
	})
}

func FuzzReadImage(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := media.ReadImageAt(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			classified(t, "ReadImageAt", err)
			return
		}
		switch {
		case info.Format != "JPEG" && info.Format != "PNG":
			t.Fatalf("format %q", info.Format)
		case info.Width <= 0 || info.Height <= 0:
			t.Fatalf("accepted %dx%d", info.Width, info.Height)
		case info.ColorModel == "":
			t.Fatal("no colour model")
		case info.BytesRead <= 0 || info.BytesRead > 2*int64(len(data))+8192:
			t.Fatalf("read %d bytes of a %d-byte input", info.BytesRead, len(data))
		}
	})
}

func checkAudio(t *testing.T, fn string, data []byte, info media.AudioInfo, err error) {
	t.Helper()
	if err != nil {
		classified(t, fn, err)
		return
	}
	switch {
	case info.Format != "WAV" && info.Format != "FLAC":
		t.Fatalf("%s: format %q", fn, info.Format)
	case info.SampleRate <= 0 || info.Channels <= 0 || info.BitsPerSample <= 0:
		t.Fatalf("%s: accepted %d Hz, %d channels, %d bits", fn, info.SampleRate, info.Channels, info.BitsPerSample)
	case info.Frames < 0 || info.Duration < 0:
		t.Fatalf("%s: negative length: %d frames, %v", fn, info.Frames, info.Duration)
	case info.BytesRead <= 0 || info.BytesRead > 64<<10:
		t.Fatalf("%s: read %d bytes", fn, info.BytesRead)
	}
	// A WAV's PCM data must lie inside the file: frames × block ≤ size.
	if info.Format == "WAV" && info.IsPCM() {
		block := int64(info.Channels) * int64((info.BitsPerSample+7)/8)
		if info.Frames*block > int64(len(data)) {
			t.Fatalf("%s: %d frames of %d bytes claimed in a %d-byte file", fn, info.Frames, block, len(data))
		}
	}
}

// classified fails unless err says what kind of problem it is.
func classified(t *testing.T, fn string, err error) {
	t.Helper()
	var he *media.HeaderError
	if !errors.As(err, &he) || he.Kind == nil || he.Problem == "" {
		t.Fatalf("%s: unclassified error %q", fn, err)
	}
	if !errors.Is(err, media.ErrTruncated) && !errors.Is(err, media.ErrCorrupt) && !errors.Is(err, media.ErrUnsupported) {
		t.Fatalf("%s: error %q has kind %v", fn, err, he.Kind)
	}
}
