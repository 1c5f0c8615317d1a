package mediatest

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"time"
)

// Chunk is an extra RIFF chunk (LIST, bext, iXML, junk…) to put in a WAV
// file. An odd-sized body gets the pad byte RIFF requires.
type Chunk struct {
	ID   string // four characters
	Data []byte
}

// WAV describes a PCM WAV file holding a sine tone.
type WAV struct {
	SampleRate int // Hz, e.g. 44100
	Bits       int // bits per sample: 8 (unsigned), 16, 24, 32; 32 with Float
	Channels   int
	Duration   time.Duration
	// Extensible writes a WAVE_FORMAT_EXTENSIBLE (0xFFFE) fmt chunk with
	// the PCM (or float) sub-format, as DAWs do for 24-bit or >2 channels.
	Extensible bool
	// Float writes 32-bit IEEE float samples (format 3) instead of PCM.
	Float bool
	// Extra chunks go between the fmt and data chunks.
	Extra []Chunk
	// NoFmt and NoData leave out the fmt or data chunk: broken files that
	// a validator must refuse.
	NoFmt, NoData bool
}

// WAVE format tags and the GUID tail of the extensible sub-format.
const (
	formatPCM        = 0x0001
	formatFloat      = 0x0003
	formatExtensible = 0xFFFE
)

var subformatGUIDTail = []byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

// WriteWAV writes a PCM WAV sine tone of dur to path.
func WriteWAV(path string, sampleRate, bits, channels int, dur time.Duration) error {
	return WAV{SampleRate: sampleRate, Bits: bits, Channels: channels, Duration: dur}.Write(path)
}

// Write writes the file to path.
func (w WAV) Write(path string) error {
	b, err := w.Bytes()
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write WAV: %w", err)
	}
	return nil
}

// Bytes returns the whole file.
func (w WAV) Bytes() ([]byte, error) {
	if err := w.check(); err != nil {
		return nil, err
	}
	frames := frameCount(w.SampleRate, w.Duration)
	data := w.samples(frames)
	b := append(w.header(int64(len(data))), data...)
	if len(data)%2 == 1 {
		b = append(b, 0) // RIFF pad byte after an odd-sized data chunk
	}
	return b, nil
}

func (w WAV) check() error {
	if err := checkFormat("WAV", w.SampleRate, w.Bits, w.Channels, w.Duration); err != nil {
		return err
	}
	if w.Float && w.Bits != 32 {
		return fmt.Errorf("WAV: float samples are 32 bits, not %d", w.Bits)
	}
	if !w.Float && w.Bits%8 != 0 {
		return fmt.Errorf("WAV: %d bits per sample; this generator writes 8, 16, 24 or 32", w.Bits)
	}
	for _, c := range w.Extra {
		if len(c.ID) != 4 {
			return fmt.Errorf("WAV: chunk id %q is not four characters", c.ID)
		}
	}
	return nil
}

func (w WAV) blockAlign() int { return w.Channels * w.Bits / 8 }

// header is everything before the sample bytes: RIFF, fmt, extra chunks
// and the data chunk header, for dataLen bytes of samples.
func (w WAV) header(dataLen int64) []byte {
	le := binary.LittleEndian
	var fmtBody []byte
	tag := uint16(formatPCM)
	if w.Float {
		tag = formatFloat
	}
	fmtTag := tag
	if w.Extensible {
		fmtTag = formatExtensible
	}
	fmtBody = le.AppendUint16(fmtBody, fmtTag)
	fmtBody = le.AppendUint16(fmtBody, uint16(w.Channels))
	fmtBody = le.AppendUint32(fmtBody, uint32(w.SampleRate))
	fmtBody = le.AppendUint32(fmtBody, uint32(w.SampleRate*w.blockAlign()))
	fmtBody = le.AppendUint16(fmtBody, uint16(w.blockAlign()))
	fmtBody = le.AppendUint16(fmtBody, uint16(w.Bits))
	if w.Extensible {
		fmtBody = le.AppendUint16(fmtBody, 22) // cbSize
		fmtBody = le.AppendUint16(fmtBody, uint16(w.Bits))
		fmtBody = le.AppendUint32(fmtBody, channelMask(w.Channels))
		fmtBody = le.AppendUint16(fmtBody, tag)
		fmtBody = append(fmtBody, subformatGUIDTail...)
	}

	var chunks []byte
	if !w.NoFmt {
		chunks = appendChunk(chunks, "fmt ", fmtBody)
	}
	for _, c := range w.Extra {
		chunks = appendChunk(chunks, c.ID, c.Data)
	}
	var dataHeader []byte
	if !w.NoData {
		dataHeader = append([]byte("data"), le.AppendUint32(nil, uint32(dataLen))...)
	} else {
		dataLen = 0
	}
	riffLen := 4 + int64(len(chunks)) + int64(len(dataHeader)) + dataLen + dataLen&1
	h := append([]byte("RIFF"), le.AppendUint32(nil, uint32(riffLen))...)
	h = append(h, "WAVE"...)
	h = append(h, chunks...)
	return append(h, dataHeader...)
}

func appendChunk(b []byte, id string, body []byte) []byte {
	b = append(b, id...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(body)))
	b = append(b, body...)
	if len(body)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// channelMask is the usual speaker layout for n channels (front left,
// front right, centre, LFE, back left, back right, …).
func channelMask(n int) uint32 {
	switch n {
	case 1:
		return 0x4 // front centre
	case 2:
		return 0x3
	}
	return 1<<uint(n) - 1
}

// samples encodes the tone: 8-bit unsigned, wider little-endian signed,
// or float.
func (w WAV) samples(frames int64) []byte {
	if w.NoData {
		return nil
	}
	bits := w.Bits
	if w.Float {
		bits = 24 // tone amplitude, scaled to ±1 below
	}
	s := tone(w.SampleRate, bits, w.Channels, frames)
	out := make([]byte, 0, len(s)*w.Bits/8+1)
	for _, v := range s {
		switch {
		case w.Float:
			f := float32(float64(v) / float64(int32(1)<<23))
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(f))
		case w.Bits == 8:
			out = append(out, byte(v+128))
		default:
			for i := 0; i < w.Bits/8; i++ {
				out = append(out, byte(v>>(8*i)))
			}
		}
	}
	return out
}

// WriteSparseWAV writes a PCM WAV header whose data chunk fills the file
// up to size bytes, then extends the file to size without writing the
// samples: on most filesystems it takes no disk space, so benchmarks can
// validate gigabytes of "audio" (silence) for free.
func WriteSparseWAV(path string, sampleRate, bits, channels int, size int64) error {
	w := WAV{SampleRate: sampleRate, Bits: bits, Channels: channels}
	if err := w.check(); err != nil {
		return err
	}
	hdrLen := int64(len(w.header(0)))
	data := size - hdrLen
	data -= data % int64(2*w.blockAlign()) // even: no pad byte needed
	if data < 0 || data > math.MaxUint32-64 {
		return fmt.Errorf("sparse WAV: size %d bytes is outside what a RIFF file can hold", size)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("sparse WAV: %w", err)
	}
	_, err = f.Write(w.header(data))
	if err == nil {
		err = f.Truncate(hdrLen + data)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sparse WAV %s: %w", path, err)
	}
	return nil
}
