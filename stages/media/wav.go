package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// WAVE format codes.
const (
	formatPCM        = 0x0001
	formatFloat      = 0x0003
	formatExtensible = 0xFFFE
)

// maxWAVChunks bounds the chunk walk: real files have a handful of chunks
// before the audio; thousands mean a crafted file.
const maxWAVChunks = 1000

// ksDataFormatTail is the fixed part of the KSDATAFORMAT_SUBTYPE GUIDs: an
// extensible sub-format is a WAVE format code followed by these bytes.
var ksDataFormatTail = []byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

// ReadWAV reads the header of a RIFF WAVE file of size bytes: it walks the
// chunks (padding odd sizes to even, as RIFF requires) until it has seen
// the fmt and data chunks, reads the fmt chunk and checks that the data
// chunk fits in the file. Sample data is never read.
func ReadWAV(r io.ReaderAt, size int64) (AudioInfo, error) {
	cr := &countingReaderAt{r: r}
	info, err := readWAV(cr, size)
	if err != nil {
		return AudioInfo{}, err
	}
	info.BytesRead = cr.n
	return info, nil
}

type wavFmt struct {
	tag, sub                uint16
	channels                int
	rate, byteRate          int64
	blockAlign, bits, valid int
}

func readWAV(r io.ReaderAt, size int64) (AudioInfo, error) {
	const name = "WAV"
	h, err := readUpTo(r, 0, 12, size)
	if err != nil {
		return AudioInfo{}, fmt.Errorf("%s: %w", name, err)
	}
	if len(h) < 12 {
		return AudioInfo{}, truncated(name, "file is %d bytes, too short for a RIFF header (12 bytes)", size)
	}
	switch string(h[:4]) {
	case "RIFF":
	case "RF64", "BW64":
		return AudioInfo{}, unsupported(name, "file is %s (64-bit WAV, used over 4 GB), which ferry does not accept; export a standard WAV under 4 GB or FLAC", h[:4])
	case "RIFX":
		return AudioInfo{}, unsupported(name, "file is big-endian RIFX; export a standard little-endian WAV")
	default:
		return AudioInfo{}, corrupt(name, "not a RIFF file (it starts with % X)", h[:4])
	}
	if string(h[8:12]) != "WAVE" {
		return AudioInfo{}, corrupt(name, "RIFF file of type %q, expected WAVE", printable(h[8:12]))
	}
	end := 8 + int64(binary.LittleEndian.Uint32(h[4:8]))
	// A missing pad byte after an odd-sized last chunk is common and harmless.
	if end > size+1 {
		return AudioInfo{}, truncated(name, "RIFF header says the file is %d bytes but it is %d (truncated copy?)", end, size)
	}
	end = min(end, size)

	var (
		fm       *wavFmt
		dataSize int64
		haveData bool
		off      = int64(12)
		chunks   = 0
	)
	for off+8 <= end && (fm == nil || !haveData) {
		if chunks++; chunks > maxWAVChunks {
			return AudioInfo{}, corrupt(name, "more than %d chunks before the audio", maxWAVChunks)
		}
		ch, err := readUpTo(r, off, 8, size)
		if err != nil {
			return AudioInfo{}, fmt.Errorf("%s: %w", name, err)
		}
		id := ch[:4]
		if !isChunkID(id) {
			return AudioInfo{}, corrupt(name, "no valid chunk header at byte %d (found % X)", off, id)
		}
		csize := int64(binary.LittleEndian.Uint32(ch[4:8]))
		body := off + 8
		switch string(id) {
		case "fmt ":
			if fm != nil {
				return AudioInfo{}, corrupt(name, "second fmt chunk at byte %d", off)
			}
			if body+csize > end {
				return AudioInfo{}, truncated(name, "fmt chunk truncated (declares %d bytes, %d remain)", csize, end-body)
			}
			b, err := readUpTo(r, body, int(min(csize, 40)), size)
			if err != nil {
				return AudioInfo{}, fmt.Errorf("%s: %w", name, err)
			}
			if fm, err = parseWAVFmt(b, csize); err != nil {
				return AudioInfo{}, err
			}
		case "data":
			if haveData {
				return AudioInfo{}, corrupt(name, "second data chunk at byte %d", off)
			}
			if body+csize > end {
				return AudioInfo{}, truncated(name, "data chunk declares %d bytes of audio but only %d remain in the file (truncated copy?)", csize, end-body)
			}
			dataSize, haveData = csize, true
		}
		off = body + csize + csize&1
	}
	if fm == nil || !haveData {
		missing := "data"
		if fm == nil {
			missing = "fmt"
		}
		if end < size {
			// A RIFF size smaller than the file hides the chunks after it.
			return AudioInfo{}, corrupt(name, "%s chunk missing in the %d bytes the RIFF header declares (the file has %d)", missing, end, size)
		}
		return AudioInfo{}, corrupt(name, "%s chunk missing", missing)
	}
	return fm.info(dataSize)
}

// parseWAVFmt reads a fmt chunk body (its first up to 40 bytes; declared
// is its full size) and checks that its numbers agree with each other.
func parseWAVFmt(b []byte, declared int64) (*wavFmt, error) {
	const name = "WAV"
	if declared < 16 {
		return nil, corrupt(name, "fmt chunk is %d bytes, expected at least 16", declared)
	}
	le := binary.LittleEndian
	f := &wavFmt{
		tag:        le.Uint16(b[0:2]),
		channels:   int(le.Uint16(b[2:4])),
		rate:       int64(le.Uint32(b[4:8])),
		byteRate:   int64(le.Uint32(b[8:12])),
		blockAlign: int(le.Uint16(b[12:14])),
		bits:       int(le.Uint16(b[14:16])),
	}
	f.valid = f.bits
	if f.tag == formatExtensible {
		if declared < 40 || len(b) < 40 {
			return nil, corrupt(name, "extensible fmt chunk is %d bytes, expected 40", declared)
		}
		if v := int(le.Uint16(b[18:20])); v != 0 {
			f.valid = v
		}
		if !bytes.Equal(b[26:40], ksDataFormatTail) {
			return nil, unsupported(name, "extensible sub-format GUID is not a standard WAVE format (% X)", b[24:40])
		}
		f.sub = le.Uint16(b[24:26])
	}
	switch {
	case f.channels == 0:
		return nil, corrupt(name, "fmt chunk says 0 channels")
	case f.rate == 0:
		return nil, corrupt(name, "fmt chunk says a sample rate of 0 Hz")
	case f.bits == 0:
		return nil, corrupt(name, "fmt chunk says 0 bits per sample")
	case f.blockAlign == 0:
		return nil, corrupt(name, "fmt chunk says a block align of 0 bytes")
	case f.valid > f.bits:
		return nil, corrupt(name, "extensible fmt chunk says %d valid bits in %d-bit samples", f.valid, f.bits)
	}
	if f.linear() {
		want := f.channels * ((f.bits + 7) / 8)
		if f.blockAlign != want {
			return nil, corrupt(name, "fmt block align is %d bytes, expected %d for %d channels of %d bits", f.blockAlign, want, f.channels, f.bits)
		}
		if f.byteRate != f.rate*int64(want) {
			return nil, corrupt(name, "fmt byte rate is %d, expected %d (%d Hz × %d bytes)", f.byteRate, f.rate*int64(want), f.rate, want)
		}
	}
	return f, nil
}

// linear is true for sample formats whose frames are blockAlign bytes
// each (PCM and float), so the frame count follows from the data size.
func (f *wavFmt) linear() bool {
	code := f.tag
	if code == formatExtensible {
		code = f.sub
	}
	return code == formatPCM || code == formatFloat
}

func (f *wavFmt) info(dataSize int64) (AudioInfo, error) {
	info := AudioInfo{
		Format:        "WAV",
		FormatTag:     f.tag,
		SubFormat:     f.sub,
		SampleRate:    int(f.rate),
		BitsPerSample: f.valid,
		Channels:      f.channels,
	}
	if f.linear() {
		info.Frames = dataSize / int64(f.blockAlign)
		info.Duration, _ = duration(info.Frames, info.SampleRate)
	} else if f.byteRate > 0 {
		// Compressed codecs: only the average byte rate tells the length.
		info.Duration, _ = duration(dataSize, int(f.byteRate))
	}
	return info, nil
}

// isChunkID accepts the four printable ASCII characters RIFF chunk ids are
// made of; anything else means the walk lost its way (a missing pad byte,
// a wrong size) or the file is garbage.
func isChunkID(id []byte) bool {
	if len(id) < 4 {
		return false
	}
	for _, c := range id[:4] {
		if c < 0x20 || c > 0x7E {
			return false
		}
	}
	return true
}

func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7E {
			c = '?'
		}
		out[i] = c
	}
	return string(out)
}
