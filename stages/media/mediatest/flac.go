package mediatest

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"os"
	"time"
)

// FLAC describes a FLAC file holding a sine tone. The encoder is
// deliberately simple but complete: STREAMINFO with the MD5 of the
// unencoded samples, fixed-blocksize frames with CRC-8 headers and CRC-16
// footers, each channel coded as a FIXED order-2 predictor with Rice
// residuals, or VERBATIM when that is smaller. `flac -t` accepts the files.
type FLAC struct {
	SampleRate int // Hz
	Bits       int // bits per sample, 4 to 32
	Channels   int // 1 to 8, coded independently
	Duration   time.Duration
	// BlockSize is the samples per frame; 0 means 4096.
	BlockSize int
	// Verbatim stores samples uncompressed (VERBATIM subframes only).
	Verbatim bool
	// ID3 puts an ID3v2 tag before the fLaC marker, as some taggers do.
	ID3 bool
	// Padding adds a PADDING metadata block of that many bytes after
	// STREAMINFO, so readers have more than one block to walk.
	Padding int
}

// WriteFLAC writes a FLAC sine tone of dur to path.
func WriteFLAC(path string, sampleRate, bits, channels int, dur time.Duration) error {
	return FLAC{SampleRate: sampleRate, Bits: bits, Channels: channels, Duration: dur}.Write(path)
}

// Write writes the file to path.
func (f FLAC) Write(path string) error {
	b, err := f.Bytes()
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write FLAC: %w", err)
	}
	return nil
}

// Bytes returns the whole file.
func (f FLAC) Bytes() ([]byte, error) {
	if err := checkFormat("FLAC", f.SampleRate, f.Bits, f.Channels, f.Duration); err != nil {
		return nil, err
	}
	if f.SampleRate >= 1<<20 {
		return nil, fmt.Errorf("FLAC: sample rate %d Hz does not fit STREAMINFO's 20 bits", f.SampleRate)
	}
	block := f.BlockSize
	if block == 0 {
		block = 4096
	}
	if block < 16 || block > 65535 {
		return nil, fmt.Errorf("FLAC: block size %d, expected 16 to 65535", block)
	}
	frames := frameCount(f.SampleRate, f.Duration)
	if frames >= 1<<36 {
		return nil, fmt.Errorf("FLAC: %d samples do not fit STREAMINFO's 36 bits", frames)
	}
	samples := tone(f.SampleRate, f.Bits, f.Channels, frames)

	var audio []byte
	minFrame, maxFrame := 0, 0
	for start, n := int64(0), 0; start < frames; start += int64(block) {
		size := int(min(int64(block), frames-start))
		fr := f.frame(samples[start*int64(f.Channels):(start+int64(size))*int64(f.Channels)], size, uint64(n))
		if minFrame == 0 || len(fr) < minFrame {
			minFrame = len(fr)
		}
		maxFrame = max(maxFrame, len(fr))
		audio = append(audio, fr...)
		n++
	}
	if frames < int64(block) {
		block = int(max(frames, 16)) // a one-frame stream's block size is that frame's
	}

	var out []byte
	if f.ID3 {
		out = id3Tag("ferry test tone")
	}
	out = append(out, "fLaC"...)
	last := f.Padding == 0
	out = append(out, blockHeader(last, 0, 34)...)
	out = append(out, f.streamInfo(block, minFrame, maxFrame, frames, samples)...)
	if !last {
		out = append(out, blockHeader(true, 1, f.Padding)...)
		out = append(out, make([]byte, f.Padding)...)
	}
	return append(out, audio...), nil
}

// blockHeader is a metadata block header: last-block flag, type, length.
func blockHeader(last bool, typ byte, length int) []byte {
	if last {
		typ |= 0x80
	}
	return []byte{typ, byte(length >> 16), byte(length >> 8), byte(length)}
}

func (f FLAC) streamInfo(block, minFrame, maxFrame int, frames int64, samples []int32) []byte {
	var w bitWriter
	w.write(uint64(block), 16)
	w.write(uint64(block), 16)
	w.write(uint64(minFrame), 24)
	w.write(uint64(maxFrame), 24)
	w.write(uint64(f.SampleRate), 20)
	w.write(uint64(f.Channels-1), 3)
	w.write(uint64(f.Bits-1), 5)
	w.write(uint64(frames>>32), 4)
	w.write(uint64(frames&0xFFFFFFFF), 32)
	sum := samplesMD5(samples, f.Bits)
	return append(w.buf, sum[:]...)
}

// samplesMD5 is the MD5 FLAC stores: of the interleaved samples as signed
// little-endian integers of the smallest whole number of bytes.
func samplesMD5(samples []int32, bits int) [16]byte {
	width := (bits + 7) / 8
	buf := make([]byte, 0, len(samples)*width)
	for _, v := range samples {
		for i := 0; i < width; i++ {
			buf = append(buf, byte(v>>(8*i)))
		}
	}
	return md5.Sum(buf)
}

// frame encodes one fixed-blocksize frame of size interleaved frames.
func (f FLAC) frame(interleaved []int32, size int, number uint64) []byte {
	var w bitWriter
	w.write(0x3FFE, 14) // sync code
	w.write(0, 1)       // reserved
	w.write(0, 1)       // fixed block size
	w.write(7, 4)       // block size - 1 follows in 16 bits
	rateCode, rateTail := sampleRateCode(f.SampleRate)
	w.write(uint64(rateCode), 4)
	w.write(uint64(f.Channels-1), 4) // independent channels
	w.write(uint64(sampleSizeCode(f.Bits)), 3)
	w.write(0, 1) // reserved
	w.buf = append(w.buf, utf8Number(number)...)
	w.write(uint64(size-1), 16)
	w.buf = append(w.buf, rateTail...)
	w.buf = append(w.buf, crc8(w.buf))

	ch := make([]int64, size)
	for c := 0; c < f.Channels; c++ {
		for i := range ch {
			ch[i] = int64(interleaved[i*f.Channels+c])
		}
		f.subframe(&w, ch)
	}
	w.align(0)
	return binary.BigEndian.AppendUint16(w.buf, crc16(w.buf))
}

// subframe writes one channel as FIXED order 2 with Rice coding, or as
// VERBATIM when that is smaller (short blocks, noise, Verbatim set).
func (f FLAC) subframe(w *bitWriter, x []int64) {
	bits := uint(f.Bits)
	verbatimCost := int64(len(x)) * int64(bits)
	const order = 2
	if !f.Verbatim && len(x) > order {
		res := make([]int64, len(x)-order)
		fits := true
		for i := order; i < len(x); i++ {
			r := x[i] - 2*x[i-1] + x[i-2]
			fits = fits && r >= -(1<<31) && r < 1<<31
			res[i-order] = r
		}
		k, riceCost := bestRiceParameter(res)
		cost := order*int64(bits) + 2 + 4 + 4 + riceCost
		if fits && cost < verbatimCost {
			w.write(0, 1)          // zero pad
			w.write(0x08|order, 6) // FIXED, order 2
			w.write(0, 1)          // no wasted bits
			for _, v := range x[:order] {
				w.write(uint64(v), bits)
			}
			w.write(0, 2) // residual coding: Rice, 4-bit parameters
			w.write(0, 4) // partition order 0: one partition
			w.write(uint64(k), 4)
			for _, r := range res {
				u := zigzag(r)
				w.unary(u >> k)
				w.write(u, k)
			}
			return
		}
	}
	w.write(0, 1)
	w.write(0x01, 6) // VERBATIM
	w.write(0, 1)
	for _, v := range x {
		w.write(uint64(v), bits)
	}
}

func zigzag(r int64) uint64 { return uint64(r<<1) ^ uint64(r>>63) }

// bestRiceParameter finds the Rice parameter (0-14) coding res in the
// fewest bits, and that number of bits.
func bestRiceParameter(res []int64) (uint, int64) {
	best, bestCost := uint(0), int64(-1)
	for k := uint(0); k <= 14; k++ {
		cost := int64(0)
		for _, r := range res {
			cost += int64(zigzag(r)>>k) + 1 + int64(k)
		}
		if bestCost < 0 || cost < bestCost {
			best, bestCost = k, cost
		}
	}
	return best, bestCost
}

// sampleRateCode is the frame header's sample rate code and the bytes it
// needs after the frame number; code 0 means "see STREAMINFO".
func sampleRateCode(rate int) (byte, []byte) {
	common := map[int]byte{88200: 1, 176400: 2, 192000: 3, 8000: 4, 16000: 5, 22050: 6,
		24000: 7, 32000: 8, 44100: 9, 48000: 10, 96000: 11}
	if c, ok := common[rate]; ok {
		return c, nil
	}
	switch {
	case rate%1000 == 0 && rate/1000 < 256:
		return 12, []byte{byte(rate / 1000)}
	case rate < 1<<16:
		return 13, []byte{byte(rate >> 8), byte(rate)}
	case rate%10 == 0 && rate/10 < 1<<16:
		return 14, []byte{byte(rate / 10 >> 8), byte(rate / 10)}
	}
	return 0, nil
}

// sampleSizeCode is the frame header's bits-per-sample code; 0 means
// "see STREAMINFO".
func sampleSizeCode(bits int) byte {
	switch bits {
	case 8:
		return 1
	case 12:
		return 2
	case 16:
		return 4
	case 20:
		return 5
	case 24:
		return 6
	case 32:
		return 7
	}
	return 0
}

// utf8Number codes a frame number the way FLAC does: UTF-8 extended to
// 36 bits.
func utf8Number(n uint64) []byte {
	if n < 0x80 {
		return []byte{byte(n)}
	}
	extra := 1
	for n >= 1<<(5*extra+6) && extra < 6 {
		extra++
	}
	out := make([]byte, extra+1)
	for i := extra; i > 0; i-- {
		out[i] = 0x80 | byte(n&0x3F)
		n >>= 6
	}
	lead := byte(0xFF << (7 - extra))
	out[0] = lead | byte(n)
	return out
}

// id3Tag is a minimal ID3v2.4 tag with one title (TIT2) frame.
func id3Tag(title string) []byte {
	body := append([]byte{3}, title...) // text encoding 3: UTF-8
	frame := append([]byte("TIT2"), syncsafe(len(body))...)
	frame = append(frame, 0, 0) // frame flags
	frame = append(frame, body...)
	tag := append([]byte("ID3"), 4, 0, 0)
	tag = append(tag, syncsafe(len(frame))...)
	return append(tag, frame...)
}

// syncsafe codes n in four bytes of seven bits each, as ID3v2 sizes are.
func syncsafe(n int) []byte {
	return []byte{byte(n >> 21 & 0x7F), byte(n >> 14 & 0x7F), byte(n >> 7 & 0x7F), byte(n & 0x7F)}
}
