package media_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/media"
	"github.com/ferrydelivery/ferry/stages/media/mediatest"
)

func TestReadFLAC(t *testing.T) {
	cases := []struct {
		name string
		flac mediatest.FLAC
		want media.AudioInfo
	}{
		{"CD quality", mediatest.FLAC{SampleRate: 44100, Bits: 16, Channels: 2, Duration: 2 * time.Second},
			media.AudioInfo{Format: "FLAC", SampleRate: 44100, BitsPerSample: 16, Channels: 2, Frames: 88200, Duration: 2 * time.Second}},
		{"hi-res with ID3 tag and padding", mediatest.FLAC{SampleRate: 96000, Bits: 24, Channels: 2, Duration: 250 * time.Millisecond, ID3: true, Padding: 8192},
			media.AudioInfo{Format: "FLAC", SampleRate: 96000, BitsPerSample: 24, Channels: 2, Frames: 24000, Duration: 250 * time.Millisecond}},
		{"8-bit mono verbatim", mediatest.FLAC{SampleRate: 8000, Bits: 8, Channels: 1, Duration: 10 * time.Millisecond, Verbatim: true},
			media.AudioInfo{Format: "FLAC", SampleRate: 8000, BitsPerSample: 8, Channels: 1, Frames: 80, Duration: 10 * time.Millisecond}},
		{"8 channels, odd rate", mediatest.FLAC{SampleRate: 22050, Bits: 20, Channels: 8, Duration: time.Second / 7},
			media.AudioInfo{Format: "FLAC", SampleRate: 22050, BitsPerSample: 20, Channels: 8, Frames: 3150, Duration: time.Second / 7}},
	}
	for _, c := range cases {
		b := build(t, c.flac)
		got, err := media.ReadFLAC(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		// The header, and the tail holding the last frame (at most its
		// maximum size): padding and the frames between are skipped.
		if got.BytesRead == 0 || got.BytesRead > 1024+64<<10 || len(b) > 200<<10 && got.BytesRead > int64(len(b))/2 {
			t.Errorf("%s: read %d of %d bytes, want a header and a last frame's worth", c.name, got.BytesRead, len(b))
		}
		got.BytesRead = 0
		if got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
		if !got.IsPCM() {
			t.Errorf("%s: FLAC is lossless PCM; IsPCM false", c.name)
		}
	}
}

// streamInfo overwrites the packed sample rate, channels, bits and total
// samples of a STREAMINFO starting at off (the block body).
func streamInfo(b []byte, off int, rate, channels, bits int, total int64) []byte {
	packed := uint64(rate)<<44 | uint64(channels-1)<<41 | uint64(bits-1)<<36 | uint64(total)
	return patch(b, off+10, binary.BigEndian.AppendUint64(nil, packed))
}

func TestReadFLACErrors(t *testing.T) {
	good := build(t, mediatest.FLAC{SampleRate: 44100, Bits: 16, Channels: 2, Duration: 10 * time.Millisecond})
	padded := build(t, mediatest.FLAC{SampleRate: 44100, Bits: 16, Channels: 2, Duration: 10 * time.Millisecond, Padding: 100})
	tagged := build(t, mediatest.FLAC{SampleRate: 44100, Bits: 16, Channels: 2, Duration: 10 * time.Millisecond, ID3: true})
	id3 := tagged[:len(tagged)-len(good)] // the ID3v2 tag alone
	mp3 := append(bytes.Clone(id3), 0xFF, 0xFB, 0x90, 0x64, 0, 0, 0, 0)
	const si = 8 // STREAMINFO body offset without a tag

	cases := []struct {
		name string
		b    []byte
		msg  string
		kind error
	}{
		{"empty", nil, "FLAC: file is 0 bytes, too short for the fLaC marker", media.ErrTruncated},
		{"no marker", patch(good, 0, []byte("fLaX")), "FLAC: no fLaC marker (the file starts with 66 4C 61 58)", media.ErrCorrupt},
		{"STREAMINFO truncated", good[:si+20], "FLAC: STREAMINFO truncated (got 20 of 34 bytes)", media.ErrTruncated},
		{"no block header", good[:6], "FLAC: file ends before the STREAMINFO block header", media.ErrTruncated},
		{"first block not STREAMINFO", patch(good, 4, []byte{0x84}), "FLAC: first metadata block is type 4, expected STREAMINFO (0)", media.ErrCorrupt},
		{"STREAMINFO size", patch(good, 4, []byte{0x80, 0, 0, 33}), "FLAC: STREAMINFO is 33 bytes, expected 34", media.ErrCorrupt},
		{"0 Hz", streamInfo(good, si, 0, 2, 16, 441), "FLAC: STREAMINFO says a sample rate of 0 Hz", media.ErrCorrupt},
		{"3 bits", streamInfo(good, si, 44100, 2, 3, 441), "FLAC: STREAMINFO says 3 bits per sample, below FLAC's minimum of 4", media.ErrCorrupt},
		{"unknown length", streamInfo(good, si, 44100, 2, 16, 0), "FLAC: STREAMINFO does not give the number of samples, so the duration is unknown; re-encode the file with a standard FLAC encoder", media.ErrCorrupt},
		{"block sizes", patch(good, si, []byte{0x10, 0, 0x01, 0}), "FLAC: STREAMINFO maximum block size 256 is below the minimum 4096", media.ErrCorrupt},
		{"no frames", good[:si+34], "FLAC: no audio frames after the metadata (file ends at byte 42)", media.ErrTruncated},
		{"no frame sync", patch(good, si+34, []byte{0x12, 0x34}), "FLAC: no frame sync code where the first audio frame should start (byte 42)", media.ErrCorrupt},
		{"padding past end", padded[:si+34+4+50], "FLAC: metadata block 2 (PADDING, 100 bytes) runs past the end of the file", media.ErrTruncated},
		{"metadata cut", padded[:si+34+2], "FLAC: file ends inside the metadata, before block 2", media.ErrTruncated},
		{"block type 127", patch(padded, si+34, []byte{0xFF}), "FLAC: metadata block 2 has the invalid type 127", media.ErrCorrupt},
		{"second STREAMINFO", patch(padded, si+34, []byte{0x80}), "FLAC: second STREAMINFO block (metadata block 2)", media.ErrCorrupt},
		{"MP3 with ID3", mp3, "FLAC: file is MPEG audio (MP3) with an ID3 tag; deliver WAV or FLAC", media.ErrUnsupported},
		{"ID3 then garbage", append(bytes.Clone(id3), "garbage"...), "FLAC: no fLaC marker after the ID3v2 tag (at byte 36)", media.ErrCorrupt},
		{"ID3 alone", id3, "FLAC: ID3v2 tag (36 bytes) runs to the end of the file: no audio after it", media.ErrTruncated},
		{"ID3 header cut", id3[:7], "FLAC: ID3v2 tag header truncated", media.ErrTruncated},
		{"ID3 size not syncsafe", patch(tagged, 6, []byte{0x80}), "FLAC: ID3v2 tag size is not a valid (syncsafe) number", media.ErrCorrupt},
	}
	for _, c := range cases {
		_, err := media.ReadFLAC(bytes.NewReader(c.b), int64(len(c.b)))
		wantError(t, c.name, err, c.msg, c.kind)
	}
}

// TestReadFLACManyBlocks: the metadata walk is bounded.
func TestReadFLACManyBlocks(t *testing.T) {
	good := build(t, mediatest.FLAC{SampleRate: 44100, Bits: 16, Channels: 2, Duration: 10 * time.Millisecond})
	b := append([]byte{}, good[:42]...)
	b[4] &^= 0x80 // STREAMINFO is no longer the last block
	for i := 0; i < 2000; i++ {
		b = append(b, 1, 0, 0, 0) // empty PADDING blocks
	}
	b = append(b, good[42:]...)
	_, err := media.ReadFLAC(bytes.NewReader(b), int64(len(b)))
	wantError(t, "many blocks", err, "FLAC: more than 1024 metadata blocks", media.ErrCorrupt)
}

// TestReadFLACCutShort: a FLAC whose header is fine but whose audio stops
// early (a copy taken too soon) is refused, whether it was cut inside a
// frame or exactly between two.
func TestReadFLACCutShort(t *testing.T) {
	b := build(t, mediatest.FLAC{SampleRate: 44100, Bits: 16, Channels: 2, Duration: 2 * time.Second})
	lastFrame := bytes.LastIndex(b, []byte{0xFF, 0xF8})
	cases := []struct {
		name string
		size int
		want string
	}{
		{"one byte short", len(b) - 1, "last audio frame is incomplete"},
		{"cut in the middle", len(b) / 2, "last audio frame is incomplete"},
		{"cut between frames", lastFrame, "stops at sample"},
	}
	for _, c := range cases {
		_, err := media.ReadFLAC(bytes.NewReader(b[:c.size]), int64(c.size))
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, media.ErrTruncated) {
			t.Errorf("%s: err = %v, want a truncation saying %q", c.name, err, c.want)
		}
	}
}
