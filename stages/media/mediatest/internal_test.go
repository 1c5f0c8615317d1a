package mediatest

import (
	"bytes"
	"testing"
)

// Check values from the CRC catalogue for "123456789": CRC-8 (poly 0x07,
// init 0) is 0xF4; CRC-16/UMTS a.k.a. BUYPASS (poly 0x8005, init 0, not
// reflected) is 0xFEE8.
func TestCRCs(t *testing.T) {
	if got := crc8([]byte("123456789")); got != 0xF4 {
		t.Errorf("crc8 = %#x, want 0xF4", got)
	}
	if got := crc16([]byte("123456789")); got != 0xFEE8 {
		t.Errorf("crc16 = %#x, want 0xFEE8", got)
	}
}

func TestUTF8Number(t *testing.T) {
	cases := []struct {
		n    uint64
		want []byte
	}{
		{0, []byte{0x00}},
		{0x7F, []byte{0x7F}},
		{0x80, []byte{0xC2, 0x80}},
		{0x7FF, []byte{0xDF, 0xBF}},
		{0x800, []byte{0xE0, 0xA0, 0x80}},
		{0xFFFF, []byte{0xEF, 0xBF, 0xBF}},
		{0x10000, []byte{0xF0, 0x90, 0x80, 0x80}},
		{1<<36 - 1, []byte{0xFE, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF}},
	}
	for _, c := range cases {
		if got := utf8Number(c.n); !bytes.Equal(got, c.want) {
			t.Errorf("utf8Number(%#x) = % X, want % X", c.n, got, c.want)
		}
	}
}

func TestBitWriter(t *testing.T) {
	var w bitWriter
	w.write(0b101, 3)
	w.unary(2)          // 001
	w.write(0xABCD, 16) // spans bytes: 101001 1010101111001101 + 2 pad bits
	w.align(0)
	if want := []byte{0b10100110, 0b10101111, 0b00110100}; !bytes.Equal(w.buf, want) {
		t.Errorf("bits = % 08b, want % 08b", w.buf, want)
	}
	s := bitWriter{stuff: true}
	s.write(0xFF, 8)
	s.write(0b1, 1)
	s.align(1)
	if want := []byte{0xFF, 0x00, 0xFF, 0x00}; !bytes.Equal(s.buf, want) {
		t.Errorf("stuffed = % X, want % X", s.buf, want)
	}
}
