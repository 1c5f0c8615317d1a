package media_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/media"
	"github.com/ferrydelivery/ferry/stages/media/mediatest"
)

// TestReadAudioByContent: the first bytes decide the format, not the
// file name.
func TestReadAudioByContent(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name   string
		write  func(string, int, int, int, time.Duration) error
		format string
	}{
		{"01-track.wav", mediatest.WriteWAV, "WAV"},
		{"02-track.flac", mediatest.WriteFLAC, "FLAC"},
		{"03-really-flac.wav", mediatest.WriteFLAC, "FLAC"},
		{"04-really-wav.flac", mediatest.WriteWAV, "WAV"},
		{"05-no-extension", mediatest.WriteWAV, "WAV"},
	}
	for _, c := range cases {
		p := filepath.Join(dir, c.name)
		if err := c.write(p, 48000, 24, 2, 1500*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		got, err := media.ReadAudio(p)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got.Format != c.format || got.SampleRate != 48000 || got.BitsPerSample != 24 || got.Channels != 2 || got.Duration != 1500*time.Millisecond {
			t.Errorf("%s: %+v, want %s 48000 Hz 24 bits 2 channels 1.5s", c.name, got, c.format)
		}
	}
}

func TestReadAudioSniff(t *testing.T) {
	cases := []struct {
		name string
		b    []byte
		msg  string
		kind error
	}{
		{"empty", nil, "audio: file is empty", media.ErrCorrupt},
		{"AIFF", []byte("FORM\x00\x00\x10\x00AIFFCOMM"), "audio: file is AIFF; deliver WAV or FLAC", media.ErrUnsupported},
		{"AIFC", []byte("FORM\x00\x00\x10\x00AIFCFVER"), "audio: file is AIFF; deliver WAV or FLAC", media.ErrUnsupported},
		{"Ogg", []byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00"), "audio: file is Ogg (Vorbis, Opus or Ogg FLAC); deliver WAV or FLAC", media.ErrUnsupported},
		{"M4A", []byte("\x00\x00\x00\x20ftypM4A \x00\x00"), "audio: file is MP4/M4A (AAC or ALAC); deliver WAV or FLAC", media.ErrUnsupported},
		{"MP3 frame", []byte{0xFF, 0xFB, 0x90, 0x64, 0, 0, 0, 0, 0, 0, 0, 0}, "audio: file is MPEG audio (MP3); deliver WAV or FLAC", media.ErrUnsupported},
		{"WavPack", []byte("wvpk\x00\x00\x00\x00\x00\x00\x00\x00"), "audio: file is WavPack; deliver WAV or FLAC", media.ErrUnsupported},
		{"APE", []byte("MAC \x96\x0f\x00\x00\x00\x00\x00\x00"), "audio: file is Monkey's Audio (APE); deliver WAV or FLAC", media.ErrUnsupported},
		{"CAF", []byte("caff\x00\x01\x00\x00desc"), "audio: file is Core Audio (CAF); deliver WAV or FLAC", media.ErrUnsupported},
		{"text", []byte("title = \"x\"\n"), "audio: not a WAV or FLAC file (it starts with 74 69 74 6C 65 20 3D 20 22 78 22 0A)", media.ErrCorrupt},
		{"RF64 via sniff", []byte("RF64\xff\xff\xff\xffWAVEds64"), "WAV: file is RF64 (64-bit WAV, used over 4 GB), which ferry does not accept; export a standard WAV under 4 GB or FLAC", media.ErrUnsupported},
	}
	for _, c := range cases {
		_, err := media.ReadAudioAt(bytes.NewReader(c.b), int64(len(c.b)))
		wantError(t, c.name, err, c.msg, c.kind)
	}
}

// TestReadFilesNotRegular: folders named like media files, missing and
// unreadable files give errors naming the problem, never a hang.
func TestReadFilesNotRegular(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "01-track.wav")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	readers := map[string]func(string) error{
		"audio": func(p string) error { _, err := media.ReadAudio(p); return err },
		"image": func(p string) error { _, err := media.ReadImage(p); return err },
	}
	for name, read := range readers {
		wantError(t, name+" folder", read(folder), name+": is a folder, not a file", media.ErrNotRegular)
		err := read(filepath.Join(dir, "missing"))
		if err == nil || err.Error() != "file not found: no such file or directory" || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s missing file: %v", name, err)
		}
	}
	if os.Geteuid() == 0 {
		t.Log("running as root: permission check skipped (root reads everything)")
		return
	}
	locked := filepath.Join(dir, "locked.wav")
	if err := mediatest.WriteWAV(locked, 44100, 16, 2, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	err := readers["audio"](locked)
	if err == nil || err.Error() != "file not readable: permission denied" || !errors.Is(err, fs.ErrPermission) {
		t.Errorf("unreadable file: %v", err)
	}
}
