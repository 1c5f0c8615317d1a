package mediatest

import (
	"encoding/binary"
	"fmt"
	"os"
)

// CoverSize is the side of the square cover art most DSPs ask for.
const CoverSize = 3000

// The JPEG writer below is a minimal baseline (SOF0) encoder: every 8×8
// block is flat (only its DC coefficient is coded), so no DCT is needed,
// a 3000×3000 cover takes milliseconds to make and about 50 KB on disk,
// and any decoder shows a smooth, slightly blocky gradient. It writes the
// colour layouts a validator must tell apart, which Go's image/jpeg
// encoder cannot (it has no CMYK).

// jpegColor is a JPEG component layout.
type jpegColor int

const (
	jpegYCbCr jpegColor = iota // JFIF colour: what "RGB JPEG" means in practice
	jpegGray                   // one component
	jpegCMYK                   // four components, Adobe APP14 marker
)

// WriteJPEG writes a w×h colour (YCbCr, JFIF) JPEG gradient to path.
func WriteJPEG(path string, w, h int) error { return writeJPEG(path, w, h, jpegYCbCr) }

// WriteGrayJPEG writes a w×h greyscale (one component) JPEG to path.
func WriteGrayJPEG(path string, w, h int) error { return writeJPEG(path, w, h, jpegGray) }

// WriteCMYKJPEG writes a w×h CMYK (four components, Adobe marker) JPEG to
// path, as print workflows deliver by mistake.
func WriteCMYKJPEG(path string, w, h int) error { return writeJPEG(path, w, h, jpegCMYK) }

func writeJPEG(path string, w, h int, c jpegColor) error {
	b, err := encodeJPEG(w, h, c)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write JPEG: %w", err)
	}
	return nil
}

// gradient is the picture every generated image shows: red rising left to
// right, green top to bottom, a fixed blue.
func gradient(x, y, w, h int) (r, g, b uint8) {
	return uint8(x * 255 / max(w-1, 1)), uint8(y * 255 / max(h-1, 1)), 160
}

type jpegComponent struct {
	id, h, v int // component id and sampling factors
}

// DC Huffman table: category 0 (no change from the previous block, by far
// the commonest) gets a 1-bit code. Lengths 1..16 then symbols.
var (
	dcBits    = [16]byte{1, 0, 2, 3, 0, 3, 0, 3}
	dcSymbols = []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	// The AC table holds only end-of-block, coded as a single bit.
	acBits    = [16]byte{1}
	acSymbols = []byte{0x00}
)

type huffCode struct {
	code uint64
	len  uint
}

// huffCodes builds the canonical codes of a JPEG Huffman table (T.81
// Annex C).
func huffCodes(bits [16]byte, symbols []byte) map[byte]huffCode {
	codes := map[byte]huffCode{}
	code, k := uint64(0), 0
	for l := 1; l <= 16; l++ {
		for i := 0; i < int(bits[l-1]); i++ {
			codes[symbols[k]] = huffCode{code, uint(l)}
			code++
			k++
		}
		code <<= 1
	}
	return codes
}

func encodeJPEG(w, h int, c jpegColor) ([]byte, error) {
	if w < 1 || h < 1 || w > 65535 || h > 65535 {
		return nil, fmt.Errorf("JPEG: size %dx%d, expected 1 to 65535 pixels a side", w, h)
	}
	var comps []jpegComponent
	switch c {
	case jpegYCbCr:
		comps = []jpegComponent{{1, 2, 2}, {2, 1, 1}, {3, 1, 1}} // 4:2:0, as cameras write
	case jpegGray:
		comps = []jpegComponent{{1, 1, 1}}
	case jpegCMYK:
		comps = []jpegComponent{{1, 1, 1}, {2, 1, 1}, {3, 1, 1}, {4, 1, 1}}
	}
	hmax, vmax := comps[0].h, comps[0].v
	if len(comps) == 1 {
		hmax, vmax = 1, 1 // a single-component scan codes one block per MCU
		comps[0].h, comps[0].v = 1, 1
	}

	out := []byte{0xFF, 0xD8} // SOI
	be := binary.BigEndian
	segment := func(marker byte, body []byte) {
		out = append(out, 0xFF, marker)
		out = be.AppendUint16(out, uint16(len(body)+2))
		out = append(out, body...)
	}
	if c == jpegCMYK {
		// Adobe APP14: version 100, no flags, transform 0 (CMYK as is).
		segment(0xEE, []byte{'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0})
	} else {
		// JFIF APP0 1.01, no density units, 1:1 aspect, no thumbnail.
		segment(0xE0, []byte{'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0})
	}
	// One quantisation table: DC step 8 keeps one grey level per step.
	q := make([]byte, 65)
	for i := 1; i < 65; i++ {
		q[i] = 16
	}
	q[1] = 8
	segment(0xDB, q)
	sof := []byte{8}
	sof = be.AppendUint16(sof, uint16(h))
	sof = be.AppendUint16(sof, uint16(w))
	sof = append(sof, byte(len(comps)))
	for _, cp := range comps {
		sof = append(sof, byte(cp.id), byte(cp.h<<4|cp.v), 0)
	}
	segment(0xC0, sof)
	segment(0xC4, append(append([]byte{0x00}, dcBits[:]...), dcSymbols...))
	segment(0xC4, append(append([]byte{0x10}, acBits[:]...), acSymbols...))
	sos := []byte{byte(len(comps))}
	for _, cp := range comps {
		sos = append(sos, byte(cp.id), 0x00)
	}
	segment(0xDA, append(sos, 0, 63, 0))

	dc := huffCodes(dcBits, dcSymbols)
	eob := huffCodes(acBits, acSymbols)[0]
	bw := bitWriter{stuff: true}
	pred := make([]int, len(comps))
	mcuW, mcuH := 8*hmax, 8*vmax
	for my := 0; my < (h+mcuH-1)/mcuH; my++ {
		for mx := 0; mx < (w+mcuW-1)/mcuW; mx++ {
			for ci, cp := range comps {
				// Each block of this component covers (8*hmax/h)×(8*vmax/v) pixels.
				bw2, bh2 := 8*hmax/cp.h, 8*vmax/cp.v
				for by := 0; by < cp.v; by++ {
					for bx := 0; bx < cp.h; bx++ {
						// Sample the block at its centre, clamped to the image.
						x := min(mx*mcuW+bx*bw2+bw2/2, w-1)
						y := min(my*mcuH+by*bh2+bh2/2, h-1)
						level := componentLevel(c, ci, x, y, w, h)
						// DC = 8 × (mean − 128), divided by the step 8.
						v := level - 128
						diff := v - pred[ci]
						pred[ci] = v
						cat := bitLength(diff)
						code := dc[byte(cat)]
						bw.write(code.code, code.len)
						if diff < 0 {
							diff += 1<<cat - 1
						}
						bw.write(uint64(diff), uint(cat))
						bw.write(eob.code, eob.len)
					}
				}
			}
		}
	}
	bw.align(1)
	out = append(out, bw.buf...)
	return append(out, 0xFF, 0xD9), nil // EOI
}

// componentLevel is the 0-255 value of component ci at (x, y).
func componentLevel(c jpegColor, ci, x, y, w, h int) int {
	r8, g8, b8 := gradient(x, y, w, h)
	r, g, b := float64(r8), float64(g8), float64(b8)
	var v float64
	switch c {
	case jpegGray:
		v = 0.299*r + 0.587*g + 0.114*b
	case jpegYCbCr:
		v = [3]float64{
			0.299*r + 0.587*g + 0.114*b,
			128 - 0.168736*r - 0.331264*g + 0.5*b,
			128 + 0.5*r - 0.418688*g - 0.081312*b,
		}[ci]
	case jpegCMYK:
		// Adobe CMYK JPEGs store ink inverted (255 = no ink); no black.
		v = [4]float64{r, g, b, 255}[ci]
	}
	return int(v + 0.5)
}

// bitLength is the JPEG magnitude category of a DC difference.
func bitLength(v int) int {
	if v < 0 {
		v = -v
	}
	n := 0
	for v > 0 {
		n++
		v >>= 1
	}
	return n
}
