package media

import (
	"fmt"
	"io"
)

// flacTailDefault is how much of a FLAC's end is read to find its last
// frame when STREAMINFO gives no maximum frame size: a 4096-sample frame
// of 24-bit stereo is about 25 KB at most.
const (
	flacTailDefault = 32 << 10
	flacTailMax     = 1 << 20
)

// checkFLACEnd finds the last audio frame of a FLAC in its tail, without
// decoding it, and checks that the file is complete: the last frame is
// whole (its CRC-16 matches) and ends at the sample count STREAMINFO
// gives. A copy cut short — the usual fault of a file taken from a share
// too early — fails here while its header still reads fine. audioStart is
// where the first frame begins; maxFrame is STREAMINFO's maximum frame
// size (0 when unknown).
func checkFLACEnd(r io.ReaderAt, size, audioStart int64, info AudioInfo, minBlock, maxFrame int) error {
	const name = "FLAC"
	n := int64(flacTailDefault)
	if maxFrame > 0 {
		n = min(int64(maxFrame)+64, flacTailMax)
	}
	n = min(n, size-audioStart)
	tail := make([]byte, n)
	if _, err := r.ReadAt(tail, size-n); err != nil && err != io.EOF {
		return fmt.Errorf("%s: %w", name, err)
	}
	sawHeader := false
	for i := len(tail) - 2; i >= 0; i-- {
		if tail[i] != 0xFF || tail[i+1]&0xFE != 0xF8 {
			continue
		}
		first, count, ok := flacFrameHeader(tail[i:], minBlock)
		if !ok {
			continue
		}
		sawHeader = true
		frame := tail[i:]
		if len(frame) < 4 || crc16(frame[:len(frame)-2]) != uint16(frame[len(frame)-2])<<8|uint16(frame[len(frame)-1]) {
			continue // a sync code inside audio data, or a cut frame
		}
		switch end := first + count; {
		case end < info.Frames:
			return truncated(name, "the file stops at sample %d of %d (%s of audio missing): it was cut short; copy it again",
				end, info.Frames, missingTime(info.Frames-end, info.SampleRate))
		case end > info.Frames:
			return corrupt(name, "the last frame ends at sample %d, after the %d samples STREAMINFO gives", end, info.Frames)
		}
		return nil
	}
	if sawHeader {
		return truncated(name, "the last audio frame is incomplete (its checksum does not match): the file was cut short; copy it again")
	}
	return nil // the last frame starts before the part read: cannot tell, and not worth reading more
}

// flacFrameHeader decodes a frame header at the start of b (a sync code
// is there) and returns the frame's first sample and its sample count. ok
// is false unless every field is valid and the CRC-8 matches.
func flacFrameHeader(b []byte, minBlock int) (first, count int64, ok bool) {
	if len(b) < 6 || b[1]&0x02 != 0 || b[3]&0x01 != 0 {
		return 0, 0, false
	}
	variable := b[1]&0x01 != 0
	bsCode, rateCode := b[2]>>4, b[2]&0x0F
	chans, sizeCode := b[3]>>4, b[3]>>1&0x07
	if bsCode == 0 || rateCode == 15 || chans > 10 || sizeCode == 3 {
		return 0, 0, false
	}
	num, pos, ok := utf8Number(b, 4)
	if !ok {
		return 0, 0, false
	}
	switch {
	case bsCode == 1:
		count = 192
	case bsCode <= 5:
		count = 576 << (bsCode - 2)
	case bsCode == 6:
		if pos+1 > len(b) {
			return 0, 0, false
		}
		count, pos = int64(b[pos])+1, pos+1
	case bsCode == 7:
		if pos+2 > len(b) {
			return 0, 0, false
		}
		count, pos = (int64(b[pos])<<8|int64(b[pos+1]))+1, pos+2
	default:
		count = 256 << (bsCode - 8)
	}
	switch rateCode {
	case 12:
		pos++
	case 13, 14:
		pos += 2
	}
	if pos+1 > len(b) || crc8(b[:pos]) != b[pos] {
		return 0, 0, false
	}
	if variable {
		return num, count, true
	}
	if minBlock <= 0 {
		return 0, 0, false
	}
	return num * int64(minBlock), count, true
}

// utf8Number decodes FLAC's UTF-8-style coded frame or sample number.
func utf8Number(b []byte, pos int) (int64, int, bool) {
	if pos >= len(b) {
		return 0, 0, false
	}
	c := b[pos]
	var v int64
	var extra int
	switch {
	case c&0x80 == 0:
		return int64(c), pos + 1, true
	case c&0xE0 == 0xC0:
		v, extra = int64(c&0x1F), 1
	case c&0xF0 == 0xE0:
		v, extra = int64(c&0x0F), 2
	case c&0xF8 == 0xF0:
		v, extra = int64(c&0x07), 3
	case c&0xFC == 0xF8:
		v, extra = int64(c&0x03), 4
	case c&0xFE == 0xFC:
		v, extra = int64(c&0x01), 5
	case c == 0xFE:
		v, extra = 0, 6
	default:
		return 0, 0, false
	}
	if pos+1+extra > len(b) {
		return 0, 0, false
	}
	for _, x := range b[pos+1 : pos+1+extra] {
		if x&0xC0 != 0x80 {
			return 0, 0, false
		}
		v = v<<6 | int64(x&0x3F)
	}
	return v, pos + 1 + extra, true
}

// crc8 is FLAC's header CRC (polynomial x^8+x^2+x+1, initial 0).
func crc8(b []byte) byte {
	var c byte
	for _, x := range b {
		c ^= x
		for range 8 {
			if c&0x80 != 0 {
				c = c<<1 ^ 0x07
			} else {
				c <<= 1
			}
		}
	}
	return c
}

// crc16 is FLAC's frame CRC (polynomial x^16+x^15+x^2+1, initial 0).
func crc16(b []byte) uint16 {
	var c uint16
	for _, x := range b {
		c ^= uint16(x) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x8005
			} else {
				c <<= 1
			}
		}
	}
	return c
}

// missingTime says how long n samples last, for messages.
func missingTime(n int64, rate int) string {
	if rate <= 0 {
		return "some"
	}
	secs := float64(n) / float64(rate)
	if secs < 1 {
		return "less than a second"
	}
	return fmt.Sprintf("%.1f s", secs)
}
