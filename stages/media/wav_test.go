package media_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/media"
	"github.com/ferrydelivery/ferry/stages/media/mediatest"
)

func TestReadWAV(t *testing.T) {
	cases := []struct {
		name string
		wav  mediatest.WAV
		want media.AudioInfo
	}{
		{"CD quality", mediatest.WAV{SampleRate: 44100, Bits: 16, Channels: 2, Duration: 2 * time.Second},
			media.AudioInfo{Format: "WAV", FormatTag: 1, SampleRate: 44100, BitsPerSample: 16, Channels: 2, Frames: 88200, Duration: 2 * time.Second}},
		{"hi-res 24-bit", mediatest.WAV{SampleRate: 96000, Bits: 24, Channels: 2, Duration: 500 * time.Millisecond},
			media.AudioInfo{Format: "WAV", FormatTag: 1, SampleRate: 96000, BitsPerSample: 24, Channels: 2, Frames: 48000, Duration: 500 * time.Millisecond}},
		{"extensible 5.1", mediatest.WAV{SampleRate: 48000, Bits: 24, Channels: 6, Duration: 100 * time.Millisecond, Extensible: true},
			media.AudioInfo{Format: "WAV", FormatTag: 0xFFFE, SubFormat: 1, SampleRate: 48000, BitsPerSample: 24, Channels: 6, Frames: 4800, Duration: 100 * time.Millisecond}},
		{"float", mediatest.WAV{SampleRate: 48000, Bits: 32, Channels: 2, Duration: 10 * time.Millisecond, Float: true},
			media.AudioInfo{Format: "WAV", FormatTag: 3, SampleRate: 48000, BitsPerSample: 32, Channels: 2, Frames: 480, Duration: 10 * time.Millisecond}},
		{"8-bit mono, odd data size padded", mediatest.WAV{SampleRate: 8000, Bits: 8, Channels: 1, Duration: 1125 * time.Microsecond},
			media.AudioInfo{Format: "WAV", FormatTag: 1, SampleRate: 8000, BitsPerSample: 8, Channels: 1, Frames: 9, Duration: 1125 * time.Microsecond}},
		{"odd-sized chunks before data", mediatest.WAV{SampleRate: 44100, Bits: 16, Channels: 2, Duration: time.Second,
			Extra: []mediatest.Chunk{{ID: "LIST", Data: []byte("INFOISFT\x05\x00\x00\x00ferry")}, {ID: "junk", Data: []byte{1, 2, 3}}, {ID: "bext", Data: make([]byte, 603)}}},
			media.AudioInfo{Format: "WAV", FormatTag: 1, SampleRate: 44100, BitsPerSample: 16, Channels: 2, Frames: 44100, Duration: time.Second}},
		{"non-integer duration", mediatest.WAV{SampleRate: 44100, Bits: 16, Channels: 1, Duration: time.Second / 3},
			media.AudioInfo{Format: "WAV", FormatTag: 1, SampleRate: 44100, BitsPerSample: 16, Channels: 1, Frames: 14700, Duration: time.Second / 3}},
	}
	for _, c := range cases {
		b := build(t, c.wav)
		got, err := media.ReadWAV(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got.BytesRead == 0 || got.BytesRead > 1024 {
			t.Errorf("%s: read %d bytes, want a header's worth", c.name, got.BytesRead)
		}
		got.BytesRead = 0
		if got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
		if got.IsPCM() != (c.want.FormatTag != 3) {
			t.Errorf("%s: IsPCM = %v", c.name, got.IsPCM())
		}
	}
}

// TestReadWAVDataBeforeFmt: RIFF does not fix the chunk order; the walk
// goes on past the data chunk (without reading it) to find fmt.
func TestReadWAVDataBeforeFmt(t *testing.T) {
	b := build(t, mediatest.WAV{SampleRate: 44100, Bits: 16, Channels: 2, Duration: 10 * time.Millisecond})
	fmtChunk, data := b[12:36], b[36:]
	swapped := append(append(append([]byte{}, b[:12]...), data...), fmtChunk...)
	got, err := media.ReadWAV(bytes.NewReader(swapped), int64(len(swapped)))
	if err != nil || got.Frames != 441 || got.SampleRate != 44100 {
		t.Fatalf("data before fmt: %+v, %v", got, err)
	}
	if got.BytesRead > 100 {
		t.Errorf("read %d bytes: the walk read the samples it should skip", got.BytesRead)
	}
}

// TestReadWAVMissingLastPadByte: many writers omit the pad byte after an
// odd-sized final data chunk; that is harmless and accepted.
func TestReadWAVMissingLastPadByte(t *testing.T) {
	b := build(t, mediatest.WAV{SampleRate: 8000, Bits: 8, Channels: 1, Duration: 1125 * time.Microsecond})
	if len(b)%2 != 0 {
		t.Fatalf("generated file has odd length %d: no pad byte to drop", len(b))
	}
	b = b[:len(b)-1]
	if _, err := media.ReadWAV(bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatal(err)
	}
}

func TestReadWAVErrors(t *testing.T) {
	good := build(t, mediatest.WAV{SampleRate: 44100, Bits: 16, Channels: 2, Duration: 10 * time.Millisecond})
	ext := build(t, mediatest.WAV{SampleRate: 48000, Bits: 24, Channels: 2, Duration: 10 * time.Millisecond, Extensible: true})
	withList := build(t, mediatest.WAV{SampleRate: 44100, Bits: 16, Channels: 2, Duration: 10 * time.Millisecond,
		Extra: []mediatest.Chunk{{ID: "LIST", Data: []byte("INFO")}}})
	noFmt := build(t, mediatest.WAV{SampleRate: 44100, Bits: 16, Channels: 2, Duration: 10 * time.Millisecond, NoFmt: true})
	noData := build(t, mediatest.WAV{SampleRate: 44100, Bits: 16, Channels: 2, NoData: true})
	half := good[:len(good)/2]
	// The RIFF size patched to match the cut file, so the data chunk's own
	// size is what gives the truncation away.
	halfRIFFFixed := patch(half, 4, le32(uint32(len(half)-8)))
	// Header cut inside fmt, RIFF size matching.
	cutInFmt := patch(good[:28], 4, le32(20))
	// Many tiny chunks before the audio.
	many := append([]byte{}, good[:36]...)
	for i := 0; i < 1001; i++ {
		many = append(many, "junk\x00\x00\x00\x00"...)
	}
	many = append(many, good[36:]...)
	many = patch(many, 4, le32(uint32(len(many)-8)))
	// A second fmt chunk before the data.
	twoFmt := append(append(append([]byte{}, good[:36]...), good[12:36]...), good[36:]...)
	twoFmt = patch(twoFmt, 4, le32(uint32(len(twoFmt)-8)))

	cases := []struct {
		name string
		b    []byte
		msg  string
		kind error
	}{
		{"empty", nil, "WAV: file is 0 bytes, too short for a RIFF header (12 bytes)", media.ErrTruncated},
		{"10 bytes", good[:10], "WAV: file is 10 bytes, too short for a RIFF header (12 bytes)", media.ErrTruncated},
		{"RF64", patch(good, 0, []byte("RF64")), "WAV: file is RF64 (64-bit WAV, used over 4 GB), which ferry does not accept; export a standard WAV under 4 GB or FLAC", media.ErrUnsupported},
		{"RIFX", patch(good, 0, []byte("RIFX")), "WAV: file is big-endian RIFX; export a standard little-endian WAV", media.ErrUnsupported},
		{"not RIFF", patch(good, 0, []byte("JUNK")), "WAV: not a RIFF file (it starts with 4A 55 4E 4B)", media.ErrCorrupt},
		{"AVI", patch(good, 8, []byte("AVI ")), `WAV: RIFF file of type "AVI ", expected WAVE`, media.ErrCorrupt},
		{"truncated copy", half, "WAV: RIFF header says the file is 1808 bytes but it is 904 (truncated copy?)", media.ErrTruncated},
		{"data past end", halfRIFFFixed, "WAV: data chunk declares 1764 bytes of audio but only 860 remain in the file (truncated copy?)", media.ErrTruncated},
		{"cut inside fmt", cutInFmt, "WAV: fmt chunk truncated (declares 16 bytes, 8 remain)", media.ErrTruncated},
		{"fmt missing", noFmt, "WAV: fmt chunk missing", media.ErrCorrupt},
		{"data missing", noData, "WAV: data chunk missing", media.ErrCorrupt},
		{"fmt too short", patch(good, 16, le32(14)), "WAV: fmt chunk is 14 bytes, expected at least 16", media.ErrCorrupt},
		{"0 channels", patch(good, 22, le16(0)), "WAV: fmt chunk says 0 channels", media.ErrCorrupt},
		{"0 Hz", patch(good, 24, le32(0)), "WAV: fmt chunk says a sample rate of 0 Hz", media.ErrCorrupt},
		{"0 bits", patch(good, 34, le16(0)), "WAV: fmt chunk says 0 bits per sample", media.ErrCorrupt},
		{"0 block align", patch(good, 32, le16(0)), "WAV: fmt chunk says a block align of 0 bytes", media.ErrCorrupt},
		{"wrong block align", patch(good, 32, le16(6)), "WAV: fmt block align is 6 bytes, expected 4 for 2 channels of 16 bits", media.ErrCorrupt},
		{"wrong byte rate", patch(good, 28, le32(88200)), "WAV: fmt byte rate is 88200, expected 176400 (44100 Hz × 4 bytes)", media.ErrCorrupt},
		{"extensible too short", patch(good, 20, le16(0xFFFE)), "WAV: extensible fmt chunk is 16 bytes, expected 40", media.ErrCorrupt},
		{"extensible odd GUID", patch(ext, 50, []byte{0xFF}), "WAV: extensible sub-format GUID is not a standard WAVE format (01 00 00 00 00 00 FF 00 80 00 00 AA 00 38 9B 71)", media.ErrUnsupported},
		{"valid bits above container", patch(ext, 38, le16(32)), "WAV: extensible fmt chunk says 32 valid bits in 24-bit samples", media.ErrCorrupt},
		{"garbage chunk header", patch(withList, 36, []byte{0, 1, 2, 3}), "WAV: no valid chunk header at byte 36 (found 00 01 02 03)", media.ErrCorrupt},
		{"too many chunks", many, "WAV: more than 1000 chunks before the audio", media.ErrCorrupt},
		{"RIFF size too small", patch(good, 4, le32(4)), "WAV: fmt chunk missing in the 12 bytes the RIFF header declares (the file has 1808)", media.ErrCorrupt},
		{"second fmt", twoFmt, "WAV: second fmt chunk at byte 36", media.ErrCorrupt},
	}
	for _, c := range cases {
		_, err := media.ReadWAV(bytes.NewReader(c.b), int64(len(c.b)))
		wantError(t, c.name, err, c.msg, c.kind)
	}
}

// TestReadWAVShrunkFile: a caller whose size is larger than what can be
// read (the file shrank while being read) gets an error, not a panic.
func TestReadWAVShrunkFile(t *testing.T) {
	good := build(t, mediatest.WAV{SampleRate: 44100, Bits: 16, Channels: 2, Duration: 10 * time.Millisecond})
	for _, n := range []int{0, 5, 12, 20, 30, 40} {
		_, err := media.ReadWAV(bytes.NewReader(good[:n]), int64(len(good)))
		if err == nil || !strings.Contains(err.Error(), "file ended after") {
			t.Errorf("file shrunk to %d bytes: %v", n, err)
		}
	}
}
