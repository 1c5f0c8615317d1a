package media

import (
	"bytes"
	"fmt"
	"io"
	"time"
)

// AudioInfo is what a header says about an audio file.
type AudioInfo struct {
	Format string // "WAV" or "FLAC"
	// FormatTag is the WAV fmt chunk's format code: 0x0001 PCM, 0x0003
	// IEEE float, 0xFFFE WAVE_FORMAT_EXTENSIBLE, others (ADPCM, MP3…).
	// Zero for FLAC.
	FormatTag uint16
	// SubFormat is the format code inside a WAVE_FORMAT_EXTENSIBLE
	// header's sub-format GUID (1 PCM, 3 float); zero otherwise.
	SubFormat  uint16
	SampleRate int // Hz
	// BitsPerSample is the significant bits of each sample: for an
	// extensible WAV, its valid-bits field (24-bit audio in 32-bit
	// containers is 24).
	BitsPerSample int
	Channels      int
	Frames        int64 // samples per channel
	Duration      time.Duration
	BytesRead     int64 // bytes read from the file to learn all this
}

// IsPCM reports whether the samples are integer PCM, plain or extensible:
// what DSPs accept as a lossless master.
func (a AudioInfo) IsPCM() bool {
	return a.Format == "FLAC" || a.FormatTag == formatPCM || (a.FormatTag == formatExtensible && a.SubFormat == formatPCM)
}

// duration converts frames at rate to a time.Duration without overflow
// for any value a header can hold (up to 2^36 frames).
func duration(frames int64, rate int) (time.Duration, bool) {
	if rate <= 0 || frames < 0 {
		return 0, false
	}
	secs, rest := frames/int64(rate), frames%int64(rate)
	if secs > int64(1<<62)/int64(time.Second) {
		return 0, false
	}
	return time.Duration(secs)*time.Second + time.Duration(rest*int64(time.Second)/int64(rate)), true
}

// ReadAudio reads the header of the WAV or FLAC file at path, recognised
// by its first bytes, not its extension.
func ReadAudio(path string) (AudioInfo, error) {
	f, size, err := openRegular(path, "audio")
	if err != nil {
		return AudioInfo{}, err
	}
	defer f.Close()
	return ReadAudioAt(f, size)
}

// ReadAudioAt reads the header of the WAV or FLAC data in r (size bytes
// long), recognised by its first bytes.
func ReadAudioAt(r io.ReaderAt, size int64) (AudioInfo, error) {
	cr := &countingReaderAt{r: r}
	head, err := readUpTo(cr, 0, 12, size)
	if err != nil {
		return AudioInfo{}, fmt.Errorf("audio: %w", err)
	}
	var info AudioInfo
	switch audioKind(head) {
	case "WAV":
		info, err = readWAV(cr, size)
	case "FLAC":
		info, err = readFLAC(cr, size)
	default:
		return AudioInfo{}, notAudio(head, size)
	}
	if err != nil {
		return AudioInfo{}, err
	}
	info.BytesRead = cr.n
	return info, nil
}

func audioKind(head []byte) string {
	switch {
	case hasAnyPrefix(head, "RIFF", "RF64", "RIFX", "BW64"):
		return "WAV"
	case hasAnyPrefix(head, "fLaC", "ID3"): // ID3: FLAC with a tag, or an MP3 (ReadFLAC says which)
		return "FLAC"
	}
	return ""
}

// notAudio names what the file is when it is not WAV or FLAC.
func notAudio(head []byte, size int64) error {
	switch {
	case size == 0:
		return corrupt("audio", "file is empty")
	case hasAnyPrefix(head, "FORM") && len(head) >= 12 && (string(head[8:12]) == "AIFF" || string(head[8:12]) == "AIFC"):
		return unsupported("audio", "file is AIFF; deliver WAV or FLAC")
	case hasAnyPrefix(head, "OggS"):
		return unsupported("audio", "file is Ogg (Vorbis, Opus or Ogg FLAC); deliver WAV or FLAC")
	case len(head) >= 8 && string(head[4:8]) == "ftyp":
		return unsupported("audio", "file is MP4/M4A (AAC or ALAC); deliver WAV or FLAC")
	case len(head) >= 2 && head[0] == 0xFF && head[1]&0xE0 == 0xE0:
		return unsupported("audio", "file is MPEG audio (MP3); deliver WAV or FLAC")
	case hasAnyPrefix(head, "wvpk"):
		return unsupported("audio", "file is WavPack; deliver WAV or FLAC")
	case hasAnyPrefix(head, "MAC "):
		return unsupported("audio", "file is Monkey's Audio (APE); deliver WAV or FLAC")
	case hasAnyPrefix(head, "caff"):
		return unsupported("audio", "file is Core Audio (CAF); deliver WAV or FLAC")
	}
	return corrupt("audio", "not a WAV or FLAC file (it starts with % X)", head)
}

func hasAnyPrefix(b []byte, prefixes ...string) bool {
	for _, p := range prefixes {
		if bytes.HasPrefix(b, []byte(p)) {
			return true
		}
	}
	return false
}
