package media

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
)

// ImageInfo is what a header says about an artwork file.
type ImageInfo struct {
	Format string // "JPEG" or "PNG"
	Width  int
	Height int
	// ColorModel names the pixel layout: "YCbCr" (an ordinary colour
	// JPEG), "RGB" (PNG truecolour, Adobe RGB JPEG), "CMYK", "Gray",
	// "Paletted" (PNG with a palette).
	ColorModel string
	// Alpha is true for PNG images with an alpha channel (colour types 4
	// and 6).
	Alpha bool
	// BitDepth is bits per sample of one channel (8 for JPEG; PNG's IHDR
	// value: 1, 2, 4, 8 or 16).
	BitDepth  int
	BytesRead int64
}

// IsRGB reports whether the image is full-colour RGB as DSPs ask for:
// truecolour PNG or a YCbCr/RGB JPEG. CMYK, greyscale and paletted images
// are not.
func (i ImageInfo) IsRGB() bool { return i.ColorModel == "RGB" || i.ColorModel == "YCbCr" }

// maxImageHeader bounds how far into an image the header reader goes:
// JPEG metadata (EXIF, ICC profiles, XMP, thumbnails) before the frame
// header is rarely above a few hundred kilobytes.
const maxImageHeader = 16 << 20

// endMarkerWindow is how much of an image's tail is searched for its end
// marker (JPEG EOI, PNG IEND); some writers leave padding after it.
const endMarkerWindow = 4096

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// ReadImage reads the header of the JPEG or PNG file at path, recognised
// by its first bytes, not its extension.
func ReadImage(path string) (ImageInfo, error) {
	f, size, err := openRegular(path, "image")
	if err != nil {
		return ImageInfo{}, err
	}
	defer f.Close()
	return ReadImageAt(f, size)
}

// ReadImageAt reads the header of the JPEG or PNG data in r (size bytes
// long): dimensions and colour model from image.DecodeConfig (plus the
// PNG IHDR for grey+alpha, which Go reports as NRGBA), and a check that
// the file ends with its end marker, which catches truncated copies
// without decoding any pixels.
func ReadImageAt(r io.ReaderAt, size int64) (ImageInfo, error) {
	cr := &countingReaderAt{r: r}
	head, err := readUpTo(cr, 0, 16, size)
	if err != nil {
		return ImageInfo{}, fmt.Errorf("image: %w", err)
	}
	var info ImageInfo
	switch {
	case len(head) >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF:
		info, err = readJPEG(cr, size)
	case bytes.HasPrefix(head, pngSignature):
		info, err = readPNG(cr, size)
	default:
		return ImageInfo{}, notImage(head, size)
	}
	if err != nil {
		return ImageInfo{}, err
	}
	info.BytesRead = cr.n
	return info, nil
}

// decodeConfig runs dc over the first maxImageHeader bytes and turns its
// errors into HeaderErrors.
func decodeConfig(name string, r io.ReaderAt, size int64, dc func(io.Reader) (image.Config, error)) (image.Config, error) {
	limit := min(size, maxImageHeader)
	rec := &ioErrorRecorder{r: r}
	cfg, err := dc(bufio.NewReaderSize(io.NewSectionReader(rec, 0, limit), 4096))
	switch {
	case err == nil:
		return cfg, nil
	case rec.err != nil: // the disk failed, not the file's format
		return cfg, fmt.Errorf("%s: %w", name, rec.err)
	case (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)) && limit < size:
		return cfg, corrupt(name, "no image header in the first %d MB", maxImageHeader>>20)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return cfg, truncated(name, "file ends inside the header (truncated copy?)")
	}
	// Go's messages carry their own "png: " or "invalid JPEG format: "
	// prefixes; keep only the part that says what is wrong.
	var (
		jf jpeg.FormatError
		ju jpeg.UnsupportedError
		pf png.FormatError
		pu png.UnsupportedError
	)
	switch {
	case errors.As(err, &ju):
		return cfg, unsupported(name, "unsupported feature: %s", string(ju))
	case errors.As(err, &pu):
		return cfg, unsupported(name, "unsupported feature: %s", string(pu))
	case errors.As(err, &jf):
		return cfg, corrupt(name, "invalid header: %s", string(jf))
	case errors.As(err, &pf):
		return cfg, corrupt(name, "invalid header: %s", string(pf))
	}
	return cfg, corrupt(name, "invalid header: %v", err)
}

// ioErrorRecorder remembers a read error other than EOF, which decoders
// would otherwise report as a format problem.
type ioErrorRecorder struct {
	r   io.ReaderAt
	err error
}

func (e *ioErrorRecorder) ReadAt(p []byte, off int64) (int, error) {
	n, err := e.r.ReadAt(p, off)
	if err != nil && !errors.Is(err, io.EOF) && e.err == nil {
		e.err = err
	}
	return n, err
}

func readJPEG(r io.ReaderAt, size int64) (ImageInfo, error) {
	const name = "JPEG"
	cfg, err := decodeConfig(name, r, size, jpeg.DecodeConfig)
	if err != nil {
		return ImageInfo{}, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		// JPEG allows a height of 0 "to be given later" (a DNL marker), which
		// no delivery tool writes; Go's DecodeConfig lets it through.
		return ImageInfo{}, corrupt(name, "frame header says the image is %dx%d pixels", cfg.Width, cfg.Height)
	}
	info := ImageInfo{Format: name, Width: cfg.Width, Height: cfg.Height, BitDepth: 8}
	switch cfg.ColorModel {
	case color.GrayModel:
		info.ColorModel = "Gray"
	case color.YCbCrModel:
		info.ColorModel = "YCbCr"
	case color.RGBAModel:
		info.ColorModel = "RGB" // three components marked RGB by an Adobe APP14 segment
	case color.CMYKModel:
		info.ColorModel = "CMYK"
	default:
		info.ColorModel = fmt.Sprintf("%T", cfg.ColorModel)
	}
	if err := findEnd(name, r, size, []byte{0xFF, 0xD9}, "end-of-image marker"); err != nil {
		return ImageInfo{}, err
	}
	if sampling := jpegSampling(r, size); sampling != nil {
		if need := jpegMinBits(info.Width, info.Height, sampling); size*8 < need {
			return ImageInfo{}, beyondData(name, "the header says %dx%d pixels, but %d bytes can hold at most %d 8x8 blocks (one bit each) and %d are needed",
				info.Width, info.Height, size, size*8, need)
		}
	}
	return info, nil
}

func readPNG(r io.ReaderAt, size int64) (ImageInfo, error) {
	const name = "PNG"
	cfg, err := decodeConfig(name, r, size, png.DecodeConfig)
	if err != nil {
		return ImageInfo{}, err
	}
	// DecodeConfig has checked the IHDR chunk (it is first and CRC-checked);
	// its colour type and bit depth tell grey+alpha from RGBA.
	ihdr, err := readUpTo(r, 16, 13, size)
	if err != nil {
		return ImageInfo{}, fmt.Errorf("%s: %w", name, err)
	}
	if len(ihdr) < 13 {
		return ImageInfo{}, truncated(name, "IHDR chunk truncated")
	}
	info := ImageInfo{
		Format:   name,
		Width:    int(binary.BigEndian.Uint32(ihdr[0:4])),
		Height:   int(binary.BigEndian.Uint32(ihdr[4:8])),
		BitDepth: int(ihdr[8]),
	}
	if info.Width != cfg.Width || info.Height != cfg.Height {
		return ImageInfo{}, corrupt(name, "IHDR chunk is not where PNG puts it")
	}
	switch ihdr[9] {
	case 0:
		info.ColorModel = "Gray"
	case 2:
		info.ColorModel = "RGB"
	case 3:
		info.ColorModel = "Paletted"
	case 4:
		info.ColorModel, info.Alpha = "Gray", true
	case 6:
		info.ColorModel, info.Alpha = "RGB", true
	default:
		return ImageInfo{}, corrupt(name, "unknown colour type %d", ihdr[9])
	}
	if err := findEnd(name, r, size, []byte("IEND"), "IEND chunk"); err != nil {
		return ImageInfo{}, err
	}
	if need := pngMinBytes(info.Width, info.Height, ihdr[9], info.BitDepth); size < need {
		return ImageInfo{}, beyondData(name, "the header says %dx%d pixels, but deflate expands at most %d-fold and %d bytes cannot hold them (at least %d are needed): a decompression bomb, or a damaged header",
			info.Width, info.Height, maxDeflateRatio, size, need)
	}
	return info, nil
}

// findEnd checks that marker occurs in the last endMarkerWindow bytes: a
// file cut short in a copy lacks it.
func findEnd(name string, r io.ReaderAt, size int64, marker []byte, what string) error {
	from := max(0, size-endMarkerWindow)
	tail, err := readUpTo(r, from, endMarkerWindow, size)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if !bytes.Contains(tail, marker) {
		return truncated(name, "no %s at the end of the file (truncated copy?)", what)
	}
	return nil
}

// notImage names what the file is when it is not JPEG or PNG.
func notImage(head []byte, size int64) error {
	const name = "image"
	has := func(p string) bool { return bytes.HasPrefix(head, []byte(p)) }
	switch {
	case size == 0:
		return corrupt(name, "file is empty")
	case has("GIF87a"), has("GIF89a"):
		return unsupported(name, "file is GIF; deliver JPEG or PNG")
	case has("II*\x00"), has("MM\x00*"):
		return unsupported(name, "file is TIFF; deliver JPEG or PNG")
	case has("RIFF") && len(head) >= 12 && string(head[8:12]) == "WEBP":
		return unsupported(name, "file is WebP; deliver JPEG or PNG")
	case has("BM"):
		return unsupported(name, "file is BMP; deliver JPEG or PNG")
	case has("8BPS"):
		return unsupported(name, "file is a Photoshop document (PSD); deliver JPEG or PNG")
	case has("%PDF"):
		return unsupported(name, "file is PDF; deliver JPEG or PNG")
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		return unsupported(name, "file is HEIF/AVIF (%s); deliver JPEG or PNG", printable(head[8:12]))
	}
	return corrupt(name, "not a JPEG or PNG file (it starts with % X)", head[:min(len(head), 8)])
}
