package mediatest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
)

// PNG colour types (PNG spec §11.2.2) the writer supports.
const (
	pngGray      = 0
	pngRGB       = 2
	pngPaletted  = 3
	pngGrayAlpha = 4
	pngRGBA      = 6
)

// WritePNG writes a w×h 8-bit RGB PNG gradient to path.
func WritePNG(path string, w, h int) error { return writePNG(path, w, h, pngRGB) }

// WriteGrayPNG writes a w×h 8-bit greyscale PNG to path.
func WriteGrayPNG(path string, w, h int) error { return writePNG(path, w, h, pngGray) }

// WriteGrayAlphaPNG writes a w×h greyscale PNG with an alpha channel.
func WriteGrayAlphaPNG(path string, w, h int) error { return writePNG(path, w, h, pngGrayAlpha) }

// WriteRGBAPNG writes a w×h RGB PNG with an alpha channel (transparency
// fading left to right).
func WriteRGBAPNG(path string, w, h int) error { return writePNG(path, w, h, pngRGBA) }

// WritePalettedPNG writes a w×h PNG with a 256-colour palette.
func WritePalettedPNG(path string, w, h int) error { return writePNG(path, w, h, pngPaletted) }

func writePNG(path string, w, h int, colorType byte) error {
	b, err := encodePNG(w, h, colorType)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write PNG: %w", err)
	}
	return nil
}

// encodePNG writes the gradient with the Up filter on every row but the
// first: rows differ only slightly, so the filtered data is almost all
// zeros and a 3000×3000 image compresses to a few kilobytes.
func encodePNG(w, h int, colorType byte) ([]byte, error) {
	if w < 1 || h < 1 || w > 1<<24 || h > 1<<24 {
		return nil, fmt.Errorf("PNG: size %dx%d out of range", w, h)
	}
	channels := map[byte]int{pngGray: 1, pngRGB: 3, pngPaletted: 1, pngGrayAlpha: 2, pngRGBA: 4}[colorType]
	out := []byte("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 8, colorType, 0, 0, 0) // 8 bits, deflate, adaptive filters, no interlace
	out = appendPNGChunk(out, "IHDR", ihdr)
	if colorType == pngPaletted {
		plte := make([]byte, 0, 3*256)
		for i := 0; i < 256; i++ {
			r, g, b := gradient(i, 255-i, 256, 256)
			plte = append(plte, r, g, b)
		}
		out = appendPNGChunk(out, "PLTE", plte)
	}

	var z bytes.Buffer
	zw, err := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	if err != nil {
		return nil, err
	}
	stride := w * channels
	prev, row := make([]byte, stride), make([]byte, stride)
	filtered := make([]byte, 1+stride)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, b := gradient(x, y, w, h)
			px := row[x*channels : (x+1)*channels]
			grey := byte((299*int(r) + 587*int(g) + 114*int(b)) / 1000)
			alpha := byte(255 - x*255/max(w-1, 1)/2)
			switch colorType {
			case pngGray:
				px[0] = grey
			case pngGrayAlpha:
				px[0], px[1] = grey, alpha
			case pngRGB:
				px[0], px[1], px[2] = r, g, b
			case pngRGBA:
				px[0], px[1], px[2], px[3] = r, g, b, alpha
			case pngPaletted:
				px[0] = byte(x * 255 / max(w-1, 1))
			}
		}
		filtered[0] = 0 // None for the first row
		copy(filtered[1:], row)
		if y > 0 {
			filtered[0] = 2 // Up
			for i := range row {
				filtered[1+i] = row[i] - prev[i]
			}
		}
		if _, err := zw.Write(filtered); err != nil {
			return nil, err
		}
		prev, row = row, prev
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	out = appendPNGChunk(out, "IDAT", z.Bytes())
	return appendPNGChunk(out, "IEND", nil), nil
}

func appendPNGChunk(b []byte, typ string, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	start := len(b)
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}
