package mediatest

// bitWriter packs values most-significant bit first, as FLAC and JPEG
// entropy-coded data want.
type bitWriter struct {
	buf   []byte
	acc   uint64
	nbits uint // pending bits in acc, always < 8 between calls
	// stuff inserts a 0x00 after every 0xFF byte (JPEG entropy data).
	stuff bool
}

// write appends the low n bits of v (n <= 32).
func (w *bitWriter) write(v uint64, n uint) {
	if n == 0 {
		return
	}
	w.acc = w.acc<<n | v&(1<<n-1)
	w.nbits += n
	for w.nbits >= 8 {
		b := byte(w.acc >> (w.nbits - 8))
		w.buf = append(w.buf, b)
		if w.stuff && b == 0xFF {
			w.buf = append(w.buf, 0)
		}
		w.nbits -= 8
	}
	w.acc &= 1<<w.nbits - 1
}

// unary writes q zero bits then a one bit (Rice quotient).
func (w *bitWriter) unary(q uint64) {
	for q >= 32 {
		w.write(0, 32)
		q -= 32
	}
	w.write(1, uint(q)+1)
}

// align pads to a byte boundary with fill bits (0 or 1).
func (w *bitWriter) align(fill uint64) {
	if w.nbits > 0 {
		n := 8 - w.nbits
		w.write(fill*(1<<n-1), n)
	}
}
