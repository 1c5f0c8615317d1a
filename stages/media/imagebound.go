package media

import (
	"encoding/binary"
	"io"
)

// An image's header states its dimensions; nothing but the data behind
// it says they are true. A decoder trusts the header and allocates
// width × height pixels before it reads any, so a small file claiming
// 65535×65535 (a "decompression bomb") makes whoever decodes it (the
// DSP's ingestion, an image tool) allocate 17 GB. ferry checks the claim
// against the bytes actually present, reading only headers:
//
//   - JPEG (Huffman coded, the only kind Go and DSPs read): every 8×8
//     block of every component codes at least its DC coefficient, which
//     takes at least one bit, in baseline and progressive files alike.
//     So the file must hold at least one bit per block of the frame
//     header's components (with their sampling factors): a 3000×3000
//     4:2:0 cover at least 26 KB, 65535×65535 at least 12.6 MB.
//   - PNG: the pixel rows are deflate-compressed, and deflate expands
//     at most 1032-fold (a 258-byte match in 2 bits). So the file must be
//     at least 1/1032 of the filtered rows' size: a 3000×3000 RGB cover
//     at least 26 KB, 65535×65535 RGB at least 12.5 MB.
//
// A real cover is many times above these bounds; only a header claiming
// more than its data can hold falls below them.

// maxDeflateRatio is the most deflate can expand its input.
const maxDeflateRatio = 1032

// jpegMinBits is the fewest bits the entropy-coded data of a w×h JPEG
// with the given sampling factors (h, v per component) can take.
func jpegMinBits(w, h int, sampling [][2]int) int64 {
	hmax, vmax := 1, 1
	for _, s := range sampling {
		hmax, vmax = max(hmax, s[0]), max(vmax, s[1])
	}
	var blocks int64
	for _, s := range sampling {
		cw := (int64(w)*int64(s[0]) + int64(hmax) - 1) / int64(hmax)
		ch := (int64(h)*int64(s[1]) + int64(vmax) - 1) / int64(vmax)
		blocks += ((cw + 7) / 8) * ((ch + 7) / 8)
	}
	return blocks
}

// jpegSampling finds the frame header (SOFn) by walking the marker
// segments from the start, reading 4 bytes per segment, and returns each
// component's sampling factors; nil when it cannot be found (the caller
// has already checked the header with image/jpeg).
func jpegSampling(r io.ReaderAt, size int64) [][2]int {
	off := int64(2)
	for off+4 <= min(size, maxImageHeader) {
		b, err := readUpTo(r, off, 4, size)
		if err != nil || len(b) < 4 || b[0] != 0xFF {
			return nil
		}
		marker := b[1]
		switch {
		case marker == 0xFF: // fill byte before a marker
			off++
			continue
		case marker == 0xD8 || marker == 0x01 || marker >= 0xD0 && marker <= 0xD7:
			off += 2 // no length
			continue
		case marker == 0xDA || marker == 0xD9: // scan or end before any frame
			return nil
		}
		n := int64(binary.BigEndian.Uint16(b[2:4]))
		if isSOF(marker) {
			seg, err := readUpTo(r, off+4, int(n)-2, size)
			if err != nil || len(seg) < 6 {
				return nil
			}
			nc := int(seg[5])
			if len(seg) < 6+3*nc {
				return nil
			}
			out := make([][2]int, nc)
			for i := range nc {
				hv := seg[6+3*i+1]
				out[i] = [2]int{max(int(hv>>4), 1), max(int(hv&15), 1)}
			}
			return out
		}
		off += 2 + n
	}
	return nil
}

// isSOF reports whether marker starts a frame header (SOF0–SOF15 except
// DHT, JPG and DAC, which share the range).
func isSOF(m byte) bool {
	return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC
}

// pngMinBytes is the fewest bytes of compressed data that can hold a
// w×h PNG of the given colour type and bit depth: its filtered rows (one
// filter byte and the packed pixels each) divided by deflate's greatest
// expansion.
func pngMinBytes(w, h int, colorType byte, depth int) int64 {
	channels := map[byte]int64{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colorType]
	row := 1 + (int64(w)*channels*int64(depth)+7)/8
	return int64(h) * row / maxDeflateRatio
}
