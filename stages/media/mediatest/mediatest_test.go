package mediatest_test

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/ferrydelivery/ferry/stages/media"
	"github.com/ferrydelivery/ferry/stages/media/mediatest"
)

// dataChunk returns the body of a generated WAV's data chunk (the
// generator writes fmt first, so data follows at a known place).
func dataChunk(t *testing.T, wav []byte) []byte {
	t.Helper()
	i := bytes.Index(wav, []byte("data"))
	if i < 0 {
		t.Fatal("no data chunk")
	}
	n := int(binary.LittleEndian.Uint32(wav[i+4:]))
	return wav[i+8 : i+8+n]
}

func TestWAVReadBack(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ rate, bits, channels int }{
		{44100, 16, 2}, {48000, 24, 2}, {96000, 24, 1}, {8000, 8, 1}, {44100, 32, 6},
	}
	for _, c := range cases {
		p := filepath.Join(dir, "t.wav")
		dur := 1250 * time.Millisecond
		if err := mediatest.WriteWAV(p, c.rate, c.bits, c.channels, dur); err != nil {
			t.Fatal(err)
		}
		info, err := media.ReadAudio(p)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if info.Format != "WAV" || info.FormatTag != 1 || info.SampleRate != c.rate || info.BitsPerSample != c.bits || info.Channels != c.channels || info.Duration != dur {
			t.Errorf("%+v read back as %+v", c, info)
		}
		b, _ := os.ReadFile(p)
		data := dataChunk(t, b)
		width := c.bits / 8
		if want := int(info.Frames) * c.channels * width; len(data) != want {
			t.Fatalf("%+v: data chunk %d bytes, want %d", c, len(data), want)
		}
		// The first channel is a 440 Hz sine at half scale: check samples.
		amp := 0.5 * float64(int64(1)<<(c.bits-1)-1)
		for _, i := range []int{0, 1, 25, 100, 1000} {
			off := i * c.channels * width
			var v int64
			if c.bits == 8 {
				v = int64(data[off]) - 128
			} else {
				var u uint64
				for k := width - 1; k >= 0; k-- {
					u = u<<8 | uint64(data[off+k])
				}
				v = int64(u<<(64-c.bits)) >> (64 - c.bits) // sign-extend
			}
			want := math.Round(amp * math.Sin(2*math.Pi*440*float64(i)/float64(c.rate)))
			if float64(v) != want {
				t.Errorf("%+v: sample %d = %d, want %v", c, i, v, want)
			}
		}
	}
}

// TestFLACMD5MatchesWAV: STREAMINFO's MD5 is of the samples as signed
// little-endian integers, which is exactly a 16- or 24-bit WAV's data
// chunk; the same tone written both ways must agree.
func TestFLACMD5MatchesWAV(t *testing.T) {
	for _, bits := range []int{16, 24} {
		wav, err := mediatest.WAV{SampleRate: 44100, Bits: bits, Channels: 2, Duration: 300 * time.Millisecond}.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		fl, err := mediatest.FLAC{SampleRate: 44100, Bits: bits, Channels: 2, Duration: 300 * time.Millisecond}.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if want := md5.Sum(dataChunk(t, wav)); !bytes.Equal(fl[26:42], want[:]) {
			t.Errorf("%d bits: STREAMINFO MD5 % x, want % x", bits, fl[26:42], want)
		}
		if len(fl) >= len(wav) {
			t.Errorf("%d bits: FLAC %d bytes is no smaller than WAV %d bytes: the FIXED subframes are not used", bits, len(fl), len(wav))
		}
	}
}

// TestFLACWithReferenceDecoder runs the reference flac tool (Debian
// package flac) on generated files: flac -t checks frame CRCs and the
// MD5 of the decoded samples, and the decoded samples must equal the WAV
// the generator writes for the same tone.
func TestFLACWithReferenceDecoder(t *testing.T) {
	flac, err := exec.LookPath("flac")
	if err != nil {
		t.Skip("flac not installed (apt-get install flac): reference decoding skipped")
	}
	dir := t.TempDir()
	cases := []mediatest.FLAC{
		{SampleRate: 44100, Bits: 16, Channels: 2, Duration: 2 * time.Second},
		{SampleRate: 96000, Bits: 24, Channels: 2, Duration: 300 * time.Millisecond, ID3: true, Padding: 100},
		{SampleRate: 48000, Bits: 24, Channels: 6, Duration: 200 * time.Millisecond},
		{SampleRate: 8000, Bits: 8, Channels: 1, Duration: 10 * time.Millisecond, Verbatim: true},
		{SampleRate: 22050, Bits: 12, Channels: 1, Duration: 100 * time.Millisecond, BlockSize: 1152},
		{SampleRate: 12345, Bits: 20, Channels: 3, Duration: 100 * time.Millisecond},
		{SampleRate: 44100, Bits: 16, Channels: 2, Duration: 100 * time.Microsecond}, // 4 samples: one short frame
	}
	for i, c := range cases {
		p := filepath.Join(dir, "t.flac")
		if err := c.Write(p); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(flac, "-t", "-s", p).CombinedOutput(); err != nil {
			t.Errorf("case %d %+v: flac -t: %v\n%s", i, c, err, out)
			continue
		}
		if c.Bits%8 != 0 {
			continue // the WAV generator writes whole bytes only
		}
		dec := filepath.Join(dir, "dec.wav")
		if out, err := exec.Command(flac, "-d", "-s", "-f", "-o", dec, p).CombinedOutput(); err != nil {
			t.Fatalf("flac -d: %v\n%s", err, out)
		}
		got, _ := os.ReadFile(dec)
		want, err := mediatest.WAV{SampleRate: c.SampleRate, Bits: c.Bits, Channels: c.Channels, Duration: c.Duration}.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(dataChunk(t, got), dataChunk(t, want)) {
			t.Errorf("case %d: flac decodes other samples than the WAV of the same tone", i)
		}
	}
}

func TestFLACReadBack(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.flac")
	if err := mediatest.WriteFLAC(p, 44100, 16, 2, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	info, err := media.ReadAudio(p)
	if err != nil {
		t.Fatal(err)
	}
	want := media.AudioInfo{Format: "FLAC", SampleRate: 44100, BitsPerSample: 16, Channels: 2, Frames: 132300, Duration: 3 * time.Second, BytesRead: info.BytesRead}
	if info != want {
		t.Errorf("got %+v, want %+v", info, want)
	}
}

// near reports whether two 0-255 levels differ by at most tol (JPEG
// blocks are flat and chroma is subsampled, so colours are approximate).
func near(a, b uint32, tol int) bool { d := int(a>>8) - int(b); return d <= tol && d >= -tol }

func TestJPEGDecodes(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name  string
		write func(string, int, int) error
		model string
	}{
		{"rgb", mediatest.WriteJPEG, "YCbCr"},
		{"gray", mediatest.WriteGrayJPEG, "Gray"},
		{"cmyk", mediatest.WriteCMYKJPEG, "CMYK"},
	}
	for _, c := range cases {
		p := filepath.Join(dir, c.name+".jpg")
		const w, h = 400, 300
		if err := c.write(p, w, h); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: Go cannot decode the JPEG: %v", c.name, err)
		}
		if img.Bounds().Dx() != w || img.Bounds().Dy() != h {
			t.Errorf("%s: decoded %v", c.name, img.Bounds())
		}
		// The gradient: red grows left to right, green top to bottom, blue 160.
		for _, pt := range [][2]int{{4, 4}, {200, 150}, {395, 295}} {
			r, g, b, _ := img.At(pt[0], pt[1]).RGBA()
			wr, wg, wb := uint32(pt[0]*255/(w-1)), uint32(pt[1]*255/(h-1)), uint32(160)
			if c.name == "gray" {
				y := (299*wr + 587*wg + 114*wb) / 1000
				wr, wg, wb = y, y, y
			}
			if !near(r, wr, 14) || !near(g, wg, 14) || !near(b, wb, 14) {
				t.Errorf("%s at %v: rgb(%d,%d,%d), want about (%d,%d,%d)", c.name, pt, r>>8, g>>8, b>>8, wr, wg, wb)
			}
		}
		info, err := media.ReadImage(p)
		if err != nil || info.ColorModel != c.model {
			t.Errorf("%s: ReadImage %+v, %v; want model %s", c.name, info, err, c.model)
		}
		if djpeg, err := exec.LookPath("djpeg"); err == nil {
			if out, err := exec.Command(djpeg, "-outfile", os.DevNull, p).CombinedOutput(); err != nil || len(out) > 0 {
				t.Errorf("%s: djpeg (libjpeg) complains: %v %s", c.name, err, out)
			}
		}
	}
}

// TestCoverIsSmall: the 3000×3000 example cover stays small enough to
// make in every test that needs one.
func TestCoverIsSmall(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cover.jpg")
	if err := mediatest.WriteJPEG(p, mediatest.CoverSize, mediatest.CoverSize); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 150<<10 {
		t.Errorf("3000x3000 cover is %d bytes, want under 150 KiB", fi.Size())
	}
}

func TestPNGDecodes(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name  string
		write func(string, int, int) error
		gray  bool
	}{
		{"rgb", mediatest.WritePNG, false},
		{"rgba", mediatest.WriteRGBAPNG, false},
		{"gray", mediatest.WriteGrayPNG, true},
		{"gray-alpha", mediatest.WriteGrayAlphaPNG, true},
	}
	const w, h = 120, 80
	for _, c := range cases {
		p := filepath.Join(dir, c.name+".png")
		if err := c.write(p, w, h); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, pt := range [][2]int{{0, 0}, {60, 40}, {119, 79}} {
			nrgba := image.NewNRGBA(image.Rect(0, 0, 1, 1))
			nrgba.Set(0, 0, img.At(pt[0], pt[1]))
			px := nrgba.Pix
			r, g, b := pt[0]*255/(w-1), pt[1]*255/(h-1), 160
			if c.gray {
				y := (299*r + 587*g + 114*b) / 1000
				r, g, b = y, y, y
			}
			if int(px[0]) != r || int(px[1]) != g || int(px[2]) != b {
				t.Errorf("%s at %v: %v, want rgb(%d,%d,%d)", c.name, pt, px, r, g, b)
			}
		}
	}
	p := filepath.Join(dir, "pal.png")
	if err := mediatest.WritePalettedPNG(p, w, h); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(p)
	defer f.Close()
	if img, _, err := image.Decode(f); err != nil {
		t.Fatal(err)
	} else if _, ok := img.(*image.Paletted); !ok {
		t.Errorf("paletted PNG decodes as %T", img)
	}
}

func TestWriteSparseWAV(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.wav")
	const size = 200 << 20
	if err := mediatest.WriteSparseWAV(p, 44100, 16, 2, size); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > size || fi.Size() < size-8 {
		t.Errorf("size %d, want about %d", fi.Size(), size)
	}
	info, err := media.ReadAudio(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := (fi.Size() - 44) / 4; info.Frames != want {
		t.Errorf("frames %d, want %d", info.Frames, want)
	}
	if runtime.GOOS == "linux" {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Blocks*512 > 1<<20 {
			t.Logf("filesystem does not keep holes: %d bytes allocated", st.Blocks*512)
		}
	}
}

func TestGeneratorRefusesImpossibleFormats(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x")
	cases := []struct {
		name string
		err  error
		msg  string
	}{
		{"zero rate", mediatest.WriteWAV(p, 0, 16, 2, time.Second), "WAV: sample rate 0 Hz must be positive"},
		{"no channels", mediatest.WriteFLAC(p, 44100, 16, 0, time.Second), "FLAC: 0 channels, expected 1 to 8"},
		{"33 bits", mediatest.WriteFLAC(p, 44100, 33, 2, time.Second), "FLAC: 33 bits per sample, expected 4 to 32"},
		{"12-bit WAV", mediatest.WriteWAV(p, 44100, 12, 2, time.Second), "WAV: 12 bits per sample; this generator writes 8, 16, 24 or 32"},
		{"negative", mediatest.WriteWAV(p, 44100, 16, 2, -time.Second), "WAV: negative duration -1s"},
		{"FLAC rate", mediatest.WriteFLAC(p, 1<<20, 16, 2, time.Millisecond), "FLAC: sample rate 1048576 Hz does not fit STREAMINFO's 20 bits"},
		{"JPEG size", mediatest.WriteJPEG(p, 0, 10), "JPEG: size 0x10, expected 1 to 65535 pixels a side"},
		{"PNG size", mediatest.WritePNG(p, 10, -1), "PNG: size 10x-1 out of range"},
	}
	for _, c := range cases {
		if c.err == nil || c.err.Error() != c.msg {
			t.Errorf("%s: got %v, want %q", c.name, c.err, c.msg)
		}
	}
}
