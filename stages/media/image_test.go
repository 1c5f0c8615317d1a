package media_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferrydelivery/ferry/stages/media"
	"github.com/ferrydelivery/ferry/stages/media/mediatest"
)

func TestReadImage(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name  string
		write func(string, int, int) error
		w, h  int
		want  media.ImageInfo
		rgb   bool
	}{
		{"cover.jpg", mediatest.WriteJPEG, 3000, 3000, media.ImageInfo{Format: "JPEG", Width: 3000, Height: 3000, ColorModel: "YCbCr", BitDepth: 8}, true},
		{"wide.jpg", mediatest.WriteJPEG, 1401, 1400, media.ImageInfo{Format: "JPEG", Width: 1401, Height: 1400, ColorModel: "YCbCr", BitDepth: 8}, true},
		{"gray.jpg", mediatest.WriteGrayJPEG, 3000, 3000, media.ImageInfo{Format: "JPEG", Width: 3000, Height: 3000, ColorModel: "Gray", BitDepth: 8}, false},
		{"cmyk.jpg", mediatest.WriteCMYKJPEG, 3000, 3000, media.ImageInfo{Format: "JPEG", Width: 3000, Height: 3000, ColorModel: "CMYK", BitDepth: 8}, false},
		{"cover.png", mediatest.WritePNG, 3000, 3000, media.ImageInfo{Format: "PNG", Width: 3000, Height: 3000, ColorModel: "RGB", BitDepth: 8}, true},
		{"gray.png", mediatest.WriteGrayPNG, 640, 640, media.ImageInfo{Format: "PNG", Width: 640, Height: 640, ColorModel: "Gray", BitDepth: 8}, false},
		{"gray-alpha.png", mediatest.WriteGrayAlphaPNG, 64, 64, media.ImageInfo{Format: "PNG", Width: 64, Height: 64, ColorModel: "Gray", Alpha: true, BitDepth: 8}, false},
		{"rgba.png", mediatest.WriteRGBAPNG, 64, 32, media.ImageInfo{Format: "PNG", Width: 64, Height: 32, ColorModel: "RGB", Alpha: true, BitDepth: 8}, true},
		{"paletted.png", mediatest.WritePalettedPNG, 100, 100, media.ImageInfo{Format: "PNG", Width: 100, Height: 100, ColorModel: "Paletted", BitDepth: 8}, false},
		// Named .png but a JPEG: the content decides, not the name.
		{"misnamed.png", mediatest.WriteJPEG, 50, 50, media.ImageInfo{Format: "JPEG", Width: 50, Height: 50, ColorModel: "YCbCr", BitDepth: 8}, true},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.name)
		if err := c.write(path, c.w, c.h); err != nil {
			t.Fatal(err)
		}
		got, err := media.ReadImage(path)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got.BytesRead == 0 || got.BytesRead > 16<<10 {
			t.Errorf("%s: read %d bytes, want at most 16 KiB (header and tail)", c.name, got.BytesRead)
		}
		got.BytesRead = 0
		if got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
		if got.IsRGB() != c.rgb {
			t.Errorf("%s: IsRGB = %v, want %v", c.name, got.IsRGB(), c.rgb)
		}
	}
}

func TestReadImageErrors(t *testing.T) {
	dir := t.TempDir()
	read := func(write func(string, int, int) error, w, h int) []byte {
		p := filepath.Join(dir, "img")
		if err := write(p, w, h); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	jpg := read(mediatest.WriteJPEG, 600, 600)
	png := read(mediatest.WritePNG, 600, 600)
	sof := bytes.Index(jpg, []byte{0xFF, 0xC0})
	cover := read(mediatest.WriteJPEG, mediatest.CoverSize, mediatest.CoverSize)
	coverSOF := bytes.Index(cover, []byte{0xFF, 0xC0})
	coverPNG := read(mediatest.WritePNG, mediatest.CoverSize, mediatest.CoverSize)

	cases := []struct {
		name string
		b    []byte
		msg  string
		kind error
	}{
		{"empty", nil, "image: file is empty", media.ErrCorrupt},
		{"JPEG cut in header", jpg[:100], "JPEG: file ends inside the header (truncated copy?)", media.ErrTruncated},
		{"JPEG cut in data", jpg[:len(jpg)/2], "JPEG: no end-of-image marker at the end of the file (truncated copy?)", media.ErrTruncated},
		{"JPEG arithmetic coding", patch(jpg, sof+1, []byte{0xC9}), "JPEG: unsupported feature: unknown marker", media.ErrUnsupported},
		{"JPEG 12-bit", patch(jpg, sof+4, []byte{12}), "JPEG: unsupported feature: precision", media.ErrUnsupported},
		{"JPEG no frame", append(jpg[:2:2], 0xFF, 0xD9), "JPEG: invalid header: missing SOS marker", media.ErrCorrupt},
		{"JPEG height 0", patch(jpg, sof+5, []byte{0, 0}), "JPEG: frame header says the image is 600x0 pixels", media.ErrCorrupt},
		{"PNG cut in header", png[:20], "PNG: file ends inside the header (truncated copy?)", media.ErrTruncated},
		{"PNG cut in data", png[:len(png)-100], "PNG: no IEND chunk at the end of the file (truncated copy?)", media.ErrTruncated},
		{"PNG bad IHDR checksum", patch(png, 29, []byte{0, 0, 0, 0}), "PNG: invalid header: invalid checksum", media.ErrCorrupt},
		{"PNG zero width", patch(png, 16, []byte{0, 0, 0, 0}), "PNG: invalid header: non-positive dimension", media.ErrCorrupt},
		{"JPEG 65535x65535 over 3000x3000 data", patch(cover, coverSOF+5, []byte{0xFF, 0xFF, 0xFF, 0xFF}),
			fmt.Sprintf("JPEG: the header says 65535x65535 pixels, but %d bytes can hold at most %d 8x8 blocks (one bit each) and 100663296 are needed", len(cover), len(cover)*8), media.ErrBeyondData},
		{"JPEG 3000x30000 over 3000x3000 data", patch(cover, coverSOF+5, []byte{0x75, 0x30}),
			fmt.Sprintf("JPEG: the header says 3000x30000 pixels, but %d bytes can hold at most %d 8x8 blocks (one bit each) and 2111250 are needed", len(cover), len(cover)*8), media.ErrBeyondData},
		{"PNG bomb 65535x65535 over 600x600 data", pngSize(png, 65535, 65535),
			fmt.Sprintf("PNG: the header says 65535x65535 pixels, but deflate expands at most 1032-fold and %d bytes cannot hold them (at least 12485052 are needed): a decompression bomb, or a damaged header", len(png)), media.ErrBeyondData},
		{"PNG 30000x30000 over 3000x3000 data", pngSize(coverPNG, 30000, 30000),
			fmt.Sprintf("PNG: the header says 30000x30000 pixels, but deflate expands at most 1032-fold and %d bytes cannot hold them (at least 2616308 are needed): a decompression bomb, or a damaged header", len(coverPNG)), media.ErrBeyondData},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00"), "image: file is GIF; deliver JPEG or PNG", media.ErrUnsupported},
		{"TIFF", []byte("II*\x00\x08\x00\x00\x00"), "image: file is TIFF; deliver JPEG or PNG", media.ErrUnsupported},
		{"TIFF big-endian", []byte("MM\x00*\x00\x00\x00\x08"), "image: file is TIFF; deliver JPEG or PNG", media.ErrUnsupported},
		{"WebP", []byte("RIFF\x10\x00\x00\x00WEBPVP8 "), "image: file is WebP; deliver JPEG or PNG", media.ErrUnsupported},
		{"BMP", []byte("BM\x3e\x00\x00\x00\x00\x00"), "image: file is BMP; deliver JPEG or PNG", media.ErrUnsupported},
		{"PSD", []byte("8BPS\x00\x01"), "image: file is a Photoshop document (PSD); deliver JPEG or PNG", media.ErrUnsupported},
		{"PDF", []byte("%PDF-1.7\n"), "image: file is PDF; deliver JPEG or PNG", media.ErrUnsupported},
		{"HEIC", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"), "image: file is HEIF/AVIF (heic); deliver JPEG or PNG", media.ErrUnsupported},
		{"text", []byte("hello, world\n"), "image: not a JPEG or PNG file (it starts with 68 65 6C 6C 6F 2C 20 77)", media.ErrCorrupt},
	}
	for _, c := range cases {
		_, err := media.ReadImageAt(bytes.NewReader(c.b), int64(len(c.b)))
		wantError(t, c.name, err, c.msg, c.kind)
	}
}

// pngSize returns a copy of the PNG b whose IHDR claims w×h pixels, its
// checksum corrected so that only the size is wrong.
func pngSize(b []byte, w, h uint32) []byte {
	out := bytes.Clone(b)
	binary.BigEndian.PutUint32(out[16:], w)
	binary.BigEndian.PutUint32(out[20:], h)
	binary.BigEndian.PutUint32(out[29:], crc32.ChecksumIEEE(out[12:29]))
	return out
}
