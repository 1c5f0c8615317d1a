package digest

import (
	"encoding/hex"
	"io"

	"github.com/zeebo/blake3"
)

// Bytes returns the Sums of data held in memory (a message ferry wrote),
// as File does for a file.
func Bytes(data []byte, algorithm string) (Sums, error) {
	h, err := newHashSum(algorithm)
	if err != nil {
		return Sums{}, err
	}
	b := blake3.Sum256(data)
	s := Sums{Size: int64(len(data)), BLAKE3: hex.EncodeToString(b[:]), Algorithm: algorithm}
	if h != nil {
		h.Write(data)
		s.HashSum = hex.EncodeToString(h.Sum(nil))
	}
	return s, nil
}

// Reader returns the Sums of everything r yields, as File does for a
// file: for content read back from a DSP's server.
func Reader(r io.Reader, algorithm string) (Sums, error) {
	h, err := newHashSum(algorithm)
	if err != nil {
		return Sums{}, err
	}
	b := blake3.New()
	n, err := hashStream(r, b, h)
	if err != nil {
		return Sums{}, err
	}
	s := Sums{Size: n, BLAKE3: hex.EncodeToString(b.Sum(nil)), Algorithm: algorithm}
	if h != nil {
		s.HashSum = hex.EncodeToString(h.Sum(nil))
	}
	return s, nil
}
